// FakeClock: a Clock that only moves when a test moves it. Thread-safe.
//
// Advance and Set move both readings (wall and steady) as time passing would; StepWall moves the
// wall clock alone, as an operator or NTP stepping the system clock does.
#pragma once

#include <atomic>

#include "common/clock.h"

namespace loom::testing {

class FakeClock final : public Clock {
 public:
  // Starts at 2026-11-02T09:00:00Z unless told otherwise; the steady reading starts at 1000 s.
  FakeClock();
  explicit FakeClock(TimePoint start) : now_us_(ToUnixMicros(start)) {}

  TimePoint Now() const override { return FromUnixMicros(now_us_.load()); }
  SteadyTime Steady() const override { return SteadyTime(Duration(steady_us_.load())); }
  void Advance(Duration d) {
    now_us_ += d.count();
    steady_us_ += d.count();
  }
  // Moves to `t`: the steady reading by the same amount (backwards too, when `t` is earlier).
  void Set(TimePoint t) { Advance(t - Now()); }
  // Steps the wall clock alone; Steady() does not move.
  void StepWall(Duration d) { now_us_ += d.count(); }

 private:
  std::atomic<int64_t> now_us_;
  std::atomic<int64_t> steady_us_{1'000'000'000};
};

}  // namespace loom::testing
