// One answer for who is on call when handoffs and restriction windows fall inside a repeated
// (fall back) or skipped (spring forward) local hour: the paging resolver (Schedule::OnCallAt via
// OnCallResolver::HolderAt), /v1/oncall's (OnCallResolver::Resolve, with `until`), the shift
// lists of /shifts whatever instant their window starts at, and the iCalendar feed rendered from
// them must name the same holder. The expected holders and instants are worked out by hand from
// each zone's offsets (written next to each case), not by the code under test.

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "core/ical.h"
#include "core/oncall.h"
#include "core/schedule.h"

namespace loom {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

TimePoint T(const std::string& text) { return *ParseRfc3339(text); }

int64_t Day(const std::string& date) { return *ParseCivilDate(date); }

RotationLayer Layer(std::vector<std::string> who, int64_t shift_minutes, const char* handoff,
                    const char* start, std::vector<Restriction> restrictions = {}) {
  RotationLayer l;
  l.participants = std::move(who);
  l.shift_length_minutes = shift_minutes;
  l.handoff_minute = *ParseTimeOfDay(handoff);
  l.start_days = Day(start);
  l.restrictions = std::move(restrictions);
  return l;
}

Restriction Daily(const char* from, const char* to) {
  return Restriction{*ParseWeekdays("mon-sun"), *ParseTimeOfDay(from), *ParseTimeOfDay(to)};
}

// "20261101T054500Z" → the instant.
TimePoint FromICalUtc(const std::string& v) {
  return T(v.substr(0, 4) + "-" + v.substr(4, 2) + "-" + v.substr(6, 2) + "T" + v.substr(9, 2) +
           ":" + v.substr(11, 2) + ":" + v.substr(13, 2) + "Z");
}

struct Event {
  TimePoint start, end;
  std::string summary;
};

std::vector<Event> ParseEvents(const std::string& ics) {
  std::vector<Event> out;
  std::istringstream in(ics);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "BEGIN:VEVENT") out.emplace_back();
    if (line.rfind("DTSTART:", 0) == 0) out.back().start = FromICalUtc(line.substr(8));
    if (line.rfind("DTEND:", 0) == 0) out.back().end = FromICalUtc(line.substr(6));
    if (line.rfind("SUMMARY:", 0) == 0) out.back().summary = line.substr(8);
  }
  return out;
}

// Who `shifts` say holds the schedule at `t` ("" = nobody); "(not covered)" when no shift does.
std::string ShiftHolder(const std::vector<Shift>& shifts, TimePoint t) {
  for (const Shift& s : shifts) {
    if (s.start <= t && t < s.end) return s.user;
  }
  return "(not covered)";
}

// Asserts that every surface names `want` (nullopt: nobody) at `at`, and, when `until` is given,
// that /v1/oncall's resolver ends the turn there.
void ExpectOneAnswer(const Schedule& schedule, const std::string& at,
                     const std::optional<std::string>& want,
                     const std::optional<std::string>& until = std::nullopt) {
  SCOPED_TRACE(schedule.id() + " at " + at);
  const TimePoint t = T(at);
  OnCallResolver resolver({schedule}, {{"svc", {{OnCallRole::kPrimary, schedule.id()}}}});
  // Paging.
  EXPECT_EQ(resolver.HolderAt("svc", OnCallRole::kPrimary, t), want) << "paging";
  // /v1/oncall.
  RoleHolder holder = resolver.Resolve("svc", OnCallRole::kPrimary, t);
  EXPECT_EQ(holder.user, want) << "/v1/oncall";
  if (until) {
    EXPECT_EQ(holder.until ? FormatRfc3339(*holder.until) : "null", FormatRfc3339(T(*until)))
        << "/v1/oncall until";
  }
  // /shifts, with windows starting at the instant itself and at several points before it, some
  // inside the repeated or skipped hour and some well before it.
  for (Duration before : {Duration(0), Duration(minutes(5)), Duration(minutes(20)),
                          Duration(minutes(35)), Duration(hours(1)), Duration(minutes(75)),
                          Duration(hours(2)), Duration(hours(13)), Duration(days(3))}) {
    auto shifts = schedule.Shifts(t - before, t + days(2));
    EXPECT_EQ(ShiftHolder(shifts, t), want.value_or(""))
        << "/shifts from " << FormatRfc3339(t - before);
  }
  // The iCalendar feed: one event covering `t`, for `want`; none when nobody is on call.
  std::vector<CalendarShift> feed;
  for (const Shift& s : schedule.Shifts(t - days(7), t + days(7))) {
    feed.push_back(CalendarShift{schedule.id(), s.user, "", "", s});
  }
  std::vector<std::string> covering;
  for (const Event& e : ParseEvents(RenderICalendar("x", feed, t))) {
    if (e.start <= t && t < e.end) covering.push_back(e.summary);
  }
  if (want) {
    ASSERT_EQ(covering.size(), 1u) << "iCalendar feed";
    EXPECT_EQ(covering[0], "On call: " + *want + " (" + schedule.id() + ")") << "iCalendar feed";
  } else {
    EXPECT_TRUE(covering.empty()) << "iCalendar feed";
  }
}

