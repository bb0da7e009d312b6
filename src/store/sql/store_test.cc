#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/crypto.h"
#include "store/database_error.h"
#include "store/sql/row_codec.h"
#include "store/sql/sqlite_store.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

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
  testing::FakeClock clock_;
  std::unique_ptr<Store> store_;
  IntegrationKey key_;
};

// ---- PagerDuty semantics ----

TEST_P(StoreTest, PagerDutyTriggerOpensIncident) {
  IngestOutcome out = Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev2));
  EXPECT_EQ(out.incident_number, 1);
  EXPECT_TRUE(out.incident_created);
  EXPECT_EQ(out.dedup_key, "disk-full");
  EXPECT_EQ(out.alerts_firing, 1);
  EXPECT_EQ(out.alerts_resolved, 0);

  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.state, IncidentState::kTriggered);
  EXPECT_EQ(d.incident.severity, Severity::kSev2);
  EXPECT_EQ(d.incident.title, "Disk full on disk-full");
  EXPECT_EQ(d.incident.service_id, "loom");
  EXPECT_EQ(d.incident.dedup_key, "disk-full");
  EXPECT_EQ(d.incident.alert_count, 1);
  EXPECT_EQ(d.incident.firing_alert_count, 1);
  EXPECT_EQ(d.incident.created_at, clock_.Now());
  EXPECT_THAT(Types(d), ElementsAre("incident.triggered", "alert.triggered"));
  EXPECT_EQ(d.timeline[0].actor, "integration:loom");
  EXPECT_EQ(d.timeline[0].prev_hash, "");
  EXPECT_EQ(d.timeline[0].hash, TimelineHash(d.timeline[0]));
  EXPECT_EQ(d.timeline[1].prev_hash, d.timeline[0].hash);
  ASSERT_EQ(d.alerts.size(), 1u);
  EXPECT_EQ(d.alerts[0].status, "firing");
  EXPECT_EQ(d.alerts[0].summary, "Disk full on disk-full");
  EXPECT_EQ(d.alerts[0].details_json, R"({"disk":"/var"})");
}

TEST_P(StoreTest, PagerDutyRepeatTriggerJoinsOpenIncident) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full"));
  clock_.Advance(std::chrono::seconds(30));
  IngestOutcome again = Ingest(Pd(AlertAction::kTrigger, "disk-full"));
  EXPECT_EQ(again.incident_number, 1);
  EXPECT_FALSE(again.incident_created);
  EXPECT_EQ(again.alerts_firing, 2);

  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.alert_count, 2);
  EXPECT_EQ(d.incident.updated_at, clock_.Now());
  EXPECT_THAT(Types(d), ElementsAre("incident.triggered", "alert.triggered", "alert.triggered"));
  EXPECT_EQ(d.alerts.size(), 2u);

  IngestOutcome other = Ingest(Pd(AlertAction::kTrigger, "cpu-hot"));
  EXPECT_EQ(other.incident_number, 2);
  EXPECT_TRUE(other.incident_created);
}

TEST_P(StoreTest, DedupScopeIsTheIntegrationKey) {
  IntegrationKey other = AddService("billing", false);
  EXPECT_EQ(Ingest(Pd(AlertAction::kTrigger, "disk-full")).incident_number, 1);
  IngestOutcome out = Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev3, &other));
  EXPECT_EQ(out.incident_number, 2);
  EXPECT_TRUE(out.incident_created);
  EXPECT_EQ(Detail(2).incident.service_id, "billing");
}

TEST_P(StoreTest, PagerDutyAcknowledge) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full"));
  clock_.Advance(std::chrono::minutes(2));
  IngestOutcome out = Ingest(Pd(AlertAction::kAcknowledge, "disk-full"));
  EXPECT_EQ(out.incident_number, 1);
  EXPECT_FALSE(out.incident_created);

  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ(d.incident.acknowledged_at, clock_.Now());
  EXPECT_EQ(d.incident.commander, "");  // an integration is nobody's commander
  EXPECT_THAT(Statuses(d), ElementsAre("acknowledged"));
  EXPECT_EQ(d.timeline.back().type, "incident.acknowledged");
  EXPECT_EQ(d.timeline.back().actor, "integration:loom");

  // Acknowledging again is a successful no-op.
  EXPECT_EQ(Ingest(Pd(AlertAction::kAcknowledge, "disk-full")).incident_number, 1);
  EXPECT_EQ(Detail(1).timeline.size(), d.timeline.size());
  // Nothing open under that key: success with no incident.
  EXPECT_EQ(Ingest(Pd(AlertAction::kAcknowledge, "nothing-here")).incident_number, 0);
}

TEST_P(StoreTest, PagerDutyResolveClosesTheGroup) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full"));
  Ingest(Pd(AlertAction::kTrigger, "disk-full"));
  clock_.Advance(std::chrono::minutes(5));
  IngestOutcome out = Ingest(Pd(AlertAction::kResolve, "disk-full"));
  EXPECT_EQ(out.incident_number, 1);
  EXPECT_EQ(out.alerts_firing, 0);
  EXPECT_EQ(out.alerts_resolved, 2);

  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.state, IncidentState::kTriggered);  // resolving is a responder's call
  EXPECT_EQ(d.incident.firing_alert_count, 0);
  EXPECT_EQ(d.incident.alerts_resolved_at, clock_.Now());
  EXPECT_THAT(Statuses(d), ElementsAre("resolved", "resolved"));
  EXPECT_EQ(d.alerts[0].resolved_at, clock_.Now());
  EXPECT_EQ(d.timeline.back().type, "alerts.resolved");

  IngestOutcome next = Ingest(Pd(AlertAction::kTrigger, "disk-full"));
  EXPECT_EQ(next.incident_number, 2);
  EXPECT_TRUE(next.incident_created);
  EXPECT_EQ(Ingest(Pd(AlertAction::kResolve, "nothing-here")).incident_number, 0);
}

