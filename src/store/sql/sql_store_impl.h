// SqlStore: the Store (store/store.h) over the SQL layer, for either back end — one class
// implementing every role, declared here and defined one role per file:
//
//   sql_store.cc            opening, health checks, the cluster role (leadership, writable,
//                           shutdown) and other instances' notices
//   sql_store_incidents.cc  IncidentStore      sql_store_deadlines.cc  DeadlineStore
//   sql_store_outbox.cc     OutboxStore        sql_store_oncall.cc     OnCallStore
//   sql_store_records.cc    RecordsStore       sql_store_admin.cc      AdminStore
//   sql_store_heartbeats.cc HeartbeatStore
//   sql_store_maintenance.cc MaintenanceStore
//   sql_store_accounts.cc   AccountStore
//   sql_store_push.cc       PushStore
//   sql_store_message_actions.cc  MessageActionStore
//   sql_store_contacts.cc   ContactStore
//
// Internal to src/store/sql: everyone else opens a store with OpenSqlStore (sql_store.h) or the
// back ends' open functions and holds a Store or one of its roles. Writes go through Submit (one
// command on the group-commit writer); reads take a connection from the read pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/cluster_notice.h"
#include "store/sql/db.h"
#include "store/sql/group_commit.h"
#include "store/sql/pg_cluster.h"
#include "store/sql/read_pool.h"
#include "store/sql/read_rows.h"
#include "store/sql/service_cache.h"
#include "store/sql/sql_store.h"
#include "store/sql/sql_writer.h"
#include "store/store.h"

namespace loom::sql {

// A write command built from closures: `apply` runs on the writer inside the command's
// savepoint; `committed` (optional) publishes the applied value to in-memory caches after the
// commit; `done` receives the answer.
template <typename T>
class ClosureCommand final : public WriteCommand {
 public:
  using ApplyFn = std::function<Result<T>()>;
  using CommittedFn = std::function<void(const T&)>;

  ClosureCommand(ApplyFn apply, Callback<T> done, CommittedFn committed = nullptr)
      : apply_(std::move(apply)), done_(std::move(done)), committed_(std::move(committed)) {}

  Status Apply() override {
    result_.emplace(apply_());
    if (result_->ok()) return OkStatus();
    return result_->error();
  }

  void Failed(const Error& error) override { result_.emplace(error); }

  void Committed() override {
    if (committed_ && result_ && result_->ok()) committed_(result_->value());
  }

  void Complete(const Error* failure) override {
    if (!done_) return;
    if (failure != nullptr) {
      done_(*failure);
    } else if (!result_) {
      done_(Error::Internal("the write was never applied"));
    } else {
      done_(std::move(*result_));
    }
  }

 private:
  ApplyFn apply_;
  Callback<T> done_;
  CommittedFn committed_;
  std::optional<Result<T>> result_;
};

class SqlStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(std::unique_ptr<Connection> db,
                                             const SqlStoreOptions& options, Clock& clock);

  ~SqlStore() override { Shutdown(); }

