#include "testing/fake_clock.h"

#include <date/date.h>

namespace loom::testing {

FakeClock::FakeClock()
    : now_us_(ToUnixMicros(TimePoint(date::sys_days(date::year{2026} / 11 / 2)) +
                           std::chrono::hours(9))) {}

}  // namespace loom::testing