TEST_P(StoreTest, AutoResolveResolvesTheIncident) {
  IntegrationKey key = AddService("auto", /*auto_resolve=*/true);
  Ingest(Pd(AlertAction::kTrigger, "k", Severity::kSev3, &key));
  Ingest(Pd(AlertAction::kResolve, "k", Severity::kSev3, &key));
  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.state, IncidentState::kResolved);
  EXPECT_EQ(d.incident.resolved_at, clock_.Now());
  EXPECT_THAT(Types(d), ElementsAre("incident.triggered", "alert.triggered", "alerts.resolved",
                                    "incident.resolved"));
}

// ---- Alertmanager semantics ----

TEST_P(StoreTest, AlertmanagerGroupsMemberAlertsByFingerprint) {
  IngestOutcome out = Ingest(
      Alertmanager("{}:{alertname=\"Disk\"}", {{"fp-a", AlertAction::kTrigger, Severity::kSev3},
                                               {"fp-b", AlertAction::kTrigger, Severity::kSev1}}));
  EXPECT_EQ(out.incident_number, 1);
  EXPECT_TRUE(out.incident_created);
  EXPECT_EQ(out.alerts_firing, 2);
  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.severity, Severity::kSev1);  // the most severe firing alert
  EXPECT_EQ(d.incident.alert_count, 2);
  EXPECT_THAT(Types(d), ElementsAre("incident.triggered", "alert.triggered", "alert.triggered"));

  // Alertmanager repeats the group: the same alerts are not new members.
  clock_.Advance(std::chrono::minutes(5));
  Ingest(Alertmanager("{}:{alertname=\"Disk\"}",
                      {{"fp-a", AlertAction::kTrigger}, {"fp-b", AlertAction::kTrigger}}));
  d = Detail(1);
  EXPECT_EQ(d.incident.alert_count, 2);
  EXPECT_EQ(d.timeline.size(), 3u);
  EXPECT_EQ(d.alerts[0].updated_at, clock_.Now());

  // One resolves.
  out = Ingest(Alertmanager("{}:{alertname=\"Disk\"}",
                            {{"fp-a", AlertAction::kResolve}, {"fp-b", AlertAction::kTrigger}}));
  EXPECT_EQ(out.alerts_firing, 1);
  EXPECT_EQ(out.alerts_resolved, 1);
  d = Detail(1);
  EXPECT_THAT(Statuses(d), ElementsAre("resolved", "firing"));
  EXPECT_FALSE(d.incident.alerts_resolved_at.has_value());
  EXPECT_EQ(d.timeline.back().type, "alert.resolved");

  // Both resolved: the group closes.
  clock_.Advance(std::chrono::minutes(1));
  out = Ingest(Alertmanager("{}:{alertname=\"Disk\"}",
                            {{"fp-a", AlertAction::kResolve}, {"fp-b", AlertAction::kResolve}}));
  EXPECT_EQ(out.alerts_firing, 0);
  EXPECT_EQ(out.alerts_resolved, 2);
  d = Detail(1);
  EXPECT_EQ(d.incident.alerts_resolved_at, clock_.Now());
  EXPECT_THAT(Types(d), ElementsAre("incident.triggered", "alert.triggered", "alert.triggered",
                                    "alert.resolved", "alert.resolved", "alerts.resolved"));

  EXPECT_EQ(Ingest(Alertmanager("{}:{alertname=\"Disk\"}", {{"fp-a", AlertAction::kTrigger}}))
                .incident_number,
            2);
}

TEST_P(StoreTest, AlertmanagerRefiresAResolvedMember) {
  Ingest(Alertmanager("g", {{"a", AlertAction::kTrigger}, {"b", AlertAction::kTrigger}}));
  Ingest(Alertmanager("g", {{"a", AlertAction::kResolve}, {"b", AlertAction::kTrigger}}));
  IngestOutcome out =
      Ingest(Alertmanager("g", {{"a", AlertAction::kTrigger}, {"b", AlertAction::kTrigger}}));
  EXPECT_EQ(out.incident_number, 1);
  EXPECT_EQ(out.alerts_firing, 2);
  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.alert_count, 2);
  EXPECT_THAT(Statuses(d), ElementsAre("firing", "firing"));
  EXPECT_FALSE(d.alerts[0].resolved_at.has_value());
  EXPECT_EQ(d.timeline.back().type, "alert.triggered");
  EXPECT_THAT(d.timeline.back().data_json, HasSubstr("\"refire\":true"));
}

// Issue 16 item 7: a responder resolved the incident (override) while its alert still fired; the
// source's later resolve applies to that alert and is recorded on the resolved incident.
TEST_P(StoreTest, AlertmanagerResolveAfterTheResponderResolvedApplies) {
  Ingest(Alertmanager("g", {{"a", AlertAction::kTrigger}, {"b", AlertAction::kTrigger}}));
  ASSERT_TRUE(Execute(IncidentCommand::Type::kResolve, 1).ok());
  clock_.Advance(std::chrono::minutes(3));

  IngestOutcome out = Ingest(Alertmanager("g", {{"a", AlertAction::kResolve}}));
  EXPECT_EQ(out.incident_number, 1);
  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.state, IncidentState::kResolved);
  EXPECT_THAT(Statuses(d), ElementsAre("resolved", "firing"));
  EXPECT_EQ(d.alerts[0].resolved_at, clock_.Now());
  EXPECT_EQ(d.incident.firing_alert_count, 1);
  EXPECT_EQ(d.timeline.back().type, "alert.resolved");
  EXPECT_THAT(d.timeline.back().data_json, HasSubstr("\"fingerprint\":\"a\""));
  EXPECT_THAT(d.timeline.back().data_json, HasSubstr("\"incident_state\":\"resolved\""));

  Ingest(Alertmanager("g", {{"b", AlertAction::kResolve}}));
  d = Detail(1);
  EXPECT_THAT(Statuses(d), ElementsAre("resolved", "resolved"));
  EXPECT_EQ(d.incident.firing_alert_count, 0);
  EXPECT_EQ(d.incident.alerts_resolved_at, clock_.Now());
  EXPECT_EQ(d.timeline.back().type, "alerts.resolved");
  EXPECT_EQ(d.incident.state, IncidentState::kResolved);
  Result<AuditReport> audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->first_broken.has_value());
}

