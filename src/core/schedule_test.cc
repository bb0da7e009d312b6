#include "core/schedule.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TimePoint T(const char* text) { return *ParseRfc3339(text); }

int64_t Day(int y, int m, int d) {
  // Days since 1970-01-01 (civil), via the RFC 3339 parser to keep date.h out of the test.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00Z", y, m, d);
  return ToUnixMicros(T(buf)) / (86400LL * 1'000'000);
}

RotationLayer Layer(std::vector<std::string> who, int64_t shift_minutes, const char* handoff,
                    int64_t start_day) {
  RotationLayer l;
  l.participants = std::move(who);
  l.shift_length_minutes = shift_minutes;
  l.handoff_minute = *ParseTimeOfDay(handoff);
  l.start_days = start_day;
  return l;
}

TEST(Schedule, WeeklyRotationHandsOffAtLocalTime) {
  auto s = Schedule::Create("loom-primary", "Europe/Berlin",
                            {Layer({"alice", "bob"}, 7 * 1440, "09:00", Day(2026, 11, 2))}, {});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->OnCallAt(T("2026-11-02T07:59:59Z")));        // before the first handoff
  EXPECT_EQ(s->OnCallAt(T("2026-11-02T08:00:00Z")), "alice");  // 09:00 CET
  EXPECT_EQ(s->OnCallAt(T("2026-11-09T07:59:59Z")), "alice");
  EXPECT_EQ(s->OnCallAt(T("2026-11-09T08:00:00Z")), "bob");
  EXPECT_EQ(s->OnCallAt(T("2026-11-16T08:00:00Z")), "alice");
}

TEST(Schedule, DailyHandoffStaysAtNineLocalAcrossDaylightSavingChanges) {
  auto s = Schedule::Create("d", "Europe/Berlin",
                            {Layer({"a", "b"}, 1440, "09:00", Day(2026, 3, 1))}, {});
  ASSERT_TRUE(s.ok());
  // Spring forward on Sunday 2026-03-29: the shift over it lasts 23 hours.
  auto spring = s->Shifts(T("2026-03-28T08:00:00Z"), T("2026-03-30T07:00:00Z"));
  ASSERT_EQ(spring.size(), 2u);
  EXPECT_EQ(spring[0].start, T("2026-03-28T08:00:00Z"));  // 09:00 CET
  EXPECT_EQ(spring[0].end, T("2026-03-29T07:00:00Z"));    // 09:00 CEST
  EXPECT_EQ(spring[0].end - spring[0].start, hours(23));
  EXPECT_EQ(spring[1].end - spring[1].start, hours(24));

  // Fall back on Sunday 2026-10-25: the shift over it lasts 25 hours.
  auto fall = s->Shifts(T("2026-10-24T07:00:00Z"), T("2026-10-25T08:00:00Z"));
  ASSERT_EQ(fall.size(), 1u);
  EXPECT_EQ(fall[0].end - fall[0].start, hours(25));
  EXPECT_NE(s->OnCallAt(T("2026-10-25T07:59:00Z")), s->OnCallAt(T("2026-10-25T08:00:00Z")));
}

TEST(Schedule, NewYorkDailyHandoffAcrossItsOwnDaylightSavingDates) {
  // A second zone with other transition dates: America/New_York springs forward on 2026-03-08 and
  // falls back on 2026-11-01 (Europe moves on 03-29 and 10-25).
  auto s = Schedule::Create("ny", "America/New_York",
                            {Layer({"a", "b"}, 1440, "09:00", Day(2026, 3, 1))}, {});
  ASSERT_TRUE(s.ok());
  auto spring = s->Shifts(T("2026-03-07T14:00:00Z"), T("2026-03-08T13:00:00Z"));
  ASSERT_EQ(spring.size(), 1u);
  EXPECT_EQ(spring[0].start, T("2026-03-07T14:00:00Z"));  // 09:00 EST
  EXPECT_EQ(spring[0].end, T("2026-03-08T13:00:00Z"));    // 09:00 EDT
  EXPECT_EQ(spring[0].end - spring[0].start, hours(23));
  auto fall = s->Shifts(T("2026-10-31T13:00:00Z"), T("2026-11-01T14:00:00Z"));
  ASSERT_EQ(fall.size(), 1u);
  EXPECT_EQ(fall[0].start, T("2026-10-31T13:00:00Z"));  // 09:00 EDT
  EXPECT_EQ(fall[0].end, T("2026-11-01T14:00:00Z"));    // 09:00 EST
  EXPECT_EQ(fall[0].end - fall[0].start, hours(25));
  EXPECT_NE(s->OnCallAt(T("2026-03-08T12:59:59Z")), s->OnCallAt(T("2026-03-08T13:00:00Z")));
}

