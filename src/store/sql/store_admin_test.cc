// AdminStore on both back ends: services, keys, tokens, change events, settings, stats, the audit
// of the hash chains, and what survives a reopen.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

class StoreAdminTest : public sql::testing::StoreTest {};

// ---- durability and audit ----

TEST_P(StoreAdminTest, DataSurvivesCloseAndReopen) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev2));
  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, 1).ok());
  Result<ApiToken> token = AwaitWrite<ApiToken>(
      [&](auto done) { store_->CreateToken("ci", Role::kResponder, Sha256Hex("secret"), done); });
  ASSERT_TRUE(token.ok());
  IncidentDetail before = Detail(1);

  Reopen();

  IncidentDetail after = Detail(1);
  EXPECT_EQ(after.incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ(after.incident.commander, "user:alice");
  EXPECT_EQ(after.incident.acknowledged_at, before.incident.acknowledged_at);
  ASSERT_EQ(after.timeline.size(), before.timeline.size());
  EXPECT_EQ(after.timeline.back().hash, before.timeline.back().hash);

  Result<std::optional<IntegrationKey>> key = store_->FindIntegrationKey(Sha256Hex("loom-key"));
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ((*key)->service_id, "loom");
  Result<std::optional<ApiToken>> found = store_->FindToken(Sha256Hex("secret"));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->role, Role::kResponder);

  // The same dedup key still finds the open incident; numbers and the chain continue.
  EXPECT_EQ(Ingest(Pd(AlertAction::kTrigger, "disk-full")).incident_number, 1);
  EXPECT_EQ(Ingest(Pd(AlertAction::kTrigger, "other")).incident_number, 2);
  Result<AuditReport> audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->first_broken.has_value());
}

TEST_P(StoreAdminTest, VerifyAuditDetectsAHandEditedEvent) {
  Ingest(Pd(AlertAction::kTrigger, "one"));
  Ingest(Pd(AlertAction::kTrigger, "two"));
  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, 2).ok());
  Result<AuditReport> audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok()) << audit.error().message;
  EXPECT_FALSE(audit->first_broken.has_value());
  EXPECT_EQ(audit->incidents_checked, 2);
  EXPECT_EQ(audit->events_checked, 6);  // 2 + (2 + acknowledged + commander_assigned)

  store_.reset();
  Status edited = db_.Exec(
      "UPDATE timeline_events SET data_json = '{\"from\":\"nobody\"}'"
      " WHERE incident_number = 2 AND seq = 3");
  ASSERT_TRUE(edited.ok()) << edited.error().message;
  Open();

  audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok()) << audit.error().message;
  ASSERT_TRUE(audit->first_broken.has_value());
  EXPECT_EQ(audit->first_broken->incident_number, 2);
  EXPECT_EQ(audit->first_broken->seq, 3);
  EXPECT_EQ(audit->first_broken->reason, "hash mismatch");
}

TEST_P(StoreAdminTest, VerifyAuditDetectsADeletedEvent) {
  Ingest(Pd(AlertAction::kTrigger, "one"));
  Ingest(Pd(AlertAction::kTrigger, "one"));  // seq 3
  store_.reset();
  Status deleted = db_.Exec("DELETE FROM timeline_events WHERE incident_number = 1 AND seq = 2");
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  Open();

  Result<AuditReport> audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  ASSERT_TRUE(audit->first_broken.has_value());
  EXPECT_EQ(audit->first_broken->incident_number, 1);
  EXPECT_EQ(audit->first_broken->seq, 3);
  EXPECT_EQ(audit->first_broken->reason, "gap before seq 3");
}

// ---- services, tokens, change events ----

