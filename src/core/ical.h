// iCalendar (RFC 5545) feeds of on-call shifts: CRLF line ends, lines folded at 75 octets (never
// inside a UTF-8 sequence), TEXT escaping, stable UIDs (schedule, user, start), DTSTAMP in UTC.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "core/schedule.h"

namespace loom {

struct CalendarShift {
  std::string schedule_id;
  std::string user;
  std::string user_name;  // for SUMMARY; falls back to user
  std::string email;      // ATTENDEE when set
  Shift shift;
};

// `name` becomes X-WR-CALNAME. Gaps (empty user) are left out.
std::string RenderICalendar(const std::string& name, const std::vector<CalendarShift>& shifts,
                            TimePoint stamp);

// Escapes \ ; , and newlines per RFC 5545 TEXT.
std::string EscapeICalText(const std::string& text);
// Folds one content line (without CRLF) at 75 octets.
std::string FoldICalLine(const std::string& line);

}  // namespace loom
