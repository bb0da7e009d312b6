// Clock: the only way code outside src/common learns the time.
//
// Core and engine code take a Clock& so tests can substitute FakeClock (src/testing) and advance
// time without sleeping. SystemClock reads the real clocks. Two readings: Now() is the wall clock
// (what is stored and shown; it may be stepped), Steady() a monotonic clock that only moves
// forward with time passing (what waits are measured on: engine/deadline_loop.h). Implementations
// must be thread-safe: both may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace loom {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;
using Duration = std::chrono::microseconds;
// A reading of the monotonic clock: comparable only with other readings of the same Clock.
using SteadyTime = std::chrono::time_point<std::chrono::steady_clock, std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC), microsecond resolution.
  virtual TimePoint Now() const = 0;
  // Monotonic time, microsecond resolution: never steps, unaffected by changes of the wall clock.
  virtual SteadyTime Steady() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  SteadyTime Steady() const override;
  // A process-wide instance for production wiring in main.
  static SystemClock& Instance();
};

// Microseconds since the Unix epoch: the representation the stores persist.
inline int64_t ToUnixMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMicros(int64_t us) { return TimePoint(Duration(us)); }

// The monotonic deadline of the wall-clock instant `due`, read now: as far ahead of
// clock.Steady() as `due` is of clock.Now() (in the past for a due time that has passed). A later
// step of the wall clock does not move it.
inline SteadyTime SteadyDeadline(const Clock& clock, TimePoint due) {
  return clock.Steady() + (due - clock.Now());
}

}  // namespace loom
