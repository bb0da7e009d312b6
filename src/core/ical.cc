#include "core/ical.h"

#include <date/date.h>

#include "common/crypto.h"

namespace loom {
namespace {

std::string UtcStamp(TimePoint t) {
  return date::format("%Y%m%dT%H%M%SZ", std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

std::string EscapeICalText(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string FoldICalLine(const std::string& line) {
  std::string out;
  size_t width = 0;  // octets on the current physical line
  for (size_t i = 0; i < line.size();) {
    // Length of the UTF-8 sequence that starts here.
    auto lead = static_cast<unsigned char>(line[i]);
    size_t n = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : 4;
    n = std::min(n, line.size() - i);
    if (width + n > 75) {
      out += "\r\n ";
      width = 1;
    }
    out.append(line, i, n);
    width += n;
    i += n;
  }
  return out;
}

std::string RenderICalendar(const std::string& name, const std::vector<CalendarShift>& shifts,
                            TimePoint stamp) {
  std::string out;
  auto line = [&out](const std::string& l) {
    out += FoldICalLine(l);
    out += "\r\n";
  };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//loom-oncall//on-call schedule//EN");
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  line("X-WR-CALNAME:" + EscapeICalText(name));
  for (const auto& s : shifts) {
    if (s.user.empty()) continue;
    const std::string start = UtcStamp(s.shift.start);
    line("BEGIN:VEVENT");
    line("UID:" + Sha256Hex(s.schedule_id + "|" + s.user + "|" + start).substr(0, 32) +
         "@loom-oncall");
    line("DTSTAMP:" + UtcStamp(stamp));
    line("DTSTART:" + start);
    line("DTEND:" + UtcStamp(s.shift.end));
    const std::string who = s.user_name.empty() ? s.user : s.user_name;
    line("SUMMARY:" + EscapeICalText("On call: " + who + " (" + s.schedule_id + ")" +
                                     (s.shift.is_override ? " [override]" : "")));
    if (!s.email.empty()) {
      line("ATTENDEE;CN=" + EscapeICalText(who) + ":mailto:" + s.email);
    }
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

}  // namespace loom
