// IncidentStore on both back ends: responder commands, one-click links, incident reads and
// the reports' queries.
#include <tuple>

#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class StoreIncidentsTest : public sql::testing::StoreTest {};

// ---- responder commands ----

TEST_P(StoreIncidentsTest, ReportQueriesReadAWindowOfIncidentsAndTheirPages) {
  // Every incident's first write pages alice (sent at once, so an acknowledgement does not cancel
  // it), notifies erin and leaves a cancelled page to bob: the reports count only alice's.
  store_->SetOutboxHooks(
      [](const Incident& inc, const std::vector<TimelineEvent>& events) {
        std::vector<OutboxEntry> out;
        if (events.empty() || events.front().type != "incident.triggered") return out;
        for (const auto& [who, channel, state] :
             {std::tuple("alice", "page", OutboxState::kDelivered),
              std::tuple("erin", "notify", OutboxState::kPending),
              std::tuple("bob", "page", OutboxState::kCancelled)}) {
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

TEST_P(StoreIncidentsTest, ExecuteWalksTheLifecycle) {
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

TEST_P(StoreIncidentsTest, ExecuteUnknownIncidentIsNotFound) {
  Result<Incident> r = Execute(IncidentCommand::Type::kAcknowledge, 99);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "INC-99 not found");
}

TEST_P(StoreIncidentsTest, Sev1NeedsACommanderBeforeMitigateAndResolve) {
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

TEST_P(StoreIncidentsTest, SeverityChangesAndNotesAreRecorded) {
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

// ---- listing and stats ----

TEST_P(StoreIncidentsTest, ListIncidentsFiltersAndPages) {
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

TEST_P(StoreIncidentsTest, ListAlertsFilters) {
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

TEST_P(StoreIncidentsTest, IncidentDetailHoldsTheFirstAlertsTheRestPageOldestFirst) {
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

TEST_P(StoreIncidentsTest, LinkAcknowledgeRecordsViaAndStopsEscalation) {
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
  for (const Deadline& deadline : *pending) EXPECT_NE(deadline.kind, DeadlineKind::kEscalate);
}

TEST_P(StoreIncidentsTest, LinkIsSingleUseAndAReuseChangesNothing) {
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

TEST_P(StoreIncidentsTest, LinkOnAnAcknowledgedIncidentStaysUnused) {
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

INSTANTIATE_TEST_SUITE_P(Backends, StoreIncidentsTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