TEST(Schedule, AnOverrideAcrossAHandoffHidesItAndTheNextHolderFollows) {
  // alice → bob at Monday 2026-11-09 09:00 Berlin (08:00Z); carol covers Sunday 20:00Z to
  // Monday 12:00Z, across the handoff.
  Override o{"carol", T("2026-11-08T20:00:00Z"), T("2026-11-09T12:00:00Z")};
  auto s = Schedule::Create("p", "Europe/Berlin",
                            {Layer({"alice", "bob"}, 7 * 1440, "09:00", Day(2026, 11, 2))}, {o});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->OnCallAt(T("2026-11-08T19:59:59Z")), "alice");
  EXPECT_EQ(s->OnCallAt(T("2026-11-09T07:59:59Z")), "carol");
  EXPECT_EQ(s->OnCallAt(T("2026-11-09T08:00:00Z")), "carol");  // the handoff is under the override
  EXPECT_EQ(s->OnCallAt(T("2026-11-09T12:00:00Z")), "bob");
  auto shifts = s->Shifts(T("2026-11-08T12:00:00Z"), T("2026-11-09T18:00:00Z"));
  ASSERT_EQ(shifts.size(), 3u);
  EXPECT_EQ(shifts[0].user, "alice");
  EXPECT_EQ(shifts[0].end, T("2026-11-08T20:00:00Z"));
  EXPECT_EQ(shifts[1].user, "carol");
  EXPECT_TRUE(shifts[1].is_override);
  EXPECT_EQ(shifts[1].end, T("2026-11-09T12:00:00Z"));
  EXPECT_EQ(shifts[2].user, "bob");
  EXPECT_FALSE(shifts[2].is_override);
}

TEST(Schedule, HandoffInsideTheSkippedHourMovesToTheEndOfTheGap) {
  auto s = Schedule::Create("d", "Europe/Berlin",
                            {Layer({"a", "b"}, 1440, "02:30", Day(2026, 3, 1))}, {});
  ASSERT_TRUE(s.ok());
  // 02:30 does not exist on 2026-03-29; the handoff happens at 03:00 CEST = 01:00Z.
  std::string before = *s->OnCallAt(T("2026-03-29T00:59:59Z"));
  std::string after = *s->OnCallAt(T("2026-03-29T01:00:00Z"));
  EXPECT_NE(before, after);
}

TEST(Schedule, HigherLayerAndOverridesWin) {
  RotationLayer weekend = Layer({"carol"}, 7 * 1440, "00:00", Day(2026, 11, 2));
  Restriction r;
  r.weekdays = *ParseWeekdays("sat,sun");
  weekend.restrictions.push_back(r);
  Override o{"dave", T("2026-11-04T12:00:00Z"), T("2026-11-04T18:00:00Z")};
  auto s = Schedule::Create("p", "Europe/Berlin",
                            {Layer({"alice", "bob"}, 7 * 1440, "09:00", Day(2026, 11, 2)), weekend},
                            {o});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->OnCallAt(T("2026-11-06T12:00:00Z")), "alice");  // Friday
  EXPECT_EQ(s->OnCallAt(T("2026-11-07T12:00:00Z")), "carol");  // Saturday
  EXPECT_EQ(s->OnCallAt(T("2026-11-04T13:00:00Z")), "dave");   // override
  auto shifts = s->Shifts(T("2026-11-04T00:00:00Z"), T("2026-11-05T00:00:00Z"));
  ASSERT_EQ(shifts.size(), 3u);
  EXPECT_EQ(shifts[1].user, "dave");
  EXPECT_TRUE(shifts[1].is_override);
  EXPECT_EQ(shifts[0].user, "alice");
  EXPECT_EQ(shifts[2].user, "alice");
}