// The alert refired after the responder's resolve (a new incident); its resolve ends it on both.
TEST_P(StoreTest, AlertmanagerResolveEndsTheAlertOnEveryIncidentItIsActiveOn) {
  Ingest(Alertmanager("g", {{"a", AlertAction::kTrigger}}));
  ASSERT_TRUE(Execute(IncidentCommand::Type::kResolve, 1).ok());
  EXPECT_EQ(Ingest(Alertmanager("g", {{"a", AlertAction::kTrigger}})).incident_number, 2);
  IngestOutcome out = Ingest(Alertmanager("g", {{"a", AlertAction::kResolve}}));
  EXPECT_EQ(out.incident_number, 2);
  EXPECT_THAT(Statuses(Detail(1)), ElementsAre("resolved"));
  EXPECT_THAT(Statuses(Detail(2)), ElementsAre("resolved"));
  AlertFilter active;
  active.status = "firing";
  Result<AlertPage> page = store_->ListAlerts(active);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->alerts.empty());
}

// Issue 16 item 8: content-based grouping (services[].grouping) — alerts of other Alertmanager
// groups whose group key matches join the open incident.
TEST_P(StoreTest, GroupingJoinsAlertsOfOtherGroupsIntoTheOpenIncident) {
  Service service;
  service.id = "grouped";
  service.name = "grouped";
  service.settings.grouping.window = std::chrono::minutes(30);
  service.settings.grouping.match_labels = {"service"};
  Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
      [&](auto done) { store_->CreateService(service, Sha256Hex("grouped-key"), done); });
  ASSERT_TRUE(key.ok()) << key.error().message;

  IngestOutcome first = Ingest(
      Keyed(Alertmanager("ready", {{"r", AlertAction::kTrigger, Severity::kSev1}}, &*key), "loom"));
  ASSERT_TRUE(first.incident_created);
  clock_.Advance(std::chrono::minutes(1));
  IngestOutcome second = Ingest(Keyed(
      Alertmanager("persist", {{"p", AlertAction::kTrigger, Severity::kSev1}}, &*key), "loom"));
  EXPECT_EQ(second.incident_number, first.incident_number);
  EXPECT_FALSE(second.incident_created);
  IncidentDetail d = Detail(first.incident_number);
  EXPECT_EQ(d.incident.alert_count, 2);
  EXPECT_THAT(d.timeline.back().data_json, HasSubstr("\"grouped\":true"));
  EXPECT_THAT(d.timeline.back().data_json, HasSubstr("\"dedup_key\":\"persist\""));

  // Alertmanager repeats the second group long after the window: still this incident.
  clock_.Advance(std::chrono::hours(4));
  EXPECT_EQ(
      Ingest(Keyed(Alertmanager("persist", {{"p", AlertAction::kTrigger, Severity::kSev1}}, &*key),
                   "loom"))
          .incident_number,
      first.incident_number);
  EXPECT_EQ(Detail(first.incident_number).incident.alert_count, 2);
  // Past the window, a new alert with the same key opens its own incident.
  IngestOutcome late = Ingest(
      Keyed(Alertmanager("admin", {{"s", AlertAction::kTrigger, Severity::kSev1}}, &*key), "loom"));
  EXPECT_TRUE(late.incident_created);
  // A more severe alert never joins a less severe incident; other keys never join.
  IngestOutcome warn = Ingest(
      Keyed(Alertmanager("lag", {{"w", AlertAction::kTrigger, Severity::kSev3}}, &*key), "loom-2"));
  ASSERT_TRUE(warn.incident_created);
  IngestOutcome worse = Ingest(Keyed(
      Alertmanager("lag2", {{"x", AlertAction::kTrigger, Severity::kSev1}}, &*key), "loom-2"));
  EXPECT_TRUE(worse.incident_created);
  IngestOutcome milder = Ingest(Keyed(
      Alertmanager("lag3", {{"y", AlertAction::kTrigger, Severity::kSev4}}, &*key), "loom-2"));
  EXPECT_EQ(milder.incident_number, worse.incident_number);

  // The second group resolves into the shared incident; the group closes with the last alert.
  IngestOutcome resolved = Ingest(Alertmanager("persist", {{"p", AlertAction::kResolve}}, &*key));
  EXPECT_EQ(resolved.incident_number, first.incident_number);
  d = Detail(first.incident_number);
  EXPECT_THAT(Statuses(d), ElementsAre("firing", "resolved"));
  EXPECT_FALSE(d.incident.alerts_resolved_at.has_value());
  Ingest(Alertmanager("ready", {{"r", AlertAction::kResolve}}, &*key));
  d = Detail(first.incident_number);
  EXPECT_THAT(Statuses(d), ElementsAre("resolved", "resolved"));
  EXPECT_TRUE(d.incident.alerts_resolved_at.has_value());
}