  // IncidentStore (sql_store_incidents.cc).
  void Ingest(IngestRequest request, Callback<IngestOutcome> done) override;
  void Execute(IncidentCommand command, Callback<Incident> done) override;
  void RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) override;
  void RecordIncidentEvent(int64_t incident_number, std::string type, std::string actor,
                           std::string data_json, Callback<TimelineEvent> done) override;
  void StartDrill(DrillStartPlan plan, Callback<Incident> done) override;
  void FinishDrill(DrillFinishPlan plan, Callback<DrillFinished> done) override;
  Result<IncidentPage> ListIncidents(const IncidentFilter& filter) override;
  Result<std::optional<IncidentDetail>> GetIncident(int64_t number) override;
  Result<AlertPage> ListAlerts(const AlertFilter& filter) override;
  Result<std::vector<OutboxEntry>> ListNotifications(int64_t incident_number) override;
  Result<std::vector<ReportIncident>> ListReportIncidents(const ReportWindow& window) override;
  Result<std::vector<OutboxEntry>> ListReportPages(const ReportWindow& window) override;

  // DeadlineStore (sql_store_deadlines.cc).
  void FireDeadline(int64_t id, DeadlineHandler handler, Callback<DeadlineFiring> done) override;
  void ScheduleDrillDue(Deadline deadline, Callback<Deadline> done) override;
  Result<std::vector<Deadline>> PendingDeadlines() override;
  Result<std::vector<Deadline>> PendingDeadlinesOf(int64_t first, int64_t last) override;
  void SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now) override;

  // OutboxStore (sql_store_outbox.cc).
  void RecordDeliveries(std::vector<DeliveryRecord> records, Callback<int64_t> done) override;
  void ClaimOutbox(std::vector<OutboxClaim> claims, Callback<int64_t> done) override;
  void DisableDestination(std::string key, std::string reason, Callback<bool> done) override;
  void RecordProviderStatus(std::string provider_id, std::string status,
                            Callback<int64_t> done) override;
  void SetSmsOptOut(std::string number, bool opted_out, Callback<bool> done) override;
  Result<bool> SmsOptedOut(const std::string& number) override;
  Result<std::vector<OutboxEntry>> PendingOutbox() override;
  Result<std::vector<OutboxEntry>> PendingOutboxByIds(const std::vector<int64_t>& ids) override;
  Result<std::vector<std::string>> DisabledDestinations() override;
  void SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) override;

  // OnCallStore (sql_store_oncall.cc; tables in oncall_tables.h).
  void CreateOverride(ScheduleOverride override, Callback<ScheduleOverride> done) override;
  void DeleteOverride(int64_t id, Callback<bool> done) override;
  Result<std::vector<ScheduleOverride>> ListOverrides() override;
  Status UpsertConfiguredUsers(const std::vector<User>& users) override;

  // RecordsStore (sql_store_records.cc; tables in security_tables.h, followup_tables.h).
  void AddEvidence(EvidenceArtifact artifact, std::string content,
                   Callback<EvidenceArtifact> done) override;
  void UpdateChecklistItem(int64_t number, std::string item_id, ChecklistChange change,
                           std::string actor, Callback<SecurityPlaybookState> done) override;
  void PutSecurityReport(int64_t number, SecurityReport report,
                         Callback<SecurityPlaybookState> done) override;
  Result<std::optional<SecurityPlaybookState>> GetSecurityPlaybook(int64_t number) override;
  Result<std::vector<StoredEvidence>> ListEvidence(int64_t number, bool with_content) override;
  void SaveSummary(FinalSummary summary, Callback<FinalSummary> done) override;
  Result<std::optional<FinalSummary>> GetSummary(int64_t incident_number) override;
  void CreateFollowup(Followup followup, Callback<Followup> done) override;
  void UpdateFollowup(FollowupPatch patch, Callback<Followup> done) override;
  Result<std::vector<Followup>> ListFollowups(const FollowupFilter& filter) override;
  void SaveReview(Review review, std::string event_type, Callback<Review> done) override;
  Result<std::optional<Review>> GetReview(int64_t incident_number) override;

  // AdminStore (sql_store_admin.cc; settings in link_tables.h).
  void CreateService(Service service, std::string key_hash, Callback<IntegrationKey> done) override;
  Status UpsertConfiguredService(const Service& service,
                                 const std::vector<std::string>& key_hashes) override;
  void CreateToken(std::string name, Role role, std::string token_hash,
                   Callback<ApiToken> done) override;
  Result<std::string> GetOrCreateSetting(const std::string& name,
                                         const std::function<std::string()>& generate) override;
  Result<std::optional<IntegrationKey>> FindIntegrationKey(const std::string& key_hash) override;
  Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) override;
  Result<std::optional<Service>> GetService(const std::string& id) override;
  Result<std::vector<Service>> ListServices() override;
  Result<StoreStats> Stats() override;
  Result<AuditReport> VerifyAudit() override;

  // HeartbeatStore (sql_store_heartbeats.cc; table in heartbeat_tables.h).
  void CreateHeartbeat(Heartbeat heartbeat, Callback<Heartbeat> done) override;
  void UpdateHeartbeat(HeartbeatPatch patch, Callback<Heartbeat> done) override;
  void DeleteHeartbeat(std::string id, Callback<Heartbeat> done) override;
  void PingHeartbeat(HeartbeatPing ping, Callback<HeartbeatPinged> done) override;
  Status ApplyConfiguredHeartbeats(const std::vector<Heartbeat>& configured) override;
  Result<std::vector<Heartbeat>> ListHeartbeats() override;
  Result<std::optional<Heartbeat>> GetHeartbeat(const std::string& id) override;
  // MaintenanceStore (sql_store_maintenance.cc; table in maintenance_tables.h).
  void CreateMaintenance(MaintenanceWindow window, Callback<MaintenanceWindow> done) override;
  void EndMaintenance(int64_t id, std::string actor, Callback<MaintenanceEnded> done) override;
  void CancelMaintenance(int64_t id, std::string actor, Callback<MaintenanceWindow> done) override;
  Status ApplyConfiguredMaintenance(const std::vector<MaintenanceWindow>& configured) override;
  Result<std::vector<MaintenanceWindow>> ListMaintenance() override;
  Result<std::optional<MaintenanceWindow>> GetMaintenance(int64_t id) override;
  // AccountStore (sql_store_accounts.cc).
  void CreateAccount(StoredAccount account, Callback<StoredAccount> done) override;
  void SetPasswordHash(std::string user_id, std::string password_hash,
                       Callback<bool> done) override;
  void CreatePasswordReset(std::string token_hash, std::string user_id, TimePoint expires_at,
                           Callback<bool> done) override;
  void UsePasswordReset(std::string token_hash, std::string password_hash, TimePoint now,
                        Callback<std::string> done) override;
  void CreateBoundToken(std::string name, Role role, std::string user_id, std::string token_hash,
                        Callback<ApiToken> done) override;
  void CreateSession(StoredSession session, Callback<bool> done) override;
  void TouchSession(std::string id_hash, TimePoint seen, Callback<bool> done) override;
  void DeleteSession(std::string id_hash, Callback<bool> done) override;
  void DeleteUserSessions(std::string user_id, Callback<int64_t> done) override;
  void DeleteExpiredSessions(TimePoint now, TimePoint idle_since, Callback<int64_t> done) override;
  Result<std::optional<StoredAccount>> GetAccount(const std::string& id) override;
  Result<std::vector<StoredAccount>> ListAccounts() override;
  Result<std::optional<StoredSession>> FindSession(const std::string& id_hash) override;
  // PushStore (sql_store_push.cc; table in push_tables.h).
  void RememberPushPages(std::vector<PushPage> pages, Callback<int64_t> done) override;
  void RecordPushSettles(std::vector<PushSettleRecord> records, Callback<int64_t> done) override;
  Result<std::vector<PushPage>> FindPushPages(const std::string& channel,
                                              const std::string& ref) override;
  Result<std::vector<PushPageToSettle>> PushPagesToSettle(TimePoint now, int limit) override;
  // MessageActionStore (sql_store_message_actions.cc).
  void SaveMessageActions(std::vector<MessageAction> actions, Callback<int64_t> done) override;
  Result<std::optional<MessageAction>> FindMessageAction(const std::string& secret_hash) override;
  // ContactStore (sql_store_contacts.cc).
  void CreateContactMethod(StoredContactMethod method, std::string actor,
                           Callback<StoredContactMethod> done) override;
  void DeleteContactMethod(std::string user_id, std::string id, std::string actor,
                           Callback<bool> done) override;
  void SetContactCode(std::string user_id, std::string id, VerificationCode code,
                      Callback<bool> done) override;
  void CheckContactCode(std::string user_id, std::string id, std::string code, TimePoint now,
                        std::string actor, Callback<CodeCheck> done) override;
  void SetNotificationRules(StoredNotificationRules rules, std::string actor,
                            Callback<bool> done) override;
  Result<std::vector<StoredContactMethod>> ListContactMethods(const std::string& user_id) override;
  Result<std::vector<StoredNotificationRules>> ListNotificationRules() override;
  Result<std::vector<ContactChange>> ListContactHistory(const std::string& user_id,
                                                        int limit) override;

  // ClusterStore (sql_store.cc).
  void SetLeadershipHooks(std::function<void()> lead, std::function<void()> follow) override;
  Status Writable() override;
  void Shutdown() override;

 private:
  SqlStore() = default;

  template <typename T>
  void Submit(std::function<Result<T>()> apply, Callback<T> done,
              std::function<void(const T&)> committed = nullptr, bool urgent = false) {
    queue_->Submit(std::make_unique<ClosureCommand<T>>(std::move(apply), std::move(done),
                                                       std::move(committed)),
                   urgent);
  }

  void PublishServiceWrite(const ServiceWrite& write) {
    cache_.PutService(write.service);
    for (const IntegrationKey& key : write.added_keys) cache_.PutKey(key);
  }

  Clock* clock_ = nullptr;  // for the on-call writes' timestamps

  // Declaration order is destruction order in reverse: the queue (its thread) stops before the
  // writer it drives, and both before the cache the writer reads. The read connections close
  // before the writer's: SQLite checkpoints and removes its WAL file when the last connection
  // closes, which a read-only one cannot do.
  ServiceCache cache_;
  std::unique_ptr<SqlWriter> writer_;
  ReadPool readers_;
  std::unique_ptr<GroupCommitWriter> queue_;
  std::unique_ptr<PgCluster> cluster_;  // PostgreSQL only; its thread reads through the above

  // Another instance's notice: its new deadlines and outbox rows to this instance's listeners.
  bool OnNotice(const ClusterNotice& notice);

  // The database's health (SqlStoreOptions::health_check), checked by a thread of its own.
  void StartHealthChecks(std::function<Status()> check);
  void StopHealthChecks();
  std::thread health_thread_;
  std::mutex health_mu_;
  std::condition_variable health_cv_;
  bool health_stopping_ = false;                          // GUARDED_BY(health_mu_)
  bool health_checked_ = false;                           // GUARDED_BY(health_mu_)
  std::chrono::steady_clock::time_point health_last_ok_;  // GUARDED_BY(health_mu_)
  std::string health_error_;                              // GUARDED_BY(health_mu_); "" when ok
};

}  // namespace loom::sql