// America/New_York: EDT (-4) until 2026-11-01T06:00Z, when 02:00 EDT becomes 01:00 EST (-5), so
// 01:00-02:00 local happens twice: 05:00Z-06:00Z, then 06:00Z-07:00Z. The top layer hands off
// daily at 01:15 and is active 20:00-01:45: its handoff is at the first 01:15 (05:15Z) and its
// window closes at the first 01:45 (05:45Z); the second 01:15 and 01:45 change nothing.
TEST(OnCallDst, NewYorkRepeatedHour) {
  auto s = Schedule::Create(
      "ny", "America/New_York",
      {Layer({"alice"}, 7 * 1440, "09:00", "2026-10-19"),
       // 2026-10-25 is k=0 (bob); the shift of 2026-10-31 is k=6 (bob), of 2026-11-01 k=7 (carol).
       Layer({"bob", "carol"}, 1440, "01:15", "2026-10-25", {Daily("20:00", "01:45")})},
      {});
  ASSERT_TRUE(s.ok());
  ExpectOneAnswer(*s, "2026-10-31T23:59:00Z", "alice");  // 19:59 EDT
  // 20:00 EDT: the window opens; bob's shift of the 31st, until the first 01:15.
  ExpectOneAnswer(*s, "2026-11-01T00:00:00Z", "bob", "2026-11-01T05:15:00Z");
  ExpectOneAnswer(*s, "2026-11-01T05:14:59Z", "bob");
  ExpectOneAnswer(*s, "2026-11-01T05:15:00Z", "carol", "2026-11-01T05:45:00Z");
  ExpectOneAnswer(*s, "2026-11-01T05:44:59Z", "carol");
  // From the first 01:45 EDT until 20:00 EST (2026-11-02T01:00Z): alice, through the second pass
  // of 01:00-02:00 (01:00 EST = 06:00Z, the example).
  ExpectOneAnswer(*s, "2026-11-01T05:45:00Z", "alice", "2026-11-02T01:00:00Z");
  ExpectOneAnswer(*s, "2026-11-01T06:00:00Z", "alice", "2026-11-02T01:00:00Z");
  ExpectOneAnswer(*s, "2026-11-01T06:15:00Z", "alice");  // the second 01:15
  ExpectOneAnswer(*s, "2026-11-01T06:44:00Z", "alice");
  ExpectOneAnswer(*s, "2026-11-01T07:00:00Z", "alice");
  ExpectOneAnswer(*s, "2026-11-02T00:59:59Z", "alice");
  // 20:00 EST on the 1st: carol's shift (until 01:15 EST = 06:15Z on the 2nd).
  ExpectOneAnswer(*s, "2026-11-02T01:00:00Z", "carol", "2026-11-02T06:15:00Z");
}