TEST_P(StoreTest, WithoutGroupingEachAlertmanagerGroupOpensItsIncident) {
  IngestOutcome first =
      Ingest(Keyed(Alertmanager("ready", {{"r", AlertAction::kTrigger, Severity::kSev1}}), "loom"));
  IngestOutcome second = Ingest(
      Keyed(Alertmanager("persist", {{"p", AlertAction::kTrigger, Severity::kSev1}}), "loom"));
  EXPECT_TRUE(first.incident_created);
  EXPECT_TRUE(second.incident_created);
  EXPECT_NE(first.incident_number, second.incident_number);
}

TEST_P(StoreTest, AlertmanagerResolvedOnlyWithNothingOpenWritesNothing) {
  IngestOutcome out = Ingest(Alertmanager("g", {{"a", AlertAction::kResolve}}));
  EXPECT_EQ(out.incident_number, 0);
  Result<IncidentPage> page = store_->ListIncidents({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->incidents.empty());
}

// ---- responder commands ----

TEST_P(StoreTest, ReportQueriesReadAWindowOfIncidentsAndTheirPages) {
  // Every incident's first write pages alice (sent at once, so an acknowledgement does not cancel
  // it), notifies erin and leaves a cancelled page to bob: the reports count only alice's.
  store_->SetOutboxHooks(
      [](const Incident& inc, const std::vector<TimelineEvent>& events) {
        std::vector<OutboxEntry> out;
        if (events.empty() || events.front().type != "incident.triggered") return out;
        for (const auto& [who, channel, state] :
             {std::tuple("alice", "page", "delivered"), std::tuple("erin", "notify", "pending"),
              std::tuple("bob", "page", "cancelled")}) {
          OutboxEntry e;
          e.unique_key = inc.id() + "/arm1/step0/" + channel + "/" + who;
          e.recipient = who;
          e.channel = channel;
          e.state = state;
          out.push_back(e);
        }
        return out;
      },
      nullptr);
  const TimePoint start = clock_.Now();
  Ingest(Pd(AlertAction::kTrigger, "before"));  // INC-1: before the window
  clock_.Advance(std::chrono::hours(1));
  Ingest(Pd(AlertAction::kTrigger, "acked"));  // INC-2: acknowledged twice
  clock_.Advance(std::chrono::minutes(2));
  const TimePoint first_ack = clock_.Now();
  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, 2, "user:alice").ok());
  ASSERT_TRUE(Execute(IncidentCommand::Type::kUnacknowledge, 2, "user:alice").ok());
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, 2, "user:bob").ok());
  const IntegrationKey edge = AddService("edge", /*auto_resolve=*/false);
  Ingest(Pd(AlertAction::kTrigger, "edge", Severity::kSev2, &edge));  // INC-3: another service
  IngestRequest drill = Pd(AlertAction::kTrigger, "drill");
  drill.drill = true;
  Ingest(drill);  // INC-4: a drill
  clock_.Advance(std::chrono::hours(1));
  Ingest(Pd(AlertAction::kTrigger, "after"));  // INC-5: at the window's end

  ReportWindow window{start + std::chrono::minutes(30), clock_.Now(), ""};
  Result<std::vector<ReportIncident>> incidents = store_->ListReportIncidents(window);
  ASSERT_TRUE(incidents.ok()) << incidents.error().message;
  ASSERT_EQ(incidents->size(), 2u);
  const ReportIncident& acked = (*incidents)[0];
  EXPECT_EQ(acked.incident.number, 2);
  EXPECT_EQ(acked.first_ack_actor, "user:alice");  // the first acknowledgement, not the latest
  EXPECT_EQ(acked.first_ack_at, first_ack);
  EXPECT_EQ(acked.incident.state, IncidentState::kAcknowledged);
  const ReportIncident& other = (*incidents)[1];
  EXPECT_EQ(other.incident.number, 3);
  EXPECT_EQ(other.incident.service_id, "edge");
  EXPECT_EQ(other.first_ack_actor, "");
  EXPECT_FALSE(other.first_ack_at.has_value());

  Result<std::vector<OutboxEntry>> pages = store_->ListReportPages(window);
  ASSERT_TRUE(pages.ok()) << pages.error().message;
  std::vector<std::string> keys;
  for (const OutboxEntry& e : *pages) keys.push_back(e.unique_key);
  EXPECT_THAT(keys, ElementsAre("INC-2/arm1/step0/page/alice", "INC-3/arm1/step0/page/alice"));
  EXPECT_EQ((*pages)[0].incident_number, 2);

  window.service_id = "edge";
  incidents = store_->ListReportIncidents(window);
  ASSERT_TRUE(incidents.ok()) << incidents.error().message;
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].incident.number, 3);
  pages = store_->ListReportPages(window);
  ASSERT_TRUE(pages.ok()) << pages.error().message;
  ASSERT_EQ(pages->size(), 1u);
  EXPECT_EQ((*pages)[0].incident_number, 3);
}

