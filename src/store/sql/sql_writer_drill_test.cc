// Store::StartDrill and Store::FinishDrill on both back ends: each plan commits in one
// transaction, so a failure at any step (the plan's own hooks included) leaves nothing of the
// earlier steps behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/drill_plan.h"
#include "engine/engine_test_support.h"

namespace loom {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class SqlWriterDrillTest : public testing::StoreFixture,
                           public ::testing::WithParamInterface<sql::TestBackend> {
 protected:
  sql::TestBackend backend() const override { return GetParam(); }

  void SetUp() override {
    OpenStore();
    CreateLoomService();
  }

  // A Sev1 drill with a commander and a participants note, the next drill due a day after it.
  static DrillStartPlan StartPlan() {
    DrillStart start;
    start.service = "loom";
    start.commander = "alice";
    start.participants = {"Platform"};
    start.actor = "user:bob";
    DrillStartPlan plan = PlanDrillStart(start, "drill-1");
    plan.next_due = [](const Incident& opened) -> Result<Deadline> {
      Deadline d;
      d.kind = DeadlineKind::kDrillDue;
      d.due_at = opened.created_at + hours(24);
      return d;
    };
    return plan;
  }

  Result<Incident> Start(DrillStartPlan plan) {
    return AwaitWrite<Incident>([&](auto done) { store_->StartDrill(std::move(plan), done); });
  }

  Result<DrillFinished> Finish(DrillFinishPlan plan) {
    return AwaitWrite<DrillFinished>(
        [&](auto done) { store_->FinishDrill(std::move(plan), done); });
  }

  // Finishes drill `number` as carol; the notes are "written" to notes/<id>.md.
  DrillFinishPlan FinishPlan(int64_t number) {
    DrillFinishPlan plan;
    plan.number = number;
    plan.actor = "user:carol";
    plan.write_notes = [this](const Incident& resolved,
                              const std::vector<TimelineEvent>& timeline) -> Result<std::string> {
      notes_seen_.push_back(std::string(IncidentStateName(resolved.state)) + " " +
                            timeline.back().type);
      return "notes/" + resolved.id() + ".md";
    };
    Followup f;
    f.title = "Add an ETA";
    f.owner = "alice";
    f.due_at = clock_.Now() + hours(72);
    f.source_kind = "drill";
    f.source_ref = IncidentId(number);
    plan.followups.push_back(f);
    return plan;
  }

  std::vector<Followup> Followups() {
    Result<std::vector<Followup>> all = store_->ListFollowups(FollowupFilter{});
    EXPECT_TRUE(all.ok());
    return *all;
  }

  std::vector<std::string> notes_seen_;  // "<state> <last event type>" at each notes write
};

TEST_P(SqlWriterDrillTest, StartCommitsEveryStepOrNone) {
  Deadline earlier;
  earlier.kind = DeadlineKind::kDrillDue;
  earlier.due_at = clock_.Now() + hours(1);
  ASSERT_TRUE(
      AwaitWrite<Deadline>([&](auto done) { store_->ScheduleDrillDue(earlier, done); }).ok());

  // The last step fails: the incident, its page deadline, commander and note are gone with it.
  DrillStartPlan failing = StartPlan();
  failing.next_due = [](const Incident&) -> Result<Deadline> {
    return Error::Internal("no schedule");
  };
  Result<Incident> failed = Start(std::move(failing));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "no schedule");
  EXPECT_THAT(store_->ListIncidents(IncidentFilter{})->incidents, IsEmpty());
  EXPECT_THAT(PendingOfKind(DeadlineKind::kEscalate), IsEmpty());
  ASSERT_EQ(PendingOfKind(DeadlineKind::kDrillDue).size(), 1u);
  EXPECT_EQ(PendingOfKind(DeadlineKind::kDrillDue)[0].due_at, earlier.due_at);

  Result<Incident> drill = Start(StartPlan());
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  EXPECT_EQ(drill->number, 1);
  EXPECT_TRUE(drill->drill);
  EXPECT_EQ(drill->commander, "alice");
  EXPECT_THAT(EventTypes(drill->number, "incident."),
              ElementsAre(HasSubstr("incident.triggered"), HasSubstr("incident.commander_assigned"),
                          "incident.note {\"note\":\"Drill participants: Platform\"}"));
  EXPECT_EQ(PendingOfKind(DeadlineKind::kEscalate).size(), 1u);
  ASSERT_EQ(PendingOfKind(DeadlineKind::kDrillDue).size(), 1u);  // the earlier one replaced
  EXPECT_EQ(PendingOfKind(DeadlineKind::kDrillDue)[0].due_at, drill->created_at + hours(24));
}

TEST_P(SqlWriterDrillTest, FinishCommitsEveryStepOrNone) {
  Result<Incident> drill = Start(StartPlan());
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  const std::vector<std::string> before = EventTypes(drill->number, "");

  // The notes cannot be written: the resolve before it is rolled back.
  DrillFinishPlan no_notes = FinishPlan(drill->number);
  no_notes.write_notes = [](const Incident&,
                            const std::vector<TimelineEvent>&) -> Result<std::string> {
    return Error::Internal("cannot write the drill notes to notes/INC-1.md");
  };
  Result<DrillFinished> failed = Finish(std::move(no_notes));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kInternal);
  EXPECT_EQ(EventTypes(drill->number, ""), before);

  // The last follow-up is refused: the close and the first follow-up are rolled back too.
  DrillFinishPlan bad_followup = FinishPlan(drill->number);
  bad_followup.followups.push_back(Followup{});  // no title, no owner
  failed = Finish(std::move(bad_followup));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(EventTypes(drill->number, ""), before);
  EXPECT_THAT(Followups(), IsEmpty());
  EXPECT_EQ(PendingOfKind(DeadlineKind::kEscalate).size(), 1u);

  Result<DrillFinished> done = Finish(FinishPlan(drill->number));
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->drill.state, IncidentState::kClosed);
  EXPECT_EQ(done->notes_path, "notes/INC-1.md");
  ASSERT_EQ(done->followups.size(), 1u);
  // (Its number may not be 1: a PostgreSQL sequence does not roll back.)
  ASSERT_EQ(Followups().size(), 1u);
  EXPECT_EQ(Followups()[0].number, done->followups[0].number);
  EXPECT_EQ(Followups()[0].title, "Add an ETA");
  EXPECT_THAT(PendingOfKind(DeadlineKind::kEscalate), IsEmpty());
  // The notes saw the drill resolved, the close not yet written.
  EXPECT_THAT(notes_seen_, ElementsAre("resolved incident.resolved", "resolved incident.resolved"));
  EXPECT_THAT(EventTypes(drill->number, "incident.closed"),
              ElementsAre(HasSubstr("\"note\":\"drill notes: notes/INC-1.md\"")));

  Result<DrillFinished> again = Finish(FinishPlan(drill->number));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_P(SqlWriterDrillTest, FinishRefusesAnIncidentThatIsNoDrill) {
  const int64_t real = Trigger("real-1", Severity::kSev2);
  Result<DrillFinished> failed = Finish(FinishPlan(real));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(failed.error().message, "no drill " + IncidentId(real));
  EXPECT_THAT(notes_seen_, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlWriterDrillTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
