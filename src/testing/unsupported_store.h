// Test-only: a Store that does nothing, for the fake Stores of the HTTP and CLI tests to derive
// from and override only what their tests use. Every write calls back with an Internal error and
// every read returns one (a test that reaches an operation its fake did not expect fails loudly),
// except what a server touches at start-up whatever the test: the pending deadlines and outbox
// and the disabled destinations are empty, the hooks are kept nowhere, this is the only instance
// (the leadership hook runs at once), the store is writable and shuts down at once, there are no
// heartbeats (configuring none succeeds). On-call
// overrides, configured users and settings are kept in the tables the fake points these at.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"
#include "testing/in_memory_oncall_tables.h"

namespace loom::testing {

class UnsupportedStore : public Store {
 public:
  // Where overrides, users and settings go; null: those operations are unsupported too.
  InMemoryOnCallTables* oncall = nullptr;
  std::map<std::string, std::string>* settings = nullptr;

  void Ingest(IngestRequest, Callback<IngestOutcome> done) override { done(Unsupported()); }
  void Execute(IncidentCommand, Callback<Incident> done) override { done(Unsupported()); }
  void CreateService(Service, std::string, Callback<IntegrationKey> done) override {
    done(Unsupported());
  }
  Status UpsertConfiguredService(const Service&, const std::vector<std::string>&) override {
    return Unsupported();
  }
  void CreateToken(std::string, Role, std::string, Callback<ApiToken> done) override {
    done(Unsupported());
  }
  void RecordChangeEvent(ChangeEvent, Callback<int64_t> done) override { done(Unsupported()); }
  void FireDeadline(int64_t, DeadlineHandler, Callback<DeadlineFiring> done) override {
    done(Unsupported());
  }
  void RecordIncidentEvent(int64_t, std::string, std::string, std::string,
                           Callback<TimelineEvent> done) override {
    done(Unsupported());
  }
  void RecordDeliveries(std::vector<DeliveryRecord>, Callback<int64_t> done) override {
    done(Unsupported());
  }
  void ClaimOutbox(std::vector<OutboxClaim>, Callback<int64_t> done) override {
    done(Unsupported());
  }
  void DisableDestination(std::string, std::string, Callback<bool> done) override {
    done(Unsupported());
  }
  void RecordProviderStatus(std::string, std::string, Callback<int64_t> done) override {
    done(Unsupported());
  }
  void SetSmsOptOut(std::string, bool, Callback<bool> done) override { done(Unsupported()); }
  void ScheduleDrillDue(Deadline, Callback<Deadline> done) override { done(Unsupported()); }
  void RememberPushPages(std::vector<PushPage>, Callback<int64_t> done) override {
    done(Unsupported());
  }
  void RecordPushSettles(std::vector<PushSettleRecord>, Callback<int64_t> done) override {
    done(Unsupported());
  }
  Result<std::vector<PushPage>> FindPushPages(const std::string&, const std::string&) override {
    return Unsupported();
  }
  Result<std::vector<PushPageToSettle>> PushPagesToSettle(TimePoint, int) override {
    return Unsupported();
  }
  void StartDrill(DrillStartPlan, Callback<Incident> done) override { done(Unsupported()); }
  void FinishDrill(DrillFinishPlan, Callback<DrillFinished> done) override { done(Unsupported()); }

  // AccountStore: unsupported but FindSession (the HTTP tests of accounts run on a real store).
  void CreateAccount(StoredAccount, Callback<StoredAccount> done) override { done(Unsupported()); }
  void SetPasswordHash(std::string, std::string, Callback<bool> done) override {
    done(Unsupported());
  }
  void CreatePasswordReset(std::string, std::string, TimePoint, Callback<bool> done) override {
    done(Unsupported());
  }
  void UsePasswordReset(std::string, std::string, TimePoint, Callback<std::string> done) override {
    done(Unsupported());
  }
  void CreateBoundToken(std::string, Role, std::string, std::string,
                        Callback<ApiToken> done) override {
    done(Unsupported());
  }
  void CreateSession(StoredSession, Callback<bool> done) override { done(Unsupported()); }
  void TouchSession(std::string, TimePoint, Callback<bool> done) override { done(Unsupported()); }
  void DeleteSession(std::string, Callback<bool> done) override { done(Unsupported()); }
  void DeleteUserSessions(std::string, Callback<int64_t> done) override { done(Unsupported()); }
  void DeleteExpiredSessions(TimePoint, TimePoint, Callback<int64_t> done) override {
    done(Unsupported());
  }
  Result<std::optional<StoredAccount>> GetAccount(const std::string&) override {
    return Unsupported();
  }
  // No accounts beyond the configured users (GET /v1/users lists those from the roster).
  Result<std::vector<StoredAccount>> ListAccounts() override {
    return std::vector<StoredAccount>();
  }
  // No stored sessions: a cookie no test created is unknown (401), as on a real store.
  Result<std::optional<StoredSession>> FindSession(const std::string&) override {
    return std::optional<StoredSession>();
  }