TEST(Schedule, ShiftsShowCoverageGaps) {
  RotationLayer office = Layer({"alice"}, 7 * 1440, "00:00", Day(2026, 11, 2));
  office.restrictions.push_back(Restriction{*ParseWeekdays("mon-fri"), 9 * 60, 17 * 60});
  auto s = Schedule::Create("o", "UTC", {office}, {});
  ASSERT_TRUE(s.ok());
  auto shifts = s->Shifts(T("2026-11-02T00:00:00Z"), T("2026-11-03T00:00:00Z"));
  ASSERT_EQ(shifts.size(), 3u);
  EXPECT_EQ(shifts[0].user, "");
  EXPECT_EQ(shifts[1].user, "alice");
  EXPECT_EQ(shifts[1].start, T("2026-11-02T09:00:00Z"));
  EXPECT_EQ(shifts[1].end, T("2026-11-02T17:00:00Z"));
  EXPECT_EQ(shifts[2].user, "");
}

TEST(Schedule, RejectsBadInput) {
  EXPECT_FALSE(Schedule::Create("x", "Mars/Olympus", {}, {}).ok());
  EXPECT_FALSE(Schedule::Create("x", "UTC", {Layer({}, 1440, "09:00", 0)}, {}).ok());
  EXPECT_FALSE(Schedule::Create("x", "UTC", {Layer({"a"}, 90, "09:00", 0)}, {}).ok());
  EXPECT_FALSE(ParseTimeOfDay("9am").ok());
  EXPECT_FALSE(ParseTimeOfDay("24:00").ok());
  EXPECT_FALSE(ParseWeekdays("funday").ok());
  EXPECT_EQ(*ParseWeekdays("fri-mon"), (1u << 4) | (1u << 5) | (1u << 6) | 1u);
}

TEST(BusinessCalendar, CountsOnlyOpenHours) {
  auto cal = BusinessCalendar::Create("Europe/Berlin", "mon-fri", "09:00", "17:00", {"2026-12-25"});
  ASSERT_TRUE(cal.ok());
  // Friday 2026-11-06 16:30 CET + 1 business hour = Monday 09:30 CET.
  EXPECT_EQ(cal->AddBusinessTime(T("2026-11-06T15:30:00Z"), hours(1)), T("2026-11-09T08:30:00Z"));
  // Saturday → starts counting Monday 09:00.
  EXPECT_EQ(cal->AddBusinessTime(T("2026-11-07T10:00:00Z"), minutes(30)),
            T("2026-11-09T08:30:00Z"));
  // Thursday 2026-12-24 16:00 + 2h: Christmas Friday is a holiday → Monday 10:00.
  EXPECT_EQ(cal->AddBusinessTime(T("2026-12-24T15:00:00Z"), hours(2)), T("2026-12-28T09:00:00Z"));
  EXPECT_TRUE(cal->IsOpen(T("2026-11-09T08:00:00Z")));
  EXPECT_FALSE(cal->IsOpen(T("2026-11-09T16:00:00Z")));
  EXPECT_FALSE(cal->IsOpen(T("2026-12-25T10:00:00Z")));
  EXPECT_EQ(cal->DayLength(), hours(8));
  // One business day from Monday 10:00 is Tuesday 10:00.
  EXPECT_EQ(cal->AddBusinessTime(T("2026-11-09T09:00:00Z"), cal->DayLength()),
            T("2026-11-10T09:00:00Z"));
}

TEST(LocalTimeIn, WallClockInANamedZoneWithTheHandoffRules) {
  const int64_t march29 = ParseCivilDate("2026-03-29").value();  // CET → CEST at 02:00
  EXPECT_EQ(LocalTimeIn("Europe/Berlin", march29, 60), T("2026-03-29T00:00:00Z"));   // 01:00 CET
  EXPECT_EQ(LocalTimeIn("Europe/Berlin", march29, 150), T("2026-03-29T01:00:00Z"));  // skipped
  EXPECT_EQ(LocalTimeIn("Europe/Berlin", march29, 240), T("2026-03-29T02:00:00Z"));  // CEST
  const int64_t october25 = ParseCivilDate("2026-10-25").value();  // 02:00-03:00 twice
  EXPECT_EQ(LocalTimeIn("Europe/Berlin", october25, 150), T("2026-10-25T00:30:00Z"));  // earlier
  EXPECT_EQ(LocalDayIn("Europe/Berlin", T("2026-03-28T23:30:00Z")), march29);  // 00:30 local
  EXPECT_EQ(LocalDayIn("UTC", T("2026-03-28T23:30:00Z")), march29 - 1);
}

}  // namespace
}  // namespace loom