TEST_P(StoreTest, ExecuteWalksTheLifecycle) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev3));

  Result<Incident> r = Execute(IncidentCommand::Type::kMitigate, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("acknowledge it before"));

  clock_.Advance(std::chrono::minutes(3));
  r = Execute(IncidentCommand::Type::kAcknowledge, 1, "user:alice");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, IncidentState::kAcknowledged);
  EXPECT_EQ(r->acknowledged_at, clock_.Now());
  EXPECT_EQ(r->commander, "user:alice");  // the acknowledger takes command when nobody has

  r = Execute(IncidentCommand::Type::kAcknowledge, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message,
            "INC-1 is acknowledged; only a triggered incident can be acknowledged");

  r = Execute(IncidentCommand::Type::kMitigate, 1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, IncidentState::kMitigated);

  IncidentCommand resolve;
  resolve.type = IncidentCommand::Type::kResolve;
  resolve.incident_number = 1;
  resolve.actor = "token:ci";
  resolve.note = "rolled back the deploy";
  r = Execute(resolve);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, IncidentState::kResolved);
  EXPECT_EQ(r->resolved_at, clock_.Now());

  // A responder's resolve ends the dedup group.
  EXPECT_EQ(Ingest(Pd(AlertAction::kTrigger, "disk-full")).incident_number, 2);

  // Close needs the final summary first (followup_tables_test.cc covers the refusal).
  FinalSummary summary;
  summary.incident_number = 1;
  summary.root_cause = "a full disk";
  summary.customer_impact = "none";
  summary.remediation = "rolled back the deploy";
  summary.no_followups_reason = "nothing left to do";
  summary.updated_by = "token:ci";
  ASSERT_TRUE(
      AwaitWrite<FinalSummary>([&](auto done) { store_->SaveSummary(summary, done); }).ok());
  r = Execute(IncidentCommand::Type::kClose, 1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, IncidentState::kClosed);

  IncidentCommand commander;
  commander.type = IncidentCommand::Type::kSetCommander;
  commander.incident_number = 1;
  commander.commander = "bob";
  r = Execute(commander);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);

  IncidentDetail d = Detail(1);
  EXPECT_THAT(Types(d),
              ElementsAre("incident.triggered", "alert.triggered", "incident.acknowledged",
                          "incident.commander_assigned", "incident.mitigated", "incident.resolved",
                          "incident.summary", "incident.closed"));
  EXPECT_EQ(d.timeline[2].actor, "user:alice");
  EXPECT_EQ(d.timeline[2].data_json, R"({"from":"triggered","to":"acknowledged"})");
  EXPECT_EQ(d.timeline[5].actor, "token:ci");
  EXPECT_EQ(d.timeline[5].data_json,
            R"({"from":"mitigated","to":"resolved","note":"rolled back the deploy"})");
  EXPECT_THAT(Statuses(d), ElementsAre("acknowledged"));
}

TEST_P(StoreTest, ExecuteUnknownIncidentIsNotFound) {
  Result<Incident> r = Execute(IncidentCommand::Type::kAcknowledge, 99);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "INC-99 not found");
}

TEST_P(StoreTest, Sev1NeedsACommanderBeforeMitigateAndResolve) {
  Ingest(Pd(AlertAction::kTrigger, "down", Severity::kSev1));
  Ingest(Pd(AlertAction::kAcknowledge, "down"));  // acknowledged by the integration: no commander

  Result<Incident> r = Execute(IncidentCommand::Type::kMitigate, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("needs an incident commander"));
  r = Execute(IncidentCommand::Type::kResolve, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("needs an incident commander"));

  IncidentCommand commander;
  commander.type = IncidentCommand::Type::kSetCommander;
  commander.incident_number = 1;
  commander.actor = "user:lead";
  commander.commander = "alice";
  r = Execute(commander);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->commander, "alice");

  r = Execute(IncidentCommand::Type::kMitigate, 1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, IncidentState::kMitigated);
  EXPECT_EQ(Detail(1).timeline[3].data_json, R"({"commander":"alice"})");
}

TEST_P(StoreTest, SeverityChangesAndNotesAreRecorded) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev3));
  IncidentCommand sev;
  sev.type = IncidentCommand::Type::kSetSeverity;
  sev.incident_number = 1;
  sev.actor = "user:alice";
  sev.severity = Severity::kSev1;
  Result<Incident> r = Execute(sev);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->severity, Severity::kSev1);

  IncidentCommand note;
  note.type = IncidentCommand::Type::kAddNote;
  note.incident_number = 1;
  note.actor = "user:alice";
  note.note = "customers report \"timeouts\"\nin EU";
  ASSERT_TRUE(Execute(note).ok());
  note.note = "";
  r = Execute(note);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);

  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.severity, Severity::kSev1);
  ASSERT_EQ(d.timeline.size(), 4u);
  EXPECT_EQ(d.timeline[2].type, "incident.severity_changed");
  EXPECT_EQ(d.timeline[2].data_json, R"({"from":"sev3","to":"sev1"})");
  EXPECT_EQ(d.timeline[3].type, "incident.note");
  EXPECT_EQ(d.timeline[3].data_json, R"({"note":"customers report \"timeouts\"\nin EU"})");
}

// ---- durability and audit ----

