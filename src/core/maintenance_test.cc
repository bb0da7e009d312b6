#include "core/maintenance.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TimePoint At(const char* text) { return ParseRfc3339(text).value(); }

MaintenanceWindow OneOff(int64_t id, std::vector<std::string> services, const char* start,
                         const char* end) {
  MaintenanceWindow w;
  w.id = id;
  w.services = std::move(services);
  w.reason = "database upgrade";
  w.start = At(start);
  w.end = At(end);
  return w;
}

MaintenanceWindow Weekly(int64_t id, const char* days, const char* from, const char* to,
                         const char* zone) {
  MaintenanceWindow w;
  w.id = id;
  w.services = {"loom"};
  w.reason = "weekly patching";
  w.weekly = ParseWeeklyMaintenance(days, from, to, zone).value();
  return w;
}

TEST(Maintenance, AOneOffWindowHoldsItsServicesOnlyForItsSpan) {
  const std::vector<MaintenanceWindow> windows = {
      OneOff(1, {"loom", "api"}, "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z")};
  EXPECT_FALSE(MaintenanceHoldAt(windows, "loom", At("2026-12-07T09:59:59Z")));
  std::optional<MaintenanceHold> hold =
      MaintenanceHoldAt(windows, "loom", At("2026-12-07T10:00:00Z"));
  ASSERT_TRUE(hold);
  EXPECT_EQ(hold->windows, std::vector<int64_t>{1});
  EXPECT_EQ(hold->until, At("2026-12-07T11:00:00Z"));
  EXPECT_EQ(hold->reason, "database upgrade");
  EXPECT_TRUE(MaintenanceHoldAt(windows, "api", At("2026-12-07T10:30:00Z")));
  EXPECT_FALSE(MaintenanceHoldAt(windows, "billing", At("2026-12-07T10:30:00Z")));
  EXPECT_FALSE(MaintenanceHoldAt(windows, "loom", At("2026-12-07T11:00:00Z")));  // [start, end)
}

TEST(Maintenance, StatesFollowTheFakeClock) {
  testing::FakeClock clock(At("2026-12-07T09:00:00Z"));
  MaintenanceWindow w = OneOff(1, {"loom"}, "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z");
  EXPECT_EQ(MaintenanceStateAt(w, clock.Now()), MaintenanceState::kScheduled);
  clock.Advance(hours(1));
  EXPECT_EQ(MaintenanceStateAt(w, clock.Now()), MaintenanceState::kActive);
  clock.Advance(hours(1));
  EXPECT_EQ(MaintenanceStateAt(w, clock.Now()), MaintenanceState::kPast);
  w.cancelled_at = clock.Now();
  EXPECT_EQ(MaintenanceStateAt(w, clock.Now()), MaintenanceState::kCancelled);
  EXPECT_FALSE(MaintenanceOccurrenceAt(w, At("2026-12-07T10:30:00Z")));  // cancelled: none
}

TEST(Maintenance, AnEarlyEndCutsTheWindowThere) {
  MaintenanceWindow w = OneOff(1, {"loom"}, "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z");
  w.ended_at = At("2026-12-07T10:20:00Z");
  EXPECT_EQ(MaintenanceHoldAt({w}, "loom", At("2026-12-07T10:10:00Z"))->until,
            At("2026-12-07T10:20:00Z"));
  EXPECT_FALSE(MaintenanceHoldAt({w}, "loom", At("2026-12-07T10:20:00Z")));
  EXPECT_EQ(MaintenanceStateAt(w, At("2026-12-07T10:30:00Z")), MaintenanceState::kPast);
}

TEST(Maintenance, BackToBackWindowsHoldUntilTheLastEnds) {
  const std::vector<MaintenanceWindow> windows = {
      OneOff(1, {"loom"}, "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z"),
      OneOff(2, {"loom"}, "2026-12-07T11:00:00Z", "2026-12-07T12:00:00Z"),
      OneOff(3, {"loom"}, "2026-12-07T11:30:00Z", "2026-12-07T13:00:00Z"),
      OneOff(4, {"loom"}, "2026-12-07T13:01:00Z", "2026-12-07T14:00:00Z")};  // a gap before it
  std::optional<MaintenanceHold> hold =
      MaintenanceHoldAt(windows, "loom", At("2026-12-07T10:30:00Z"));
  ASSERT_TRUE(hold);
  EXPECT_EQ(hold->windows, std::vector<int64_t>{1});
  EXPECT_EQ(hold->until, At("2026-12-07T13:00:00Z"));
  EXPECT_EQ(MaintenanceHoldAt(windows, "loom", At("2026-12-07T11:45:00Z"))->windows,
            (std::vector<int64_t>{2, 3}));
}

