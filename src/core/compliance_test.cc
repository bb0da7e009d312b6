#include "core/compliance.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/builtin_runbook.h"
#include "testing/fake_clock.h"
#include "testing/weekly_schedule.h"

namespace loom {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

SeverityPolicy Policy() {
  Result<SeverityPolicy> policy = BuildSeverityPolicy(BuiltInRunbook(), kBuiltInRunbookName, {});
  EXPECT_TRUE(policy.ok());
  return *policy;
}

class ComplianceTest : public ::testing::Test {
 protected:
  // Sev1 incident opened `ago` before now, acknowledged after `ack`.
  IncidentHistory Sev1(Duration ago, std::optional<Duration> ack, bool drill = false) {
    IncidentHistory h;
    h.incident.number = ++next_;
    h.incident.severity = Severity::kSev1;
    h.incident.created_at = clock_.Now() - ago;
    if (ack) h.incident.acknowledged_at = h.incident.created_at + *ack;
    h.incident.drill = drill;
    return h;
  }

  ComplianceReport Compute(const std::vector<IncidentHistory>& incidents,
                           const std::vector<DrillRecord>& drills = {}) {
    return ComputeCompliance(incidents, drills, policy_, oncall_, {"loom"}, clock_.Now());
  }

  testing::FakeClock clock_;
  SeverityPolicy policy_ = Policy();
  OnCallResolver oncall_{
      {testing::WeeklySchedule("prim", "alice"), testing::WeeklySchedule("second", "bob"),
       testing::WeeklySchedule("mgr", "erin"), testing::WeeklySchedule("sec", "sam")},
      {{"loom",
        {{OnCallRole::kPrimary, "prim"},
         {OnCallRole::kSecondary, "second"},
         {OnCallRole::kEscalationManager, "mgr"},
         {OnCallRole::kSecurityLead, "sec"}}}}};
  int64_t next_ = 0;
};

TEST_F(ComplianceTest, AckTimesPerSeverityAgainstTheTarget) {
  std::vector<IncidentHistory> in = {
      Sev1(days(1), minutes(1)),   Sev1(days(2), minutes(2)),  Sev1(days(3), minutes(3)),
      Sev1(days(4), minutes(4)),   Sev1(days(5), minutes(10)), Sev1(days(6), std::nullopt),
      Sev1(days(40), minutes(30)),  // outside the 30-day window
  };
  ComplianceReport r = Compute(in);
  EXPECT_EQ(r.incidents_counted, 6);
  const AckFigures& sev1 = r.ack[0];
  EXPECT_EQ(sev1.count, 5);
  EXPECT_EQ(sev1.unacknowledged, 1);
  EXPECT_EQ(*sev1.median_seconds, 180.0);
  EXPECT_EQ(*sev1.p90_seconds, 600.0);  // nearest rank: the 5th of 5
  EXPECT_EQ(*sev1.target_seconds, 300);
  EXPECT_DOUBLE_EQ(*sev1.share_within_target, 0.8);
  EXPECT_EQ(r.ack[1].count, 0);
  EXPECT_FALSE(r.ack[1].median_seconds.has_value());
}

TEST_F(ComplianceTest, DrillsDoNotChangeTheResponseFigures) {
  std::vector<IncidentHistory> in = {Sev1(days(1), minutes(1)), Sev1(days(2), minutes(3))};
  const ComplianceReport before = Compute(in);
  in.push_back(Sev1(hours(1), minutes(45), /*drill=*/true));  // a slow drill ack
  in.push_back(Sev1(hours(2), std::nullopt, /*drill=*/true));
  const ComplianceReport after = Compute(in);
  EXPECT_EQ(after.incidents_counted, before.incidents_counted);
  EXPECT_EQ(after.drills_excluded, 2);
  EXPECT_EQ(after.ack[0].count, before.ack[0].count);
  EXPECT_EQ(after.ack[0].unacknowledged, 0);
  EXPECT_EQ(after.ack[0].median_seconds, before.ack[0].median_seconds);
  EXPECT_EQ(after.ack[0].share_within_target, before.ack[0].share_within_target);
}

TEST_F(ComplianceTest, CadenceIntervalsRunFromAckThroughUpdatesToTheEnd) {
  IncidentHistory h = Sev1(hours(5), minutes(2));
  const TimePoint ack = *h.incident.acknowledged_at;
  TimelineEvent update;
  update.type = "incident.status_update";
  update.at = ack + minutes(10);  // within 15 minutes
  h.timeline.push_back(update);
  update.at = ack + minutes(40);  // 30 minutes later: missed
  h.timeline.push_back(update);
  h.incident.resolved_at = ack + minutes(50);  // 10 minutes later: kept
  ComplianceReport r = Compute({h});
  ASSERT_FALSE(r.cadence.empty());
  const CadenceFigures& sev1 = r.cadence[0];
  EXPECT_EQ(sev1.severity, Severity::kSev1);
  EXPECT_EQ(sev1.cadence_seconds, 900);
  EXPECT_EQ(sev1.intervals, 3);
  EXPECT_EQ(sev1.within_cadence, 2);

  // Still open: the running interval counts once it is overdue.
  IncidentHistory open = Sev1(minutes(30), minutes(1));
  r = Compute({open});
  EXPECT_EQ(r.cadence[0].intervals, 1);
  EXPECT_EQ(r.cadence[0].within_cadence, 0);
  IncidentHistory fresh = Sev1(minutes(5), minutes(1));
  r = Compute({fresh});
  EXPECT_EQ(r.cadence[0].intervals, 0);
}

TEST_F(ComplianceTest, DrillsInTheLastThirtyAndSixtyDays) {
  const TimePoint now = clock_.Now();
  ComplianceReport r = Compute({}, {{1, IncidentKind::kAvailability, now - days(50)},
                                    {2, IncidentKind::kSecurity, now - days(10)},
                                    {3, IncidentKind::kSecurity, now - days(90)}});
  EXPECT_EQ(r.drills.last_30_days, 1);
  EXPECT_EQ(r.drills.last_60_days, 2);
  EXPECT_TRUE(r.drills.alternating);  // the one 90 days ago is out of the window
  r = Compute({}, {{1, IncidentKind::kSecurity, now - days(50)},
                   {2, IncidentKind::kSecurity, now - days(10)}});
  EXPECT_FALSE(r.drills.alternating);
}

TEST_F(ComplianceTest, CoverageGapsAreRolesWithNobodyOnCall) {
  ComplianceReport r = Compute({});
  EXPECT_TRUE(r.coverage_gaps.empty());
  EXPECT_EQ(r.coverage_until, clock_.Now() + days(14));

  OnCallResolver partial({testing::WeeklySchedule("prim", "alice")},
                         {{"loom", {{OnCallRole::kPrimary, "prim"}}}});
  r = ComputeCompliance({}, {}, policy_, partial, {"loom"}, clock_.Now());
  ASSERT_EQ(r.coverage_gaps.size(), 3u);  // secondary, escalation manager, security lead
  EXPECT_EQ(r.coverage_gaps[0].role, OnCallRole::kSecondary);
  EXPECT_FALSE(r.coverage_gaps[0].scheduled);
  EXPECT_EQ(r.coverage_gaps[0].from, clock_.Now());
  EXPECT_EQ(r.coverage_gaps[0].to, clock_.Now() + days(14));
}

}  // namespace
}  // namespace loom
