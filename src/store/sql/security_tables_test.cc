// The security playbook through the store (both back ends): the resolve/close gate applied in the
// command's transaction, checklist and report writes with their timeline events, the evidence
// locker.
#include "store/sql/security_tables.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/crypto.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using ::testing::HasSubstr;

class SecurityTablesTest : public ::testing::TestWithParam<sql::TestBackend> {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.security.rotate = {"LOOM_ADMIN_TOKEN"};
    Result<std::unique_ptr<Store>> store = db_.Open(options, clock_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    Service service;
    service.id = "loom";
    service.settings.auto_resolve = true;
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { store_->CreateService(service, Sha256Hex("loom-key"), done); });
    ASSERT_TRUE(key.ok()) << key.error().message;
    key_ = *key;
  }

  int64_t Open(IncidentKind kind, const std::string& dedup_key, AlertAction action) {
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = "loom";
    r.integration_key_id = key_.id;
    r.dedup_key = dedup_key;
    r.title = "token leak";
    AlertUpdate a;
    a.action = action;
    a.summary = r.title;
    a.kind = kind;
    r.alerts.push_back(a);
    Result<IngestOutcome> out =
        AwaitWrite<IngestOutcome>([&](auto done) { store_->Ingest(r, done); });
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->incident_number : 0;
  }

  Result<Incident> Run(IncidentCommand::Type type, int64_t number) {
    IncidentCommand c;
    c.type = type;
    c.incident_number = number;
    c.actor = "token:alice";
    return AwaitWrite<Incident>([&](auto done) { store_->Execute(c, done); });
  }

  Result<SecurityPlaybookState> Check(int64_t number, const std::string& item, bool done) {
    ChecklistChange change;
    change.done = done;
    return AwaitWrite<SecurityPlaybookState>(
        [&](auto cb) { store_->UpdateChecklistItem(number, item, change, "token:alice", cb); });
  }

  std::vector<std::string> EventTypes(int64_t number) {
    std::vector<std::string> types;
    auto detail = store_->GetIncident(number);
    if (detail.ok() && detail->has_value()) {
      for (const TimelineEvent& e : (*detail)->timeline) types.push_back(e.type);
    }
    return types;
  }

  sql::TestDatabase db_{GetParam()};
  testing::FakeClock clock_;
  std::unique_ptr<Store> store_;
  IntegrationKey key_;
};

TEST_P(SecurityTablesTest, ResolveIsRefusedInTheTransactionUntilThePlaybookIsComplete) {
  const int64_t n = Open(IncidentKind::kSecurity, "leak", AlertAction::kTrigger);
  ASSERT_TRUE(Run(IncidentCommand::Type::kAcknowledge, n).ok());
  Result<Incident> refused = Run(IncidentCommand::Type::kResolve, n);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_THAT(refused.error().message, HasSubstr("rotate-loom-admin-token"));

  auto state = store_->GetSecurityPlaybook(n);
  ASSERT_TRUE(state.ok() && state->has_value());
  for (const ChecklistItem& item : (*state)->checklist) ASSERT_TRUE(Check(n, item.id, true).ok());
  SecurityReport report;
  report.timeline = "t";
  report.indicators = "i";
  report.containment = "c";
  report.residual_risk = "r";
  report.updated_by = "token:alice";
  auto stored =
      AwaitWrite<SecurityPlaybookState>([&](auto cb) { store_->PutSecurityReport(n, report, cb); });
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->report->revision, 1);

  Result<Incident> resolved = Run(IncidentCommand::Type::kResolve, n);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  FinalSummary summary;  // close also needs the final summary (followup_tables.h)
  summary.incident_number = n;
  summary.root_cause = "a leaked token";
  summary.customer_impact = "none";
  summary.remediation = "rotated";
  summary.no_followups_reason = "nothing left to do";
  summary.updated_by = "token:alice";
  ASSERT_TRUE(AwaitWrite<FinalSummary>([&](auto cb) { store_->SaveSummary(summary, cb); }).ok());
  ASSERT_TRUE(Run(IncidentCommand::Type::kClose, n).ok());
  Result<SecurityPlaybookState> after_close = Check(n, "tighten-allowlists", false);
  ASSERT_FALSE(after_close.ok());
  EXPECT_EQ(after_close.error().code, ErrorCode::kConflict);

  auto types = EventTypes(n);
  EXPECT_EQ(std::count(types.begin(), types.end(), "security.checklist_updated"), 5);
  EXPECT_EQ(std::count(types.begin(), types.end(), "security.report_updated"), 1);
  auto audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->first_broken.has_value());
}

TEST_P(SecurityTablesTest, AutoResolveHoldsAnIncompleteSecurityIncident) {
  const int64_t sec = Open(IncidentKind::kSecurity, "leak", AlertAction::kTrigger);
  Open(IncidentKind::kSecurity, "leak", AlertAction::kResolve);
  auto detail = store_->GetIncident(sec);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->incident.state, IncidentState::kTriggered);

  const int64_t other = Open(IncidentKind::kAvailability, "disk", AlertAction::kTrigger);
  Open(IncidentKind::kAvailability, "disk", AlertAction::kResolve);
  detail = store_->GetIncident(other);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->incident.state, IncidentState::kResolved);
  auto none = store_->GetSecurityPlaybook(other);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(SecurityTablesTest, EvidenceKeepsItsBytesAndDigest) {
  const int64_t n = Open(IncidentKind::kAvailability, "disk", AlertAction::kTrigger);
  const std::string bytes("log\0line\xff", 9);
  for (int i = 0; i < 2; ++i) {  // the same content twice: stored once, listed twice
    EvidenceArtifact a;
    a.incident_number = n;
    a.kind = "upload";
    a.name = "app.log";
    a.actor = "token:alice";
    auto added = AwaitWrite<EvidenceArtifact>([&](auto cb) { store_->AddEvidence(a, bytes, cb); });
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_EQ(added->sha256, Sha256Hex(bytes));
    EXPECT_EQ(added->size, 9);
  }
  auto listed = store_->ListEvidence(n, /*with_content=*/true);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].content, bytes);
  EXPECT_EQ((*listed)[1].artifact.actor, "token:alice");
  EvidenceArtifact missing;
  missing.incident_number = 999;
  missing.kind = "reference";
  missing.request_id = "req-1";
  auto refused =
      AwaitWrite<EvidenceArtifact>([&](auto cb) { store_->AddEvidence(missing, "req-1", cb); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityTablesTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