TEST_P(StoreTest, DataSurvivesCloseAndReopen) {
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

TEST_P(StoreTest, VerifyAuditDetectsAHandEditedEvent) {
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

TEST_P(StoreTest, VerifyAuditDetectsADeletedEvent) {
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

TEST_P(StoreTest, ServicesAndKeys) {
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

TEST_P(StoreTest, TokensAndChangeEvents) {
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

// ---- listing and stats ----

TEST_P(StoreTest, ListIncidentsFiltersAndPages) {
  for (int i = 1; i <= 5; ++i) {
    Ingest(Pd(AlertAction::kTrigger, "k" + std::to_string(i),
              i % 2 == 0 ? Severity::kSev1 : Severity::kSev3));
  }
  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, 2).ok());
  ASSERT_TRUE(Execute(IncidentCommand::Type::kResolve, 5).ok());

  IncidentFilter f;
  f.limit = 2;
  auto numbers = [this](const IncidentFilter& filter, std::optional<int64_t>* next) {
    std::vector<int64_t> out;
    Result<IncidentPage> page = store_->ListIncidents(filter);
    EXPECT_TRUE(page.ok());
    if (!page.ok()) return out;
    for (const auto& inc : page->incidents) out.push_back(inc.number);
    if (next != nullptr) *next = page->next_cursor;
    return out;
  };
  std::optional<int64_t> next;
  EXPECT_THAT(numbers(f, &next), ElementsAre(5, 4));
  ASSERT_EQ(next, 4);
  f.before_number = *next;
  EXPECT_THAT(numbers(f, &next), ElementsAre(3, 2));
  ASSERT_EQ(next, 2);
  f.before_number = *next;
  EXPECT_THAT(numbers(f, &next), ElementsAre(1));
  EXPECT_FALSE(next.has_value());

  IncidentFilter sev1;
  sev1.severity = Severity::kSev1;
  EXPECT_THAT(numbers(sev1, nullptr), ElementsAre(4, 2));
  IncidentFilter acked;
  acked.state = IncidentState::kAcknowledged;
  EXPECT_THAT(numbers(acked, nullptr), ElementsAre(2));
  IncidentFilter open;
  open.open_only = true;
  EXPECT_THAT(numbers(open, nullptr), ElementsAre(4, 3, 2, 1));
  IncidentFilter other_service;
  other_service.service_id = "billing";
  EXPECT_TRUE(numbers(other_service, nullptr).empty());
}

TEST_P(StoreTest, ListAlertsFilters) {
  Ingest(Pd(AlertAction::kTrigger, "a"));
  Ingest(Pd(AlertAction::kTrigger, "a"));
  Ingest(Pd(AlertAction::kTrigger, "b"));
  Ingest(Pd(AlertAction::kResolve, "b"));

  AlertFilter f;
  f.incident_number = 1;
  Result<AlertPage> page = store_->ListAlerts(f);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->alerts.size(), 2u);
  EXPECT_GT(page->alerts[0].id, page->alerts[1].id);  // newest first

  AlertFilter resolved;
  resolved.status = "resolved";
  page = store_->ListAlerts(resolved);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->alerts.size(), 1u);
  EXPECT_EQ(page->alerts[0].incident_number, 2);

  AlertFilter paged;
  paged.limit = 2;
  page = store_->ListAlerts(paged);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->alerts.size(), 2u);
  ASSERT_TRUE(page->next_cursor.has_value());
  paged.before_id = *page->next_cursor;
  page = store_->ListAlerts(paged);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->alerts.size(), 1u);
  EXPECT_FALSE(page->next_cursor.has_value());
}

TEST_P(StoreTest, IncidentDetailHoldsTheFirstAlertsTheRestPageOldestFirst) {
  // One Alertmanager group with 150 member alerts.
  std::vector<Am> members;
  for (int i = 0; i < 150; ++i)
    members.push_back({"fp-" + std::to_string(i), AlertAction::kTrigger});
  Ingest(Alertmanager("big", members));

  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.alert_count, 150);
  ASSERT_EQ(d.alerts.size(), static_cast<size_t>(kIncidentDetailAlerts));
  EXPECT_EQ(d.alerts.front().fingerprint, "fp-0");
  EXPECT_EQ(d.alerts.back().fingerprint, "fp-99");
  ASSERT_TRUE(d.alerts_next.has_value());
  EXPECT_EQ(*d.alerts_next, d.alerts.back().id);

  AlertFilter rest;
  rest.incident_number = 1;
  rest.oldest_first = true;
  rest.after_id = *d.alerts_next;
  rest.limit = 30;
  Result<AlertPage> page = store_->ListAlerts(rest);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->alerts.size(), 30u);
  EXPECT_EQ(page->alerts.front().fingerprint, "fp-100");
  EXPECT_EQ(page->alerts.back().fingerprint, "fp-129");
  ASSERT_TRUE(page->next_cursor.has_value());
  rest.after_id = *page->next_cursor;
  page = store_->ListAlerts(rest);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->alerts.size(), 20u);
  EXPECT_EQ(page->alerts.front().fingerprint, "fp-130");
  EXPECT_EQ(page->alerts.back().fingerprint, "fp-149");
  EXPECT_FALSE(page->next_cursor.has_value());

  // From the first, with no cursor; an incident with few alerts has no next page.
  rest.after_id = 0;
  rest.limit = 1;
  page = store_->ListAlerts(rest);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->alerts.size(), 1u);
  EXPECT_EQ(page->alerts[0].fingerprint, "fp-0");
  Ingest(Alertmanager("small", {{"fp-x", AlertAction::kTrigger}}));
  EXPECT_FALSE(Detail(2).alerts_next.has_value());
}

TEST_P(StoreTest, StatsCountOpenIncidentsAndCommits) {
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

// ---- the writer queue ----

TEST_P(StoreTest, FullQueueAnswersUnavailableAtOnce) {
  SqliteOptions options;
  options.max_queue = 1;
  Reopen(options);

  WriterGate gate;
  gate.Hold(*store_);  // the writer sits in that command: the queue does not drain

  std::promise<Result<IngestOutcome>> queued;
  store_->Ingest(Pd(AlertAction::kTrigger, "a"),
                 [&queued](Result<IngestOutcome> r) { queued.set_value(std::move(r)); });

  std::optional<Result<IngestOutcome>> refused;
  store_->Ingest(Pd(AlertAction::kTrigger, "b"),
                 [&refused](Result<IngestOutcome> r) { refused.emplace(std::move(r)); });
  ASSERT_TRUE(refused.has_value()) << "a full queue must answer on the caller's thread";
  ASSERT_FALSE(refused->ok());
  EXPECT_EQ(refused->error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store_->Stats()->writer_queue_depth, 1);

  gate.Release();
  Result<IngestOutcome> first = queued.get_future().get();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->incident_number, 1);
}

