// Test support shared by the engine's tests (not part of the library): a real store (SQLite in a
// temporary directory, or PostgreSQL when a test overrides backend()) with service `loom`, a fake
// clock at Monday 2026-11-02 09:00 UTC, and helpers to trigger incidents and read their timelines.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "core/builtin_runbook.h"
#include "core/schedule.h"
#include "core/severity_policy.h"
#include "engine/escalation_engine.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"
#include "testing/weekly_schedule.h"

namespace loom::testing {

class StoreFixture : public ::testing::Test {
 protected:
  // The built-in runbook's policy with `repeat` escalation rounds.
  static std::shared_ptr<const SeverityPolicy> BuiltInPolicy(int repeat) {
    Result<SeverityPolicy> policy = BuildSeverityPolicy(BuiltInRunbook(), kBuiltInRunbookName, {});
    EXPECT_TRUE(policy.ok()) << policy.error().message;
    policy->repeat = repeat;
    return std::make_shared<SeverityPolicy>(*policy);
  }

  // The back end the store runs on (the store's own suites run on both).
  virtual sql::TestBackend backend() const { return sql::TestBackend::kSqlite; }

  // Opens (or reopens) the store; call from SetUp, then CreateLoomService once.
  void OpenStore() {
    if (!db_) db_ = std::make_unique<sql::TestDatabase>(backend());
    Result<std::unique_ptr<Store>> store = db_->Open(SqliteOptions{}, clock_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }

  void CreateLoomService() {
    Service service;
    service.id = "loom";
    service.name = "LOOM node";
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { store_->CreateService(service, Sha256Hex("loom-key"), done); });
    ASSERT_TRUE(key.ok()) << key.error().message;
    key_ = *key;
  }

  // Triggers an alert of service loom; answers its incident's number. `title` "" is
  // "LOOM node down: <dedup_key>".
  int64_t Trigger(const std::string& dedup_key, Severity severity,
                  IncidentKind kind = IncidentKind::kAvailability, const std::string& title = "") {
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = "loom";
    r.integration_key_id = key_.id;
    r.dedup_key = dedup_key;
    r.title = title.empty() ? "LOOM node down: " + dedup_key : title;
    AlertUpdate a;
    a.action = AlertAction::kTrigger;
    a.summary = r.title;
    a.severity = severity;
    a.kind = kind;
    r.alerts.push_back(a);
    Result<IngestOutcome> out =
        AwaitWrite<IngestOutcome>([&](auto done) { store_->Ingest(r, done); });
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->incident_number : 0;
  }

  // Runs a responder's command of `type` on incident `number` as `actor`.
  Result<Incident> Act(int64_t number, IncidentCommand::Type type,
                       const std::string& actor = "user:alice") {
    IncidentCommand c;
    c.type = type;
    c.incident_number = number;
    c.actor = actor;
    return AwaitWrite<Incident>([&](auto done) { store_->Execute(c, done); });
  }

  // "<type> <data>" of the incident's timeline events whose type starts with `prefix`.
  std::vector<std::string> EventTypes(int64_t number, const std::string& prefix) {
    Result<std::optional<IncidentDetail>> detail = store_->GetIncident(number);
    EXPECT_TRUE(detail.ok() && detail->has_value());
    std::vector<std::string> out;
    for (const TimelineEvent& e : (*detail)->timeline) {
      if (e.type.rfind(prefix, 0) == 0) out.push_back(e.type + " " + e.data_json);
    }
    return out;
  }

  // "channel role user" of each outbox entry of incident `number`, oldest first.
  std::vector<std::string> Sent(int64_t number) {
    Result<std::vector<OutboxEntry>> entries = store_->ListNotifications(number);
    EXPECT_TRUE(entries.ok());
    std::vector<std::string> out;
    for (const OutboxEntry& e : *entries) {
      out.push_back(e.channel + " " + e.role + " " + e.recipient);
    }
    return out;
  }

  // The pending deadlines of `kind`, by due time.
  std::vector<Deadline> PendingOfKind(DeadlineKind kind) {
    Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
    EXPECT_TRUE(pending.ok());
    std::vector<Deadline> out;
    for (const Deadline& d : *pending) {
      if (d.kind == kind) out.push_back(d);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<sql::TestDatabase> db_;
  FakeClock clock_;  // Monday 2026-11-02 09:00 UTC
  std::unique_ptr<Store> store_;
  IntegrationKey key_;
};

// The escalation engine on the fixture's store, on both back ends (instantiate with the store's
// back-end list): OpenStore also loads an EscalationEngine over `policy_` and `roster_` (set them
// in SetUp before it); Crash drops the engine and the store without firing anything else, as a
// kill -9 would; Restart is Crash then OpenStore; AdvanceAndRun moves the fake clock and runs
// what is due.
class EngineFixture : public StoreFixture, public ::testing::WithParamInterface<sql::TestBackend> {
 protected:
  sql::TestBackend backend() const override { return GetParam(); }

  void OpenStore() {
    StoreFixture::OpenStore();
    engine_ = std::make_unique<EscalationEngine>(*store_, clock_, policy_, roster_);
    ASSERT_TRUE(engine_->Load().ok());
  }

  void Crash() {
    engine_.reset();
    store_.reset();
  }

  void Restart() {
    Crash();
    OpenStore();
  }

  void AdvanceAndRun(Duration d) {
    clock_.Advance(d);
    engine_->RunDue();
  }

  std::shared_ptr<const SeverityPolicy> policy_;
  std::shared_ptr<Roster> roster_;
  std::unique_ptr<EscalationEngine> engine_;
};

}  // namespace loom::testing
