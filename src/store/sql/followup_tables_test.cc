// Final summaries, follow-ups and reviews in the store (both back ends): close refused until the
// summary is complete (inside the close's transaction), summary follow-ups with their reminder
// deadlines, deadlines replaced or cancelled with the follow-up, reviews kept as written.
#include "store/sql/followup_tables.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "engine/engine_test_support.h"

namespace loom {
namespace {

using std::chrono::hours;
using ::testing::HasSubstr;

class FollowupTablesTest : public testing::StoreFixture,
                           public ::testing::WithParamInterface<sql::TestBackend> {
 protected:
  sql::TestBackend backend() const override { return GetParam(); }

  void SetUp() override {
    clock_.Set(*ParseRfc3339("2026-11-20T10:00:00Z"));
    OpenStore();
    CreateLoomService();
  }

  // Opens a Sev2 incident and takes it to resolved.
  int64_t ResolvedIncident() {
    const int64_t number = Trigger("disk-" + std::to_string(++incidents_), Severity::kSev2);
    for (auto type : {IncidentCommand::Type::kAcknowledge, IncidentCommand::Type::kResolve}) {
      Result<Incident> done = Execute(type, number);
      EXPECT_TRUE(done.ok()) << done.error().message;
    }
    return number;
  }

  Result<Incident> Execute(IncidentCommand::Type type, int64_t number) {
    IncidentCommand c;
    c.type = type;
    c.incident_number = number;
    c.actor = "user:alice";
    return AwaitWrite<Incident>([&](auto done) { store_->Execute(c, done); });
  }

  Result<FinalSummary> Save(FinalSummary s) {
    return AwaitWrite<FinalSummary>([&](auto done) { store_->SaveSummary(s, done); });
  }

  static FinalSummary Complete(int64_t number) {
    FinalSummary s;
    s.incident_number = number;
    s.root_cause = "the log volume filled up";
    s.customer_impact = "writes failed for 12 minutes";
    s.remediation = "rotated the logs";
    s.followups.push_back(
        {"Alert on disk usage at 80%", "alice", *ParseRfc3339("2026-11-25T17:00:00Z")});
    s.updated_by = "token:ci";
    return s;
  }

  std::vector<Deadline> FollowupDeadlines() {
    Result<std::vector<Deadline>> all = store_->PendingDeadlines();
    EXPECT_TRUE(all.ok());
    std::vector<Deadline> out;
    for (const Deadline& d : *all) {
      if (d.kind == DeadlineKind::kFollowupReminder || d.kind == DeadlineKind::kFollowupDue) {
        out.push_back(d);
      }
    }
    return out;
  }

  int incidents_ = 0;
};

TEST_P(FollowupTablesTest, CloseIsRefusedUntilTheSummaryIsComplete) {
  const int64_t number = ResolvedIncident();
  Result<Incident> closed = Execute(IncidentCommand::Type::kClose, number);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(closed.error().message,
            "INC-" + std::to_string(number) +
                " cannot close before its final summary is written: root cause, customer "
                "impact, remediation and follow-ups (PUT /v1/incidents/INC-" +
                std::to_string(number) + "/summary, or the incident's page in the web console)");
  ASSERT_EQ(closed.error().fields.size(), 1u);
  EXPECT_EQ(closed.error().fields[0].pointer, "/summary");

  FinalSummary partial = Complete(number);
  partial.customer_impact.clear();
  partial.followups.clear();
  ASSERT_TRUE(Save(partial).ok());
  closed = Execute(IncidentCommand::Type::kClose, number);
  ASSERT_FALSE(closed.ok());
  EXPECT_THAT(closed.error().message, HasSubstr("missing: customer_impact, followups"));
  ASSERT_EQ(closed.error().fields.size(), 2u);
  EXPECT_EQ(closed.error().fields[0].pointer, "/summary/customer_impact");

  ASSERT_TRUE(Save(Complete(number)).ok());
  closed = Execute(IncidentCommand::Type::kClose, number);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  EXPECT_EQ(closed->state, IncidentState::kClosed);

  // Closed: the summary is final.
  Result<FinalSummary> again = Save(Complete(number));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_P(FollowupTablesTest, ANoFollowupsReasonCompletesTheSummary) {
  const int64_t number = ResolvedIncident();
  FinalSummary s = Complete(number);
  s.followups.clear();
  s.no_followups_reason = "the fix is the remediation";
  ASSERT_TRUE(Save(s).ok());
  EXPECT_TRUE(Execute(IncidentCommand::Type::kClose, number).ok());
}

TEST_P(FollowupTablesTest, SummaryFollowupsAreStoredWithRemindersAndPostedToTheTimeline) {
  const int64_t number = ResolvedIncident();
  ASSERT_TRUE(Save(Complete(number)).ok());
  FollowupFilter filter;
  filter.source_ref = IncidentId(number);
  Result<std::vector<Followup>> list = store_->ListFollowups(filter);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  const Followup& f = list->front();
  EXPECT_EQ(f.owner, "alice");
  EXPECT_EQ(f.source_kind, "incident");
  EXPECT_EQ(f.service_id, "loom");
  EXPECT_EQ(f.status, FollowupStatus::kOpen);

  std::vector<Deadline> deadlines = FollowupDeadlines();
  ASSERT_EQ(deadlines.size(), 2u);
  EXPECT_EQ(deadlines[0].kind, DeadlineKind::kFollowupReminder);
  EXPECT_EQ(deadlines[0].due_at, f.due_at - hours(24));
  EXPECT_EQ(deadlines[1].kind, DeadlineKind::kFollowupDue);
  EXPECT_EQ(deadlines[1].due_at, f.due_at);
  EXPECT_EQ(deadlines[1].incident_number, 0) << "closing the incident must not cancel it";

  Result<std::optional<IncidentDetail>> detail = store_->GetIncident(number);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->timeline.back().type, "incident.summary");
  EXPECT_THAT((*detail)->timeline.back().data_json, HasSubstr("the log volume filled up"));

  // Saving the summary again updates the follow-up of the same title instead of adding one.
  FinalSummary later = Complete(number);
  later.followups[0].owner = "bob";
  ASSERT_TRUE(Save(later).ok());
  list = store_->ListFollowups(filter);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().owner, "bob");
  EXPECT_EQ(FollowupDeadlines().size(), 2u) << "the old deadlines are replaced";