TEST_P(StoreTest, ConcurrentWritersShareCommits) {
  WriterGate gate;
  gate.Hold(*store_);
  const StoreStats before = *store_->Stats();

  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> remaining{kThreads * kPerThread};
  std::atomic<int> failures{0};
  std::promise<void> all_done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store_->Ingest(Pd(AlertAction::kTrigger, "k" + std::to_string(t) + "-" + std::to_string(i)),
                       [&](Result<IngestOutcome> r) {
                         if (!r.ok()) failures.fetch_add(1);
                         if (remaining.fetch_sub(1) == 1) all_done.set_value();
                       });
      }
    });
  }
  for (auto& th : threads) th.join();
  gate.Release();
  all_done.get_future().wait();

  EXPECT_EQ(failures.load(), 0);
  const StoreStats after = *store_->Stats();
  const int64_t commands = after.committed_commands - before.committed_commands;
  const int64_t commits = after.commits - before.commits;
  // The gate's own command commits alone; everything queued while it held the writer, together.
  EXPECT_EQ(commands, 1 + kThreads * kPerThread);
  EXPECT_EQ(commits, 2);
  IncidentFilter all;
  all.limit = 500;
  Result<IncidentPage> page = store_->ListIncidents(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->incidents.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(page->incidents.front().number, kThreads * kPerThread);  // numbers have no gaps
}

TEST_P(StoreTest, AFailingCommandRollsBackAloneInItsBatch) {
  WriterGate gate;
  gate.Hold(*store_);

  std::promise<Result<IngestOutcome>> first, bad, last;
  store_->Ingest(Pd(AlertAction::kTrigger, "first"),
                 [&](Result<IngestOutcome> r) { first.set_value(std::move(r)); });
  // Fault injection: a severity outside 1..4 fails the incidents CHECK constraint after the
  // command has already taken an incident number and written nothing else.
  store_->Ingest(Pd(AlertAction::kTrigger, "bad", static_cast<Severity>(9)),
                 [&](Result<IngestOutcome> r) { bad.set_value(std::move(r)); });
  store_->Ingest(Pd(AlertAction::kTrigger, "last"),
                 [&](Result<IngestOutcome> r) { last.set_value(std::move(r)); });
  gate.Release();

  Result<IngestOutcome> r1 = first.get_future().get();
  Result<IngestOutcome> r2 = bad.get_future().get();
  Result<IngestOutcome> r3 = last.get_future().get();
  ASSERT_TRUE(r1.ok());
  EXPECT_FALSE(r2.ok());
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r1->incident_number, 1);
  EXPECT_EQ(r3->incident_number, 2);  // the failed command's number was given back
  EXPECT_TRUE(store_->Writable().ok());
  Result<std::optional<IncidentDetail>> missing = store_->GetIncident(3);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// The writer keeps the next incident number in memory. Another writer on the same database (a
