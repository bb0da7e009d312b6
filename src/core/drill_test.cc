#include "core/drill.h"

#include <gtest/gtest.h>

#include <chrono>

#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::days;
using std::chrono::hours;

TimePoint Day(int y, unsigned m, unsigned d) {
  return TimePoint(
      std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}});
}

TEST(DrillInterval, ParsesCountAndUnit) {
  Result<DrillInterval> month = ParseDrillInterval("1 month");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(DrillIntervalText(*month), "1 month");
  Result<DrillInterval> weeks = ParseDrillInterval("2 weeks");
  ASSERT_TRUE(weeks.ok());
  EXPECT_EQ(weeks->unit, DrillInterval::Unit::kWeek);
  EXPECT_EQ(DrillIntervalText(*weeks), "2 weeks");
  EXPECT_EQ(DrillIntervalText(*ParseDrillInterval("30days")), "30 days");
  for (const char* bad : {"", "month", "0 months", "1 fortnight", "-1 day", "400 days"}) {
    EXPECT_FALSE(ParseDrillInterval(bad).ok()) << bad;
  }
}

TEST(DrillInterval, MonthsAreCalendarMonthsClampedToTheMonthEnd) {
  const DrillInterval month{1, DrillInterval::Unit::kMonth};
  EXPECT_EQ(AddDrillInterval(Day(2026, 1, 31) + hours(9), month), Day(2026, 2, 28) + hours(9));
  EXPECT_EQ(AddDrillInterval(Day(2026, 11, 2), month), Day(2026, 12, 2));
  EXPECT_EQ(AddDrillInterval(Day(2026, 12, 15), month), Day(2027, 1, 15));
  EXPECT_EQ(AddDrillInterval(Day(2026, 12, 15), {2, DrillInterval::Unit::kWeek}),
            Day(2026, 12, 29));
}

TEST(DrillSchedule, FirstDrillIsDueOneIntervalAfterTheScheduleStarted) {
  testing::FakeClock clock;  // 2026-11-02 09:00 UTC
  const TimePoint anchor = clock.Now();
  NextDrill next = PlanNextDrill({}, DrillSettings{}, anchor, clock.Now());
  EXPECT_EQ(next.due_at, anchor + days(30));
  EXPECT_EQ(next.scenario, IncidentKind::kAvailability);  // the rotation's first
  EXPECT_FALSE(next.overdue);
  clock.Advance(days(30));
  EXPECT_TRUE(PlanNextDrill({}, DrillSettings{}, anchor, clock.Now()).overdue);
}

TEST(DrillSchedule, NextDrillFollowsTheLatestAndAlternatesTheScenario) {
  testing::FakeClock clock;
  const TimePoint anchor = clock.Now() - days(90);
  std::vector<DrillRecord> drills = {
      {1, IncidentKind::kAvailability, Day(2026, 9, 10)},
      {4, IncidentKind::kSecurity, Day(2026, 10, 20)},
  };
  NextDrill next = PlanNextDrill(drills, DrillSettings{}, anchor, clock.Now());
  EXPECT_EQ(next.due_at, Day(2026, 11, 20));
  EXPECT_EQ(next.scenario, IncidentKind::kAvailability);
  drills.push_back({6, IncidentKind::kAvailability, Day(2026, 11, 1)});
  next = PlanNextDrill(drills, DrillSettings{}, anchor, clock.Now());
  EXPECT_EQ(next.due_at, Day(2026, 12, 1));
  EXPECT_EQ(next.scenario, IncidentKind::kSecurity);

  DrillSettings security_only;
  security_only.alternate = {IncidentKind::kSecurity};
  EXPECT_EQ(PlanNextDrill(drills, security_only, anchor, clock.Now()).scenario,
            IncidentKind::kSecurity);
}

TEST(DrillSchedule, AlternationLooksAtConsecutiveDrills) {
  EXPECT_TRUE(DrillsAlternate({}));
  EXPECT_TRUE(DrillsAlternate({{1, IncidentKind::kSecurity, Day(2026, 10, 1)}}));
  EXPECT_TRUE(DrillsAlternate({{2, IncidentKind::kSecurity, Day(2026, 11, 1)},
                               {1, IncidentKind::kAvailability, Day(2026, 10, 1)}}));
  EXPECT_FALSE(DrillsAlternate({{2, IncidentKind::kSecurity, Day(2026, 11, 1)},
                                {1, IncidentKind::kSecurity, Day(2026, 10, 1)}}));
}

TEST(DrillSchedule, DrillsDoNotCountInResponseStatistics) {
  Incident real;
  EXPECT_TRUE(CountsInResponseStats(real));
  Incident drill;
  drill.drill = true;
  EXPECT_FALSE(CountsInResponseStats(drill));
}

}  // namespace
}  // namespace loom