TEST(Maintenance, NextBoundaryIsTheNextStartOrEndOfItsService) {
  const std::vector<MaintenanceWindow> windows = {
      OneOff(1, {"loom"}, "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z"),
      OneOff(2, {"api"}, "2026-12-07T09:30:00Z", "2026-12-07T09:45:00Z")};
  EXPECT_EQ(NextMaintenanceBoundary(windows, "loom", At("2026-12-07T09:00:00Z")),
            At("2026-12-07T10:00:00Z"));
  EXPECT_EQ(NextMaintenanceBoundary(windows, "loom", At("2026-12-07T10:00:00Z")),
            At("2026-12-07T11:00:00Z"));
  EXPECT_FALSE(NextMaintenanceBoundary(windows, "loom", At("2026-12-07T11:00:00Z")));
}

// Europe/Berlin leaves CET for CEST on Sunday 2026-03-29 at 02:00 (clocks jump to 03:00) and
// returns on Sunday 2026-10-25 at 03:00 (clocks fall back to 02:00).
TEST(Maintenance, AWeeklyWindowKeepsItsWallClockTimesAcrossTheSpringChange) {
  const MaintenanceWindow w = Weekly(1, "mon", "09:00", "10:00", "Europe/Berlin");
  // Monday before the change: 09:00 CET = 08:00 UTC.
  EXPECT_EQ(NextMaintenanceOccurrence(w, At("2026-03-22T12:00:00Z"))->start,
            At("2026-03-23T08:00:00Z"));
  // Monday after it: 09:00 CEST = 07:00 UTC.
  const std::optional<TimeSpan> after = NextMaintenanceOccurrence(w, At("2026-03-29T12:00:00Z"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->start, At("2026-03-30T07:00:00Z"));
  EXPECT_EQ(after->end, At("2026-03-30T08:00:00Z"));
  EXPECT_FALSE(MaintenanceHoldAt({w}, "loom", At("2026-03-30T06:59:59Z")));
  EXPECT_EQ(MaintenanceHoldAt({w}, "loom", At("2026-03-30T07:00:00Z"))->until,
            At("2026-03-30T08:00:00Z"));
}

TEST(Maintenance, AWeeklyWindowOverTheChangeNightLastsTheWallClockSpan) {
  // sun 01:00-04:00: 3 wall-clock hours; 2 hours long in March, 4 hours long in October.
  const MaintenanceWindow w = Weekly(1, "sun", "01:00", "04:00", "Europe/Berlin");
  const std::optional<TimeSpan> march = MaintenanceOccurrenceAt(w, At("2026-03-29T00:30:00Z"));
  ASSERT_TRUE(march);
  EXPECT_EQ(march->start, At("2026-03-29T00:00:00Z"));  // 01:00 CET
  EXPECT_EQ(march->end, At("2026-03-29T02:00:00Z"));    // 04:00 CEST
  const std::optional<TimeSpan> october = MaintenanceOccurrenceAt(w, At("2026-10-25T01:30:00Z"));
  ASSERT_TRUE(october);
  EXPECT_EQ(october->start, At("2026-10-24T23:00:00Z"));  // 01:00 CEST
  EXPECT_EQ(october->end, At("2026-10-25T03:00:00Z"));    // 04:00 CET
  EXPECT_FALSE(MaintenanceHoldAt({w}, "loom", At("2026-10-25T03:00:00Z")));
}

TEST(Maintenance, AWeeklyTimeInsideTheSkippedHourStartsAfterTheGap) {
  const MaintenanceWindow w = Weekly(1, "sun", "02:30", "05:00", "Europe/Berlin");
  const std::optional<TimeSpan> span = NextMaintenanceOccurrence(w, At("2026-03-28T12:00:00Z"));
  ASSERT_TRUE(span);
  EXPECT_EQ(span->start, At("2026-03-29T01:00:00Z"));  // 03:00 CEST, the first instant after
  EXPECT_EQ(span->end, At("2026-03-29T03:00:00Z"));    // 05:00 CEST
}

TEST(Maintenance, AWeeklyWindowPastMidnightAndItsEarlyEnd) {
  MaintenanceWindow w = Weekly(1, "fri", "22:00", "02:00", "UTC");
  // Friday 2026-12-04 22:00 to Saturday 02:00.
  EXPECT_TRUE(MaintenanceHoldAt({w}, "loom", At("2026-12-05T01:59:00Z")));
  EXPECT_EQ(MaintenanceStateAt(w, At("2026-12-05T01:00:00Z")), MaintenanceState::kActive);
  w.ended_at = At("2026-12-05T00:00:00Z");  // ends that occurrence only
  EXPECT_FALSE(MaintenanceHoldAt({w}, "loom", At("2026-12-05T01:00:00Z")));
  EXPECT_EQ(MaintenanceStateAt(w, At("2026-12-05T01:00:00Z")), MaintenanceState::kScheduled);
  EXPECT_EQ(NextMaintenanceOccurrence(w, At("2026-12-05T01:00:00Z"))->start,
            At("2026-12-11T22:00:00Z"));
  EXPECT_TRUE(MaintenanceHoldAt({w}, "loom", At("2026-12-11T23:00:00Z")));
}

TEST(Maintenance, EscalationIsHeldOnlyForATriggeredIncidentInMaintenance) {
  testing::FakeClock clock(At("2026-12-07T10:30:00Z"));
  Incident inc;
  inc.service_id = "loom";
  EXPECT_EQ(EscalationHeldBy(inc, clock.Now()), nullptr);  // no maintenance
  inc.maintenance = MaintenanceHold{{1}, At("2026-12-07T11:00:00Z"), "upgrade"};
  const MaintenanceHold* held = EscalationHeldBy(inc, clock.Now());
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->until, At("2026-12-07T11:00:00Z"));
  inc.state = IncidentState::kAcknowledged;
  EXPECT_EQ(EscalationHeldBy(inc, clock.Now()), nullptr);
  inc.state = IncidentState::kTriggered;
  clock.Advance(minutes(30));  // the hold's end: the step runs
  EXPECT_EQ(EscalationHeldBy(inc, clock.Now()), nullptr);
}

