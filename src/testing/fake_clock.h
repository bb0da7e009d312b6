// FakeClock: a Clock that only moves when a test advances it. Thread-safe.
#pragma once

#include <atomic>

#include "common/clock.h"

namespace loom::testing {

class FakeClock final : public Clock {
 public:
  // Starts at 2026-11-02T09:00:00Z unless told otherwise.
  FakeClock();
  explicit FakeClock(TimePoint start) : now_us_(ToUnixMicros(start)) {}

  TimePoint Now() const override { return FromUnixMicros(now_us_.load()); }
  void Advance(Duration d) { now_us_ += d.count(); }
  void Set(TimePoint t) { now_us_ = ToUnixMicros(t); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace loom::testing