// Europe/Berlin: CEST (+2) until 2026-10-25T01:00Z, when 03:00 CEST becomes 02:00 CET (+1): 02:00-
// 03:00 local is 00:00Z-01:00Z, then 01:00Z-02:00Z. The top layer hands off daily at 02:30 and is
// active 02:20-08:00: on the 25th its window opens at the first 02:20 (00:20Z) and the handoff is
// at the first 02:30 (00:30Z); the window closes at 08:00 CET (07:00Z).
TEST(OnCallDst, BerlinRepeatedHour) {
  auto s = Schedule::Create(
      "berlin", "Europe/Berlin",
      {Layer({"alice"}, 7 * 1440, "09:00", "2026-10-12"),
       // 2026-10-18 is k=0 (bob): the 24th's shift is k=6 (bob), the 25th's k=7 (carol).
       Layer({"bob", "carol"}, 1440, "02:30", "2026-10-18", {Daily("02:20", "08:00")})},
      {});
  ASSERT_TRUE(s.ok());
  ExpectOneAnswer(*s, "2026-10-25T00:19:59Z", "alice", "2026-10-25T00:20:00Z");
  ExpectOneAnswer(*s, "2026-10-25T00:20:00Z", "bob", "2026-10-25T00:30:00Z");
  ExpectOneAnswer(*s, "2026-10-25T00:30:00Z", "carol", "2026-10-25T07:00:00Z");
  ExpectOneAnswer(*s, "2026-10-25T00:59:59Z", "carol");
  // The second pass of 02:00-03:00 CET: the window opened at the first 02:20 and stays open.
  ExpectOneAnswer(*s, "2026-10-25T01:05:00Z", "carol", "2026-10-25T07:00:00Z");
  ExpectOneAnswer(*s, "2026-10-25T01:15:00Z", "carol", "2026-10-25T07:00:00Z");
  ExpectOneAnswer(*s, "2026-10-25T01:30:00Z", "carol");  // the second 02:30: no handoff
  ExpectOneAnswer(*s, "2026-10-25T06:59:59Z", "carol");
  ExpectOneAnswer(*s, "2026-10-25T07:00:00Z", "alice");
}

// Australia/Lord_Howe moves by 30 minutes. Fall back: +11:00 until 2026-04-04T15:00Z, when 02:00
// becomes 01:30 (+10:30): 01:30-02:00 local is 14:30Z-15:00Z, then 15:00Z-15:30Z. The top layer
// hands off at 01:45 and 13:45 (12 h shifts) and is active 22:00-01:50: the window of the 4th
// opens at 22:00 +11 (11:00Z), the handoff is at the first 01:45 (14:45Z), the window closes at
// the first 01:50 (14:50Z); the next opens at 22:00 +10:30 on the 5th (11:30Z).
TEST(OnCallDst, LordHoweRepeatedHalfHour) {
  auto s = Schedule::Create(
      "lhi", "Australia/Lord_Howe",
      {Layer({"alice"}, 7 * 1440, "09:00", "2026-03-23"),
       // 2026-03-29 01:45 is k=0 (bob): 2026-04-04 13:45 is k=13 (carol), 04-05 01:45 k=14
       // (bob), 04-05 13:45 k=15 (carol).
       Layer({"bob", "carol"}, 720, "01:45", "2026-03-29", {Daily("22:00", "01:50")})},
      {});
  ASSERT_TRUE(s.ok());
  ExpectOneAnswer(*s, "2026-04-04T10:59:59Z", "alice", "2026-04-04T11:00:00Z");
  ExpectOneAnswer(*s, "2026-04-04T11:00:00Z", "carol", "2026-04-04T14:45:00Z");
  ExpectOneAnswer(*s, "2026-04-04T14:44:59Z", "carol");
  ExpectOneAnswer(*s, "2026-04-04T14:45:00Z", "bob", "2026-04-04T14:50:00Z");
  ExpectOneAnswer(*s, "2026-04-04T14:50:00Z", "alice", "2026-04-05T11:30:00Z");
  // 01:30 +10:30, the start of the second pass (the example), and the second 01:45/01:50.
  ExpectOneAnswer(*s, "2026-04-04T15:00:00Z", "alice", "2026-04-05T11:30:00Z");
  ExpectOneAnswer(*s, "2026-04-04T15:15:00Z", "alice", "2026-04-05T11:30:00Z");
  ExpectOneAnswer(*s, "2026-04-04T15:20:00Z", "alice");
  ExpectOneAnswer(*s, "2026-04-05T11:29:59Z", "alice");
  // carol's shift of 13:45 +10:30 (03:15Z) ends at 01:45 +10:30 on the 6th (15:15Z).
  ExpectOneAnswer(*s, "2026-04-05T11:30:00Z", "carol", "2026-04-05T15:15:00Z");
}