// second server started on the same SQLite file) takes it behind its back: the write that meets
// the stale number fails alone — with the database's own error, which a client only ever sees as a
// 503 of our words — and the writer reads its numbers again, so that the next write is accepted.
// (It answered UNIQUE constraint failed: incidents.number to every new incident, forever.)
// PostgreSQL reads the numbers at every batch, under the cluster's write lock: nothing fails.
TEST_P(StoreTest, AWriteThatMeetsAStaleNumberFailsAloneAndTheNextIsAccepted) {
  EXPECT_EQ(Ingest(Pd(AlertAction::kTrigger, "first")).incident_number, 1);
  // Incident 2, as the other writer wrote it: a copy of the first (closed group) under number 2.
  const std::string columns = sql::kIncidentColumns;
  std::string copied = columns;
  copied.replace(0, std::string("number").size(), "2");
  copied.replace(copied.find("group_open"), std::string("group_open").size(), "0");
  ASSERT_TRUE(db_.Exec("INSERT INTO incidents (" + columns + ") SELECT " + copied +
                       " FROM incidents WHERE number = 1")
                  .ok());

  Result<IngestOutcome> stale = IngestResult(Pd(AlertAction::kTrigger, "second"));
  if (GetParam() == sql::TestBackend::kSqlite) {
    ASSERT_FALSE(stale.ok());
    EXPECT_TRUE(IsDatabaseError(stale.error())) << stale.error().message;
    const Error shown = ClientViewOf(stale.error());
    EXPECT_EQ(shown.code, ErrorCode::kUnavailable);
    EXPECT_THAT(shown.message, ::testing::Not(HasSubstr("incidents")));
    EXPECT_THAT(shown.message, ::testing::Not(HasSubstr("UNIQUE")));
  } else {
    ASSERT_TRUE(stale.ok()) << stale.error().message;
    EXPECT_EQ(stale->incident_number, 3);
  }
  // The next writes are accepted, after the other writer's incident.
  IngestOutcome next = Ingest(Pd(AlertAction::kTrigger, "third"));
  EXPECT_GT(next.incident_number, 2);
  Result<IngestOutcome> again = IngestResult(Pd(AlertAction::kTrigger, "second"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_NE(again->incident_number, next.incident_number);
  EXPECT_TRUE(store_->Writable().ok());
}

// Repeat triggers into an open incident defer its head update to the end of the batch; every
// other kind of write in the same batch must still see (and keep) the latest head.
TEST_P(StoreTest, MixedBatchKeepsCountsAndChainIntact) {
  WriterGate gate;
  gate.Hold(*store_);

  std::vector<std::promise<Status>> results(8);
  size_t next = 0;
  auto ingest = [&](IngestRequest r) {
    std::promise<Status>* p = &results[next++];
    store_->Ingest(std::move(r), [p](Result<IngestOutcome> out) {
      p->set_value(out.ok() ? OkStatus() : Status(std::move(out).error()));
    });
  };
  ingest(Pd(AlertAction::kTrigger, "k"));                            // INC-1, alert 1
  ingest(Pd(AlertAction::kTrigger, "k"));                            // alert 2 (deferred head)
  ingest(Pd(AlertAction::kTrigger, "k", static_cast<Severity>(9)));  // fails: rolled back
  ingest(Pd(AlertAction::kTrigger, "k"));                            // alert 3
  {
    IncidentCommand ack;
    ack.type = IncidentCommand::Type::kAcknowledge;
    ack.incident_number = 1;
    ack.actor = "user:alice";
    std::promise<Status>* p = &results[next++];
    store_->Execute(ack, [p](Result<Incident> r) {
      p->set_value(r.ok() ? OkStatus() : Status(std::move(r).error()));
    });
  }
  ingest(Pd(AlertAction::kTrigger, "k"));  // alert 4, after the full-row write
  ingest(Pd(AlertAction::kResolve, "k"));  // closes the group
  ingest(Pd(AlertAction::kTrigger, "k"));  // INC-2
  gate.Release();

  for (size_t i = 0; i < results.size(); ++i) {
    Status s = results[i].get_future().get();
    EXPECT_EQ(s.ok(), i != 2) << "command " << i << ": " << (s.ok() ? "" : s.error().message);
  }
  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.alert_count, 4);
  EXPECT_EQ(d.incident.firing_alert_count, 0);
  EXPECT_EQ(d.incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ(d.incident.commander, "user:alice");
  EXPECT_THAT(Types(d),
              ElementsAre("incident.triggered", "alert.triggered", "alert.triggered",
                          "alert.triggered", "incident.acknowledged", "incident.commander_assigned",
                          "alert.triggered", "alerts.resolved"));
  EXPECT_EQ(d.alerts.size(), 4u);
  EXPECT_EQ(Detail(2).incident.alert_count, 1);
  Result<AuditReport> audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->first_broken.has_value())
      << audit->first_broken->incident_number << "/" << audit->first_broken->seq << ": "
      << audit->first_broken->reason;
}

TEST_P(StoreTest, ShutdownCommitsQueuedWritesThenRefuses) {
  WriterGate gate;
  gate.Hold(*store_);
  std::promise<Result<IngestOutcome>> queued;
  store_->Ingest(Pd(AlertAction::kTrigger, "a"),
                 [&](Result<IngestOutcome> r) { queued.set_value(std::move(r)); });

  std::thread stopper([this] { store_->Shutdown(); });
  gate.Release();
  stopper.join();
  Result<IngestOutcome> r = queued.get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().message;  // drained and committed, not dropped

  EXPECT_FALSE(store_->Writable().ok());
  Result<IngestOutcome> after = IngestResult(Pd(AlertAction::kTrigger, "b"));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(store_->GetIncident(1).ok());  // reads still work
}

// ---- one-click links ----

IncidentCommand LinkAck(int64_t number, const std::string& nonce) {
  IncidentCommand c;
  c.type = IncidentCommand::Type::kAcknowledge;
  c.incident_number = number;
  c.actor = "user:alice";
  c.via = "email";
  c.link_nonce = nonce;
  return c;
}

TEST_P(StoreTest, LinkAcknowledgeRecordsViaAndStopsEscalation) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev2));
  Result<Incident> r = Execute(LinkAck(1, "nonce-1"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->state, IncidentState::kAcknowledged);
  EXPECT_EQ(r->commander, "user:alice");
  IncidentDetail d = Detail(1);
  ASSERT_THAT(Types(d), ElementsAre("incident.triggered", "alert.triggered",
                                    "incident.acknowledged", "incident.commander_assigned"));
  EXPECT_EQ(d.timeline[2].actor, "user:alice");
  EXPECT_EQ(d.timeline[2].data_json, R"({"from":"triggered","to":"acknowledged","via":"email"})");
  Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
  ASSERT_TRUE(pending.ok());
  for (const Deadline& deadline : *pending) EXPECT_NE(deadline.kind, "escalate");
}

TEST_P(StoreTest, LinkIsSingleUseAndAReuseChangesNothing) {
  Ingest(Pd(AlertAction::kTrigger, "one"));
  Ingest(Pd(AlertAction::kTrigger, "two"));
  ASSERT_TRUE(Execute(LinkAck(1, "nonce-1")).ok());
  ASSERT_TRUE(Execute(IncidentCommand::Type::kUnacknowledge, 1).ok());
  const size_t events = Detail(1).timeline.size();

  // Reused, even on an incident that could be acknowledged again (or on another incident).
  for (int64_t number : {int64_t{1}, int64_t{2}}) {
    Result<Incident> again = Execute(LinkAck(number, "nonce-1"));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    EXPECT_EQ(again.error().message, kLinkAlreadyUsed);
  }
  EXPECT_EQ(Detail(1).incident.state, IncidentState::kTriggered);
  EXPECT_EQ(Detail(1).timeline.size(), events);
  EXPECT_EQ(Detail(2).incident.state, IncidentState::kTriggered);

  // The used ids survive a restart.
  Reopen();
  Result<Incident> after = Execute(LinkAck(1, "nonce-1"));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().message, kLinkAlreadyUsed);
  EXPECT_TRUE(Execute(LinkAck(1, "nonce-2")).ok());
}

TEST_P(StoreTest, LinkOnAnAcknowledgedIncidentStaysUnused) {
  Ingest(Pd(AlertAction::kTrigger, "disk-full"));
  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, 1, "user:bob").ok());
  Result<Incident> r = Execute(LinkAck(1, "nonce-1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message,
            "INC-1 is acknowledged; only a triggered incident can be acknowledged");
  // The failed command rolled the nonce back: the link works once the incident is triggered.
  ASSERT_TRUE(Execute(IncidentCommand::Type::kUnacknowledge, 1).ok());
  EXPECT_TRUE(Execute(LinkAck(1, "nonce-1")).ok());
}

TEST_P(StoreTest, SettingIsGeneratedOnceAndKept) {
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

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
