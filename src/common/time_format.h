// RFC 3339 / ISO 8601 timestamps and human durations ("5m", "1h30m", "2w").
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace loom {

// "2026-11-27T10:45:33.123Z" (UTC, millisecond precision).
std::string FormatRfc3339(TimePoint t);

// Accepts "Z", "+00:00" and "+0000" offsets, optional fractional seconds (up to nanoseconds,
// truncated to microseconds), and a date-time separator of 'T' or ' '.
Result<TimePoint> ParseRfc3339(std::string_view text);

// "90s", "5m", "1h30m", "2d", "1w"; a bare integer is seconds. Units: s m h d w.
Result<Duration> ParseDuration(std::string_view text);

}  // namespace loom