  void CreateOverride(ScheduleOverride o, Callback<ScheduleOverride> done) override {
    if (oncall == nullptr) return done(Unsupported());
    oncall->CreateOverride(std::move(o), TimePoint{}, done);
  }
  void DeleteOverride(int64_t id, Callback<bool> done) override {
    if (oncall == nullptr) return done(Unsupported());
    oncall->DeleteOverride(id, done);
  }
  Result<std::vector<ScheduleOverride>> ListOverrides() override {
    if (oncall == nullptr) return Unsupported();
    return oncall->overrides;
  }
  Status UpsertConfiguredUsers(const std::vector<User>& users) override {
    if (oncall == nullptr) return Unsupported();
    return oncall->UpsertUsers(users);
  }
  Result<std::string> GetOrCreateSetting(const std::string& name,
                                         const std::function<std::string()>& generate) override {
    if (settings == nullptr) return Unsupported();
    auto [it, inserted] = settings->try_emplace(name);
    if (inserted) it->second = generate();
    return it->second;
  }

  void AddEvidence(EvidenceArtifact, std::string, Callback<EvidenceArtifact> done) override {
    done(Unsupported());
  }
  void UpdateChecklistItem(int64_t, std::string, ChecklistChange, std::string,
                           Callback<SecurityPlaybookState> done) override {
    done(Unsupported());
  }
  void PutSecurityReport(int64_t, SecurityReport, Callback<SecurityPlaybookState> done) override {
    done(Unsupported());
  }
  Result<std::optional<SecurityPlaybookState>> GetSecurityPlaybook(int64_t) override {
    return Unsupported();
  }
  Result<std::vector<StoredEvidence>> ListEvidence(int64_t, bool) override { return Unsupported(); }
  void SaveSummary(FinalSummary, Callback<FinalSummary> done) override { done(Unsupported()); }
  Result<std::optional<FinalSummary>> GetSummary(int64_t) override { return Unsupported(); }
  void CreateFollowup(Followup, Callback<Followup> done) override { done(Unsupported()); }
  void UpdateFollowup(FollowupPatch, Callback<Followup> done) override { done(Unsupported()); }
  Result<std::vector<Followup>> ListFollowups(const FollowupFilter&) override {
    return Unsupported();
  }
  void SaveReview(Review, std::string, Callback<Review> done) override { done(Unsupported()); }
  Result<std::optional<Review>> GetReview(int64_t) override { return Unsupported(); }

