// Clock: the only way code outside src/common learns the time.
//
// Core and engine code take a Clock& so tests can substitute FakeClock (src/testing) and advance
// time without sleeping. SystemClock reads the real wall clock. Implementations must be
// thread-safe: Now() may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace loom {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;
using Duration = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC), microsecond resolution.
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  // A process-wide instance for production wiring in main.
  static SystemClock& Instance();
};

// Microseconds since the Unix epoch: the representation the stores persist.
inline int64_t ToUnixMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMicros(int64_t us) { return TimePoint(Duration(us)); }

}  // namespace loom
