// Test-only: the fixture of the store suites (store_*_test.cc, one per role of store/store.h),
// run on both back ends (test_database.h).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "store/sql/sqlite_store.h"
#include "store/sql/test_database.h"
#include "store/store.h"
#include "testing/fake_clock.h"

namespace loom::sql::testing {

// Holds the store's writer thread inside a write's callback until Release(): while held, the
// writer takes nothing from its queue, which makes queue-full and batching tests deterministic.
class WriterGate {
 public:
  WriterGate() : released_(release_.get_future().share()) {}
  ~WriterGate() { Release(); }

  // Holds the writer thread inside a command until Release(): a deadline whose handler (run by
  // the writer, inside the batch) waits. Returns once the writer is held, so that everything
  // written meanwhile queues and goes into one later batch.
  void Hold(Store& store) {
    Deadline due;
    due.due_at = FromUnixMicros(0);
    std::promise<Result<Deadline>> scheduled;
    store.ScheduleDrillDue(due, [&](Result<Deadline> d) { scheduled.set_value(std::move(d)); });
    Result<Deadline> d = scheduled.get_future().get();
    ASSERT_TRUE(d.ok()) << d.error().message;
    store.FireDeadline(
        d->id,
        [this](const Deadline&, const std::optional<Incident>&, TimePoint) {
          held_.set_value();
          released_.wait();
          return DeadlineEffects{};
        },
        [](Result<DeadlineFiring>) {});
    held_.get_future().wait();
  }
  void Release() {
    if (!released_flag_.exchange(true)) release_.set_value();
  }

 private:
  std::promise<void> held_;
  std::promise<void> release_;
  std::shared_future<void> released_;
  std::atomic<bool> released_flag_{false};
};

// A store on each back end (TEST_P over sql::kBackends) with service "loom" and its key, and
// helpers to write to it. Each role's suite derives its own fixture from it and instantiates it.
class StoreTest : public ::testing::TestWithParam<sql::TestBackend> {
 protected:
  void SetUp() override {
    Open();
    key_ = AddService("loom", /*auto_resolve=*/false);
  }

  void Open(SqliteOptions options = {}) {
    Result<std::unique_ptr<Store>> store = db_.Open(options, clock_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }

  void Reopen(SqliteOptions options = {}) {
    store_.reset();
    Open(options);
  }

  IntegrationKey AddService(const std::string& id, bool auto_resolve) {
    Service service;
    service.id = id;
    service.name = id + " service";
    service.settings.auto_resolve = auto_resolve;
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { store_->CreateService(service, Sha256Hex(id + "-key"), done); });
    EXPECT_TRUE(key.ok()) << key.error().message;
    return key.ok() ? *key : IntegrationKey{};
  }

  // A PagerDuty-style event (no fingerprint).
  IngestRequest Pd(AlertAction action, const std::string& dedup_key,
                   Severity severity = Severity::kSev3, const IntegrationKey* key = nullptr) {
    if (key == nullptr) key = &key_;
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = key->service_id;
    r.integration_key_id = key->id;
    r.dedup_key = dedup_key;
    r.title = "Disk full on " + dedup_key;
    AlertUpdate a;
    a.action = action;
    a.summary = r.title;
    a.source = "host-1";
    a.raw_severity = "warning";
    a.severity = severity;
    a.details_json = R"({"disk":"/var"})";
    r.alerts.push_back(a);
    return r;
  }

  // An Alertmanager-style group notification: (fingerprint, action, severity) per alert.
  struct Am {
    std::string fingerprint;
    AlertAction action;
    Severity severity = Severity::kSev3;
  };
  IngestRequest Alertmanager(const std::string& group, const std::vector<Am>& alerts,
                             const IntegrationKey* key = nullptr) {
    if (key == nullptr) key = &key_;
    IngestRequest r;
    r.format = "alertmanager";
    r.service_id = key->service_id;
    r.integration_key_id = key->id;
    r.dedup_key = group;
    r.title = "Alerts of " + group;
    for (const Am& am : alerts) {
      AlertUpdate a;
      a.action = am.action;
      a.fingerprint = am.fingerprint;
      a.summary = "alert " + am.fingerprint;
      a.severity = am.severity;
      r.alerts.push_back(a);
    }
    return r;
  }

  // Every alert of `r` with group key `key`, as ApplyAlertGrouping sets it.
  static IngestRequest Keyed(IngestRequest r, const std::string& key) {
    for (AlertUpdate& a : r.alerts) a.group_key = key;
    return r;
  }

  IngestOutcome Ingest(IngestRequest request) {
    Result<IngestOutcome> r = IngestResult(std::move(request));
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : IngestOutcome{};
  }
  Result<IngestOutcome> IngestResult(IngestRequest request) {
    return AwaitWrite<IngestOutcome>([&](auto done) { store_->Ingest(request, done); });
  }

  Result<Incident> Execute(IncidentCommand::Type type, int64_t number,
                           const std::string& actor = "user:alice") {
    IncidentCommand c;
    c.type = type;
    c.incident_number = number;
    c.actor = actor;
    return Execute(c);
  }
  Result<Incident> Execute(const IncidentCommand& command) {
    return AwaitWrite<Incident>([&](auto done) { store_->Execute(command, done); });
  }

  IncidentDetail Detail(int64_t number) {
    Result<std::optional<IncidentDetail>> d = store_->GetIncident(number);
    EXPECT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(d.ok() && d->has_value()) << "INC-" << number << " missing";
    return d.ok() && d->has_value() ? **d : IncidentDetail{};
  }

  static std::vector<std::string> Types(const IncidentDetail& d) {
    std::vector<std::string> out;
    for (const auto& e : d.timeline) out.push_back(e.type);
    return out;
  }
  static std::vector<std::string> Statuses(const IncidentDetail& d) {
    std::vector<std::string> out;
    for (const auto& a : d.alerts) out.push_back(a.status);
    return out;
  }

  sql::TestDatabase db_{GetParam()};
  loom::testing::FakeClock clock_;
  std::unique_ptr<Store> store_;
  IntegrationKey key_;
};

}  // namespace loom::sql::testing
