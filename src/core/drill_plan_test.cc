#include "core/drill_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TimelineEvent Note(const std::string& note) {
  TimelineEvent e;
  e.type = "incident.note";
  e.data_json = R"({"note":")" + note + R"("})";
  return e;
}

TEST(DrillPlanTest, StartOpensOneDrillAlertUnderTheDefaultTitle) {
  DrillStart start;
  start.scenario = IncidentKind::kSecurity;
  start.service = "loom";
  start.severity = Severity::kSev2;
  start.actor = "user:alice";
  const DrillStartPlan plan = PlanDrillStart(start, "drill-0a1b");

  const IngestRequest& r = plan.ingest;
  EXPECT_TRUE(r.drill);
  EXPECT_EQ(r.format, "drill");
  EXPECT_EQ(r.actor, "user:alice");
  EXPECT_EQ(r.service_id, "loom");
  EXPECT_EQ(r.dedup_key, "drill-0a1b");
  EXPECT_EQ(r.title, "sev2 security tabletop drill");
  ASSERT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(r.alerts[0].summary, "sev2 security tabletop drill");
  EXPECT_EQ(r.alerts[0].source, "loom-oncall drill");
  EXPECT_EQ(r.alerts[0].raw_severity, "sev2");
  EXPECT_EQ(r.alerts[0].severity, Severity::kSev2);
  EXPECT_EQ(r.alerts[0].kind, IncidentKind::kSecurity);
  // Nobody named: no commander, no note; the schedule's hook is the caller's.
  EXPECT_EQ(plan.commander, "");
  EXPECT_EQ(plan.participants_note, "");
  EXPECT_EQ(plan.actor, "user:alice");
  EXPECT_FALSE(plan.next_due);
}

TEST(DrillPlanTest, StartKeepsTheTitleCommanderAndParticipantsGiven) {
  DrillStart start;
  start.title = "Failover rehearsal";
  start.commander = "bob";
  start.participants = {"Platform", "Security"};
  const DrillStartPlan plan = PlanDrillStart(start, "k");
  EXPECT_EQ(plan.ingest.title, "Failover rehearsal");
  EXPECT_EQ(plan.ingest.alerts[0].summary, "Failover rehearsal");
  EXPECT_EQ(plan.commander, "bob");
  EXPECT_EQ(plan.participants_note, "Drill participants: Platform, Security");
}

TEST(DrillPlanTest, ParticipantsAreTheStartsNoteThenTheFinishsWithoutRepeats) {
  const std::vector<TimelineEvent> timeline = {Note("Drill participants: Platform, Security"),
                                               Note("an ordinary note, Platform"),
                                               Note("Drill participants: SRE")};
  EXPECT_THAT(DrillParticipants(timeline, {"Security", "alice"}),
              ElementsAre("Platform", "Security", "SRE", "alice"));
  EXPECT_THAT(DrillParticipants({}, {}), IsEmpty());
  EXPECT_THAT(DrillParticipants({Note("Drill participants: ")}, {"bob"}), ElementsAre("bob"));
}

}  // namespace
}  // namespace loom