  // Closing keeps the follow-up's deadlines.
  ASSERT_TRUE(Execute(IncidentCommand::Type::kClose, number).ok());
  EXPECT_EQ(FollowupDeadlines().size(), 2u);
}

TEST_P(FollowupTablesTest, DoneCancelsTheRemindersAndReopeningPlansThemAgain) {
  Followup f;
  f.title = "Write the drill notes";
  f.owner = "alice";
  f.due_at = clock_.Now() + hours(72);
  f.source_kind = "drill";
  f.source_ref = "2026-11-security";
  Result<Followup> added =
      AwaitWrite<Followup>([&](auto done) { store_->CreateFollowup(f, done); });
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->id(), "FU-1");
  EXPECT_EQ(FollowupDeadlines().size(), 2u);

  FollowupPatch done;
  done.number = added->number;
  done.status = FollowupStatus::kDone;
  Result<Followup> changed =
      AwaitWrite<Followup>([&](auto cb) { store_->UpdateFollowup(done, cb); });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->status, FollowupStatus::kDone);
  EXPECT_EQ(changed->closed_at, clock_.Now());
  EXPECT_TRUE(FollowupDeadlines().empty());

  FollowupPatch reopen;
  reopen.number = added->number;
  reopen.status = FollowupStatus::kOpen;
  reopen.due_at = clock_.Now() + hours(2);
  changed = AwaitWrite<Followup>([&](auto cb) { store_->UpdateFollowup(reopen, cb); });
  ASSERT_TRUE(changed.ok());
  std::vector<Deadline> deadlines = FollowupDeadlines();
  ASSERT_EQ(deadlines.size(), 2u);
  EXPECT_EQ(deadlines[0].due_at, clock_.Now()) << "due within a day: remind at once";

  FollowupPatch missing;
  missing.number = 99;
  missing.status = FollowupStatus::kDone;
  changed = AwaitWrite<Followup>([&](auto cb) { store_->UpdateFollowup(missing, cb); });
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, ErrorCode::kNotFound);
}

TEST_P(FollowupTablesTest, ReviewsAreStoredAsWrittenAndPostTheirEvent) {
  const int64_t number = ResolvedIncident();
  Review r;
  r.incident_number = number;
  r.title = "Disk full";
  r.summary = "The log volume filled up.";
  r.timeline.push_back({clock_.Now(), "incident.triggered", "integration:loom", "triggered"});
  r.root_cause = "logs";
  r.created_by = r.updated_by = "token:ci";
  r.created_at = r.updated_at = clock_.Now();
  ASSERT_TRUE(
      AwaitWrite<Review>([&](auto done) { store_->SaveReview(r, "review.drafted", done); }).ok());
  Result<std::optional<Review>> read = store_->GetReview(number);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->summary, r.summary);
  ASSERT_EQ((*read)->timeline.size(), 1u);
  EXPECT_EQ((*read)->timeline[0].at, clock_.Now());
  EXPECT_FALSE((*read)->published());
  Result<std::optional<IncidentDetail>> detail = store_->GetIncident(number);
  EXPECT_EQ((*detail)->timeline.back().type, "review.drafted");
  EXPECT_FALSE(store_->GetReview(number + 1)->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, FollowupTablesTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
