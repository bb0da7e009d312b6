#include "core/ical.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace loom {
namespace {

TimePoint T(const char* text) { return *ParseRfc3339(text); }

TEST(ICalendar, RendersOneEventPerShiftWithCrlfAndStableUids) {
  std::vector<CalendarShift> shifts = {
      {"loom-primary", "alice", "Alice Example", "alice@example.com",
       Shift{"alice", T("2026-11-02T08:00:00Z"), T("2026-11-09T08:00:00Z"), false}},
      {"loom-primary", "", "", "", Shift{"", T("2026-11-09T08:00:00Z"), T("2026-11-10T08:00:00Z")}},
  };
  std::string a = RenderICalendar("LOOM primary", shifts, T("2026-11-01T00:00:00Z"));
  std::string b = RenderICalendar("LOOM primary", shifts, T("2026-11-05T00:00:00Z"));
  EXPECT_EQ(a.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 0), 0u);
  EXPECT_NE(a.find("DTSTART:20261102T080000Z\r\n"), std::string::npos);
  EXPECT_NE(a.find("DTEND:20261109T080000Z\r\n"), std::string::npos);
  EXPECT_NE(a.find("ATTENDEE;CN=Alice Example:mailto:alice@example.com\r\n"), std::string::npos);
  EXPECT_EQ(a.find("BEGIN:VEVENT"), a.rfind("BEGIN:VEVENT"));  // the gap is not an event
  auto uid = [](const std::string& s) { return s.substr(s.find("UID:"), 50); };
  EXPECT_EQ(uid(a), uid(b));
  EXPECT_EQ(a.substr(a.size() - 15), "END:VCALENDAR\r\n");
  // No bare LF anywhere.
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == '\n') {
      ASSERT_EQ(a[i - 1], '\r');
    }
  }
}

TEST(ICalendar, FoldsAtSeventyFiveOctetsWithoutSplittingUtf8) {
  std::string line = "SUMMARY:" + std::string(30, 'x');
  for (int i = 0; i < 30; ++i) line += "\xc3\xa9";  // é, two octets each
  std::string folded = FoldICalLine(line);
  size_t start = 0;
  while (true) {
    size_t end = folded.find("\r\n", start);
    std::string physical = folded.substr(start, end == std::string::npos ? end : end - start);
    EXPECT_LE(physical.size(), 75u);
    // A physical line never ends inside a multi-byte sequence.
    auto last = static_cast<unsigned char>(physical.back());
    EXPECT_FALSE(last >= 0xc0);
    if (end == std::string::npos) break;
    start = end + 2;
    ASSERT_EQ(folded[start], ' ');
  }
  std::string unfolded;
  for (size_t i = 0; i < folded.size(); ++i) {
    if (folded.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    unfolded += folded[i];
  }
  EXPECT_EQ(unfolded, line);
}

TEST(ICalendar, EscapesText) { EXPECT_EQ(EscapeICalText("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne"); }

}  // namespace
}  // namespace loom
