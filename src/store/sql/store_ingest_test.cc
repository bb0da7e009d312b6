// IncidentStore::Ingest on both back ends: PagerDuty and Alertmanager semantics, grouping.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class StoreIngestTest : public sql::testing::StoreTest {};

// ---- PagerDuty semantics ----

TEST_P(StoreIngestTest, PagerDutyTriggerOpensIncident) {
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

TEST_P(StoreIngestTest, PagerDutyRepeatTriggerJoinsOpenIncident) {
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

TEST_P(StoreIngestTest, DedupScopeIsTheIntegrationKey) {
  IntegrationKey other = AddService("billing", false);
  EXPECT_EQ(Ingest(Pd(AlertAction::kTrigger, "disk-full")).incident_number, 1);
  IngestOutcome out = Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev3, &other));
  EXPECT_EQ(out.incident_number, 2);
  EXPECT_TRUE(out.incident_created);
  EXPECT_EQ(Detail(2).incident.service_id, "billing");
}

TEST_P(StoreIngestTest, PagerDutyAcknowledge) {
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

TEST_P(StoreIngestTest, PagerDutyResolveClosesTheGroup) {
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

TEST_P(StoreIngestTest, AutoResolveResolvesTheIncident) {
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

TEST_P(StoreIngestTest, AlertmanagerGroupsMemberAlertsByFingerprint) {
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

TEST_P(StoreIngestTest, AlertmanagerRefiresAResolvedMember) {
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
TEST_P(StoreIngestTest, AlertmanagerResolveAfterTheResponderResolvedApplies) {
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
TEST_P(StoreIngestTest, AlertmanagerResolveEndsTheAlertOnEveryIncidentItIsActiveOn) {
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
TEST_P(StoreIngestTest, GroupingJoinsAlertsOfOtherGroupsIntoTheOpenIncident) {
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

TEST_P(StoreIngestTest, WithoutGroupingEachAlertmanagerGroupOpensItsIncident) {
  IngestOutcome first =
      Ingest(Keyed(Alertmanager("ready", {{"r", AlertAction::kTrigger, Severity::kSev1}}), "loom"));
  IngestOutcome second = Ingest(
      Keyed(Alertmanager("persist", {{"p", AlertAction::kTrigger, Severity::kSev1}}), "loom"));
  EXPECT_TRUE(first.incident_created);
  EXPECT_TRUE(second.incident_created);
  EXPECT_NE(first.incident_number, second.incident_number);
}

TEST_P(StoreIngestTest, AlertmanagerResolvedOnlyWithNothingOpenWritesNothing) {
  IngestOutcome out = Ingest(Alertmanager("g", {{"a", AlertAction::kResolve}}));
  EXPECT_EQ(out.incident_number, 0);
  Result<IncidentPage> page = store_->ListIncidents({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->incidents.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreIngestTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