// Lord_Howe spring forward: +10:30 until 2026-10-03T15:30Z, when 02:00 becomes 02:30 (+11): 02:00-
// 02:30 local does not exist. The top layer hands off daily at 02:15 and is active 22:00-02:45: on
// the 4th the handoff moves to the first instant after the gap (02:30 +11 = 15:30Z) and the
// window closes at 02:45 +11 (15:45Z).
TEST(OnCallDst, LordHoweSkippedHalfHour) {
  auto s = Schedule::Create(
      "lhi-spring", "Australia/Lord_Howe",
      {Layer({"alice"}, 7 * 1440, "09:00", "2026-09-01"),
       // 2026-09-27 is k=0 (bob): the shift of 10-03 is k=6 (bob), of 10-04 k=7 (carol).
       Layer({"bob", "carol"}, 1440, "02:15", "2026-09-27", {Daily("22:00", "02:45")})},
      {});
  ASSERT_TRUE(s.ok());
  ExpectOneAnswer(*s, "2026-10-03T11:29:59Z", "alice");  // 21:59 +10:30
  ExpectOneAnswer(*s, "2026-10-03T11:30:00Z", "bob", "2026-10-03T15:30:00Z");
  ExpectOneAnswer(*s, "2026-10-03T15:29:59Z", "bob", "2026-10-03T15:30:00Z");
  ExpectOneAnswer(*s, "2026-10-03T15:30:00Z", "carol", "2026-10-03T15:45:00Z");
  ExpectOneAnswer(*s, "2026-10-03T15:44:59Z", "carol");
  ExpectOneAnswer(*s, "2026-10-03T15:45:00Z", "alice", "2026-10-04T11:00:00Z");
  ExpectOneAnswer(*s, "2026-10-04T11:00:00Z", "carol", "2026-10-04T15:15:00Z");  // 22:00 +11
}

// A restriction window that lies wholly in the skipped half hour never opens; one that lies wholly
// in the repeated half hour opens once, at its first occurrence.
TEST(OnCallDst, WindowsInsideTheGapOrTheRepeat) {
  auto spring =
      Schedule::Create("gap", "Australia/Lord_Howe",
                       {Layer({"alice"}, 1440, "09:00", "2026-09-01",
                              {Restriction{*ParseWeekdays("sun"), 2 * 60 + 5, 2 * 60 + 25}})},
                       {});
  ASSERT_TRUE(spring.ok());
  EXPECT_EQ(spring->Shifts(T("2026-10-03T00:00:00Z"), T("2026-10-05T00:00:00Z")).size(), 1u);
  ExpectOneAnswer(*spring, "2026-10-03T15:30:00Z", std::nullopt);
  ExpectOneAnswer(*spring, "2026-10-03T15:40:00Z", std::nullopt);

  auto fall = Schedule::Create("repeat", "Australia/Lord_Howe",
                               {Layer({"alice"}, 1440, "09:00", "2026-03-01",
                                      {Restriction{*ParseWeekdays("sun"), 90 + 10, 90 + 20}})},
                               {});
  ASSERT_TRUE(fall.ok());
  // 01:40-01:50 on Sunday 2026-04-05, first pass (+11): 14:40Z-14:50Z; not again at 15:10Z-15:20Z.
  ExpectOneAnswer(*fall, "2026-04-04T14:39:59Z", std::nullopt, "2026-04-04T14:40:00Z");
  ExpectOneAnswer(*fall, "2026-04-04T14:40:00Z", "alice", "2026-04-04T14:50:00Z");
  ExpectOneAnswer(*fall, "2026-04-04T15:10:00Z", std::nullopt);
  ExpectOneAnswer(*fall, "2026-04-04T15:15:00Z", std::nullopt);
}

}  // namespace
}  // namespace loom