TEST(Maintenance, AHeartbeatInMaintenanceResumesWhenItEnds) {
  HeartbeatCheck expire;
  expire.action = HeartbeatCheck::Action::kExpire;
  const MaintenanceHold hold{{1}, At("2026-12-07T11:00:00Z"), "upgrade"};
  EXPECT_EQ(HeartbeatResumesAfter(expire, hold), At("2026-12-07T11:00:00Z"));
  EXPECT_FALSE(HeartbeatResumesAfter(expire, std::nullopt));
  HeartbeatCheck rearm;
  rearm.action = HeartbeatCheck::Action::kRearm;
  EXPECT_FALSE(HeartbeatResumesAfter(rearm, hold));
}

TEST(Maintenance, ValidationNamesTheFields) {
  MaintenanceWindow w =
      OneOff(1, {"loom", "loom", "Bad Id"}, "2026-12-07T11:00:00Z", "2026-12-07T10:00:00Z");
  w.reason.clear();
  Status s = ValidateMaintenanceWindow(w);
  ASSERT_FALSE(s.ok());
  std::vector<std::string> pointers;
  for (const FieldError& f : s.error().fields) pointers.push_back(f.pointer);
  EXPECT_EQ(pointers, (std::vector<std::string>{"/services/1", "/services/2", "/reason", "/end"}));
  EXPECT_TRUE(
      ValidateMaintenanceWindow(OneOff(1, {"loom"}, "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z"))
          .ok());

  Result<WeeklyMaintenance> bad = ParseWeeklyMaintenance("someday", "25:00", "10:00", "Mars/Base");
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().fields.size(), 3u);
  EXPECT_EQ(bad.error().fields[0].pointer, "/weekly/days");
  EXPECT_EQ(bad.error().fields[1].pointer, "/weekly/from");
  EXPECT_EQ(bad.error().fields[2].pointer, "/weekly/time_zone");
  Result<WeeklyMaintenance> good = ParseWeeklyMaintenance("sat,sun", "22:00", "02:30", "UTC");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(WeekdaysText(good->weekdays), "sat,sun");
  EXPECT_EQ(TimeOfDayText(good->to_minute), "02:30");
}

}  // namespace
}  // namespace loom