  Result<std::optional<IntegrationKey>> FindIntegrationKey(const std::string&) override {
    return Unsupported();
  }
  Result<std::optional<ApiToken>> FindToken(const std::string&) override { return Unsupported(); }
  void SaveMessageActions(std::vector<MessageAction>, Callback<int64_t> done) override {
    done(Unsupported());
  }
  Result<std::optional<MessageAction>> FindMessageAction(const std::string&) override {
    return Unsupported();
  }
  void CreateContactMethod(StoredContactMethod, std::string,
                           Callback<StoredContactMethod> done) override {
    done(Unsupported());
  }
  void DeleteContactMethod(std::string, std::string, std::string, Callback<bool> done) override {
    done(Unsupported());
  }
  void SetContactCode(std::string, std::string, VerificationCode, Callback<bool> done) override {
    done(Unsupported());
  }
  void CheckContactCode(std::string, std::string, std::string, TimePoint, std::string,
                        Callback<CodeCheck> done) override {
    done(Unsupported());
  }
  void SetNotificationRules(StoredNotificationRules, std::string, Callback<bool> done) override {
    done(Unsupported());
  }
  Result<std::vector<StoredContactMethod>> ListContactMethods(const std::string&) override {
    return Unsupported();
  }
  Result<std::vector<StoredNotificationRules>> ListNotificationRules() override {
    return Unsupported();
  }
  Result<std::vector<ContactChange>> ListContactHistory(const std::string&, int) override {
    return Unsupported();
  }
  Result<std::optional<Service>> GetService(const std::string&) override { return Unsupported(); }
  Result<std::vector<Service>> ListServices() override { return Unsupported(); }
  Result<IncidentPage> ListIncidents(const IncidentFilter&) override { return Unsupported(); }
  Result<std::optional<IncidentDetail>> GetIncident(int64_t) override { return Unsupported(); }
  Result<AlertPage> ListAlerts(const AlertFilter&) override { return Unsupported(); }
  Result<StoreStats> Stats() override { return Unsupported(); }
  Result<std::vector<OutboxEntry>> ListNotifications(int64_t) override { return Unsupported(); }
  Result<std::vector<ReportIncident>> ListReportIncidents(const ReportWindow&) override {
    return Unsupported();
  }
  Result<std::vector<OutboxEntry>> ListReportPages(const ReportWindow&) override {
    return Unsupported();
  }
  Result<AuditReport> VerifyAudit() override { return Unsupported(); }

  Result<std::vector<Deadline>> PendingDeadlines() override { return std::vector<Deadline>{}; }
  Result<std::vector<Deadline>> PendingDeadlinesOf(int64_t, int64_t) override {
    return std::vector<Deadline>{};
  }
  Result<std::vector<OutboxEntry>> PendingOutbox() override { return std::vector<OutboxEntry>{}; }
  Result<std::vector<OutboxEntry>> PendingOutboxByIds(const std::vector<int64_t>&) override {
    return std::vector<OutboxEntry>{};
  }
  Result<bool> SmsOptedOut(const std::string&) override { return Unsupported(); }
  Result<std::vector<std::string>> DisabledDestinations() override {
    return std::vector<std::string>{};
  }
  void CreateHeartbeat(Heartbeat, Callback<Heartbeat> done) override { done(Unsupported()); }
  void UpdateHeartbeat(HeartbeatPatch, Callback<Heartbeat> done) override { done(Unsupported()); }
  void DeleteHeartbeat(std::string, Callback<Heartbeat> done) override { done(Unsupported()); }
  void PingHeartbeat(HeartbeatPing, Callback<HeartbeatPinged> done) override {
    done(Unsupported());
  }
  Status ApplyConfiguredHeartbeats(const std::vector<Heartbeat>& configured) override {
    if (!configured.empty()) return Unsupported();
    return OkStatus();
  }
  Result<std::vector<Heartbeat>> ListHeartbeats() override { return std::vector<Heartbeat>{}; }
  Result<std::optional<Heartbeat>> GetHeartbeat(const std::string&) override {
    return std::optional<Heartbeat>();
  }
  void CreateMaintenance(MaintenanceWindow, Callback<MaintenanceWindow> done) override {
    done(Unsupported());
  }
  void EndMaintenance(int64_t, std::string, Callback<MaintenanceEnded> done) override {
    done(Unsupported());
  }
  void CancelMaintenance(int64_t, std::string, Callback<MaintenanceWindow> done) override {
    done(Unsupported());
  }
  Status ApplyConfiguredMaintenance(const std::vector<MaintenanceWindow>& configured) override {
    if (!configured.empty()) return Unsupported();
    return OkStatus();
  }
  Result<std::vector<MaintenanceWindow>> ListMaintenance() override {
    return std::vector<MaintenanceWindow>{};
  }
  Result<std::optional<MaintenanceWindow>> GetMaintenance(int64_t) override {
    return std::optional<MaintenanceWindow>();
  }

  void SetOutboxHooks(OutboxFanout, OutboxListener) override {}
  void SetDeadlineHooks(DeadlineListener, DeadlineHandler) override {}
  void SetLeadershipHooks(std::function<void()> lead, std::function<void()>) override {
    if (lead) lead();  // the only instance
  }
  Status Writable() override { return OkStatus(); }
  void Shutdown() override {}

 protected:
  static Error Unsupported() { return Error::Internal("not supported by this test's fake store"); }
};

}  // namespace loom::testing