TEST_P(StoreAdminTest, ServicesAndKeys) {
  Service dup;
  dup.id = "loom";
  Result<IntegrationKey> r = AwaitWrite<IntegrationKey>(
      [&](auto done) { store_->CreateService(dup, Sha256Hex("another"), done); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);

  Service configured;
  configured.id = "edge";
  configured.name = "Edge proxy";
  configured.settings.auto_resolve = true;
  configured.settings.severity_map.fallback = Severity::kSev4;
  ASSERT_TRUE(store_->UpsertConfiguredService(configured, {Sha256Hex("e1")}).ok());
  configured.name = "Edge proxies";
  // Idempotent for a key it already has; adds a new one.
  ASSERT_TRUE(store_->UpsertConfiguredService(configured, {Sha256Hex("e1"), Sha256Hex("e2")}).ok());
  // A key of another service is refused.
  Status s = store_->UpsertConfiguredService(configured, {Sha256Hex("loom-key")});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);

  Result<std::optional<Service>> edge = store_->GetService("edge");
  ASSERT_TRUE(edge.ok() && edge->has_value());
  EXPECT_EQ((*edge)->name, "Edge proxies");
  EXPECT_TRUE((*edge)->settings.auto_resolve);
  EXPECT_EQ((*edge)->settings.severity_map.fallback, Severity::kSev4);
  Result<std::optional<IntegrationKey>> k2 = store_->FindIntegrationKey(Sha256Hex("e2"));
  ASSERT_TRUE(k2.ok() && k2->has_value());
  EXPECT_EQ((*k2)->service_id, "edge");
  Result<std::optional<IntegrationKey>> none = store_->FindIntegrationKey(Sha256Hex("nope"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  Reopen();
  Result<std::vector<Service>> all = store_->ListServices();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "edge");
  EXPECT_EQ((*all)[0].settings.severity_map.fallback, Severity::kSev4);
  EXPECT_EQ((*all)[1].id, "loom");
}

TEST_P(StoreAdminTest, TokensAndChangeEvents) {
  Result<ApiToken> t = AwaitWrite<ApiToken>(
      [&](auto done) { store_->CreateToken("ci", Role::kAdmin, Sha256Hex("t"), done); });
  ASSERT_TRUE(t.ok());
  EXPECT_GT(t->id, 0);
  Result<ApiToken> dup = AwaitWrite<ApiToken>(
      [&](auto done) { store_->CreateToken("ci2", Role::kAdmin, Sha256Hex("t"), done); });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  Result<std::optional<ApiToken>> missing = store_->FindToken(Sha256Hex("x"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  ChangeEvent change;
  change.service_id = "loom";
  change.summary = "deploy v1.2";
  change.received_at = clock_.Now();
  Result<int64_t> id =
      AwaitWrite<int64_t>([&](auto done) { store_->RecordChangeEvent(change, done); });
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_GT(*id, 0);
  change.service_id = "nope";
  id = AwaitWrite<int64_t>([&](auto done) { store_->RecordChangeEvent(change, done); });
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreAdminTest, StatsCountOpenIncidentsAndCommits) {
  Ingest(Pd(AlertAction::kTrigger, "a", Severity::kSev1));
  Ingest(Pd(AlertAction::kTrigger, "b", Severity::kSev3));
  Ingest(Pd(AlertAction::kTrigger, "c", Severity::kSev3));
  ASSERT_TRUE(Execute(IncidentCommand::Type::kResolve, 3).ok());

  Result<StoreStats> stats = store_->Stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->open_incidents_by_severity[0], 1);
  EXPECT_EQ(stats->open_incidents_by_severity[1], 0);
  EXPECT_EQ(stats->open_incidents_by_severity[2], 1);
  EXPECT_EQ(stats->outbox_depth, 0);
  // Each new incident starts its escalation; resolving INC-3 cancelled its deadline.
  EXPECT_EQ(stats->pending_deadlines, 2);
  EXPECT_EQ(stats->writer_queue_depth, 0);
  // Sequential writes: one commit each (CreateService in SetUp, 3 ingests, 1 command).
  EXPECT_EQ(stats->commits, 5);
  EXPECT_EQ(stats->committed_commands, 5);
  EXPECT_EQ(stats->batch_size_buckets[0], 5);   // le 1
  EXPECT_EQ(stats->batch_size_buckets[11], 5);  // +Inf
  EXPECT_EQ(stats->batch_size_sum, 5);
}

TEST_P(StoreAdminTest, SettingIsGeneratedOnceAndKept) {
  int generated = 0;
  auto generate = [&generated] {
    ++generated;
    return "value-" + std::to_string(generated);
  };
  Result<std::string> first = store_->GetOrCreateSetting("link_key", generate);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, "value-1");
  EXPECT_EQ(store_->GetOrCreateSetting("link_key", generate).value(), "value-1");
  Reopen();
  EXPECT_EQ(store_->GetOrCreateSetting("link_key", generate).value(), "value-1");
  EXPECT_EQ(generated, 1);
  EXPECT_EQ(store_->GetOrCreateSetting("other", generate).value(), "value-2");
  Result<std::string> empty = store_->GetOrCreateSetting("empty", [] { return std::string(); });
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreAdminTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
