#include "common/clock.h"

namespace loom {

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

SteadyTime SystemClock::Steady() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::steady_clock::now());
}

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace loom
