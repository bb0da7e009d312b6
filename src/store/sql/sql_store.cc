#include "store/sql/sql_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "common/crypto.h"
#include "core/timeline.h"
#include "store/sql/db.h"
#include "store/sql/followup_tables.h"
#include "store/sql/group_commit.h"
#include "store/sql/link_tables.h"
#include "store/sql/oncall_tables.h"
#include "store/sql/pg_cluster.h"
#include "store/sql/read_pool.h"
#include "store/sql/row_codec.h"
#include "store/sql/schema.h"
#include "store/sql/security_tables.h"
#include "store/sql/service_cache.h"
#include "store/sql/sql_writer.h"

namespace loom {
namespace {

using sql::Connection;
using sql::Query;
using sql::Statement;

// Runs `sql` (with ?1 bound to `key` unless it is std::nullopt; `key(q)` binds the parameters
// when it is a function) and decodes every row with `read(q, &item)`.
template <typename T, typename Key, typename ReadFn>
Result<std::vector<T>> ReadRows(Connection& conn, const std::string& sql, const Key& key,
                                ReadFn read) {
  Result<Statement*> stmt = conn.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  if constexpr (std::is_invocable_v<const Key&, Query&>) {
    key(q);
  } else if constexpr (!std::is_same_v<Key, std::nullopt_t>) {
    q.Bind(1, key);
  }
  std::vector<T> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    read(q, &out.emplace_back());
  }
}

// A write command built from closures: `apply` runs on the writer inside the command's
// savepoint; `committed` (optional) publishes the applied value to in-memory caches after the
// commit; `done` receives the answer.
template <typename T>
class ClosureCommand final : public sql::WriteCommand {
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

}  // namespace

class SqlStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(std::unique_ptr<Connection> db,
                                             const sql::SqlStoreOptions& options, Clock& clock);

  ~SqlStore() override { Shutdown(); }

  void Ingest(IngestRequest request, Callback<IngestOutcome> done) override;
  void Execute(IncidentCommand command, Callback<Incident> done) override;
  void CreateService(Service service, std::string key_hash, Callback<IntegrationKey> done) override;
  Status UpsertConfiguredService(const Service& service,
                                 const std::vector<std::string>& key_hashes) override;
  void CreateToken(std::string name, Role role, std::string token_hash,
                   Callback<ApiToken> done) override;
  void RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) override;
  void RecordIncidentEvent(int64_t incident_number, std::string type, std::string actor,
                           std::string data_json, Callback<TimelineEvent> done) override;
  void FireDeadline(int64_t id, DeadlineHandler handler, Callback<DeadlineFiring> done) override;
  void ScheduleDrillDue(Deadline deadline, Callback<Deadline> done) override;
  void StartDrill(DrillStartPlan plan, Callback<Incident> done) override {
    Submit<Incident>([this, plan = std::move(plan)] { return writer_->ApplyStartDrill(plan); },
                     std::move(done));
  }
  void FinishDrill(DrillFinishPlan plan, Callback<DrillFinished> done) override {
    Submit<DrillFinished>(
        [this, plan = std::move(plan)] { return writer_->ApplyFinishDrill(plan); },
        std::move(done));
  }

  // On-call (oncall_tables.h).
  void CreateOverride(ScheduleOverride override, Callback<ScheduleOverride> done) override;
  void DeleteOverride(int64_t id, Callback<bool> done) override;
  Result<std::vector<ScheduleOverride>> ListOverrides() override;
  Status UpsertConfiguredUsers(const std::vector<User>& users) override;

  // Security playbook (security_tables.h).
  void AddEvidence(EvidenceArtifact artifact, std::string content,
                   Callback<EvidenceArtifact> done) override;
  void UpdateChecklistItem(int64_t number, std::string item_id, ChecklistChange change,
                           std::string actor, Callback<SecurityPlaybookState> done) override;
  void PutSecurityReport(int64_t number, SecurityReport report,
                         Callback<SecurityPlaybookState> done) override;
  Result<std::optional<SecurityPlaybookState>> GetSecurityPlaybook(int64_t number) override;
  Result<std::vector<StoredEvidence>> ListEvidence(int64_t number, bool with_content) override;

  // Settings (link_tables.h).
  Result<std::string> GetOrCreateSetting(const std::string& name,
                                         const std::function<std::string()>& generate) override;

  // Final summaries, follow-ups, reviews (followup_tables.h).
  void SaveSummary(FinalSummary summary, Callback<FinalSummary> done) override {
    Submit<FinalSummary>(
        [this, summary = std::move(summary)]() mutable {
          return sql::SaveSummary(*writer_, std::move(summary), clock_->Now());
        },
        std::move(done));
  }
  Result<std::optional<FinalSummary>> GetSummary(int64_t incident_number) override {
    auto conn = readers_.Acquire();
    return sql::ReadSummary(*conn, incident_number);
  }
  void CreateFollowup(Followup followup, Callback<Followup> done) override {
    Submit<Followup>(
        [this, followup = std::move(followup)]() mutable {
          return sql::InsertFollowup(*writer_, std::move(followup), clock_->Now());
        },
        std::move(done));
  }
  void UpdateFollowup(FollowupPatch patch, Callback<Followup> done) override {
    Submit<Followup>(
        [this, patch = std::move(patch)] {
          return sql::PatchFollowup(*writer_, patch, clock_->Now());
        },
        std::move(done));
  }
  Result<std::vector<Followup>> ListFollowups(const FollowupFilter& filter) override {
    auto conn = readers_.Acquire();
    return sql::ReadFollowups(*conn, filter);
  }
  void SaveReview(Review review, std::string event_type, Callback<Review> done) override {
    Submit<Review>(
        [this, review = std::move(review), event_type = std::move(event_type)]() mutable {
          return sql::SaveReview(*writer_, std::move(review), event_type);
        },
        std::move(done));
  }
  Result<std::optional<Review>> GetReview(int64_t incident_number) override {
    auto conn = readers_.Acquire();
    return sql::ReadReview(*conn, incident_number);
  }

  Result<std::optional<IntegrationKey>> FindIntegrationKey(const std::string& key_hash) override;
  Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) override;
  Result<std::optional<Service>> GetService(const std::string& id) override;
  Result<std::vector<Service>> ListServices() override;
  Result<IncidentPage> ListIncidents(const IncidentFilter& filter) override;
  Result<std::optional<IncidentDetail>> GetIncident(int64_t number) override;
  Result<AlertPage> ListAlerts(const AlertFilter& filter) override;
  Result<StoreStats> Stats() override;
  Result<std::vector<Deadline>> PendingDeadlines() override;
  Result<std::vector<OutboxEntry>> ListNotifications(int64_t incident_number) override;
  Result<std::vector<ReportIncident>> ListReportIncidents(const ReportWindow& window) override;
  Result<std::vector<OutboxEntry>> ListReportPages(const ReportWindow& window) override;
  void SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now) override {
    writer_->SetDeadlineHooks(std::move(listener), std::move(fire_now));
  }
  void SetLeadershipHooks(std::function<void()> lead, std::function<void()> follow) override {
    if (cluster_) {
      cluster_->SetHooks(std::move(lead), std::move(follow));
    } else if (lead) {
      lead();  // SQLite: the only instance
    }
  }
  Result<AuditReport> VerifyAudit() override;

  // Delivery (outbox_tables.h).
  void RecordDeliveries(std::vector<DeliveryRecord> records, Callback<int64_t> done) override;
  void ClaimOutbox(std::vector<OutboxClaim> claims, Callback<int64_t> done) override;
  void DisableDestination(std::string key, std::string reason, Callback<bool> done) override;
  Result<std::vector<OutboxEntry>> PendingOutbox() override;
  Result<std::vector<OutboxEntry>> PendingOutboxByIds(const std::vector<int64_t>& ids) override;
  Result<std::vector<std::string>> DisabledDestinations() override;
  void SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) override;

  Status Writable() override;
  void Shutdown() override {
    if (cluster_) cluster_->SetHooks(nullptr, nullptr);
    StopHealthChecks();
    if (queue_) queue_->Shutdown();
  }

 private:
  SqlStore() = default;

  template <typename T>
  void Submit(std::function<Result<T>()> apply, Callback<T> done,
              std::function<void(const T&)> committed = nullptr, bool urgent = false) {
    queue_->Submit(std::make_unique<ClosureCommand<T>>(std::move(apply), std::move(done),
                                                       std::move(committed)),
                   urgent);
  }

  void PublishServiceWrite(const sql::ServiceWrite& write) {
    cache_.PutService(write.service);
    for (const IntegrationKey& key : write.added_keys) cache_.PutKey(key);
  }

  Clock* clock_ = nullptr;  // for the on-call writes' timestamps

  // Declaration order is destruction order in reverse: the queue (its thread) stops before the
  // writer it drives, and both before the cache the writer reads. The read connections close
  // before the writer's: SQLite checkpoints and removes its WAL file when the last connection
  // closes, which a read-only one cannot do.
  sql::ServiceCache cache_;
  std::unique_ptr<sql::SqlWriter> writer_;
  sql::ReadPool readers_;
  std::unique_ptr<sql::GroupCommitWriter> queue_;
  std::unique_ptr<sql::PgCluster> cluster_;  // PostgreSQL only; its thread reads through the above

  // Another instance's notice: its new deadlines and outbox rows to this instance's listeners.
  bool OnNotice(const sql::ClusterNotice& notice);

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

void SqlStore::StartHealthChecks(std::function<Status()> check) {
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    health_checked_ = true;
    health_last_ok_ = std::chrono::steady_clock::now();  // the store was just opened
  }
  health_thread_ = std::thread([this, check = std::move(check)] {
    std::unique_lock<std::mutex> lock(health_mu_);
    while (!health_stopping_) {
      lock.unlock();
      Status s = check();
      lock.lock();
      if (s.ok()) {
        health_last_ok_ = std::chrono::steady_clock::now();
        health_error_.clear();
      } else {
        if (health_error_ != s.error().message) {
          spdlog::warn("store: the database does not answer: {}", s.error().message);
        }
        health_error_ = s.error().message.empty() ? "unknown error" : s.error().message;
      }
      health_cv_.wait_for(lock, sql::kHealthPeriod, [this] { return health_stopping_; });
    }
  });
}

void SqlStore::StopHealthChecks() {
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    health_stopping_ = true;
  }
  health_cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
}

Status SqlStore::Writable() {
  Status writer = queue_->Healthy();
  if (!writer.ok()) return writer;
  std::lock_guard<std::mutex> lock(health_mu_);
  if (!health_checked_ || health_stopping_) return OkStatus();
  if (!health_error_.empty()) return Error::Unavailable("the database does not answer");
  if (std::chrono::steady_clock::now() - health_last_ok_ > sql::kHealthStale) {
    return Error::Unavailable("the database has not answered a health check for over " +
                              std::to_string(sql::kHealthStale.count()) + " ms");
  }
  return OkStatus();
}

Result<std::unique_ptr<Store>> SqlStore::Open(std::unique_ptr<Connection> db,
                                              const sql::SqlStoreOptions& options, Clock& clock) {
  Status s = sql::Migrate(*db, clock.Now());
  if (!s.ok()) return s.error();

  std::unique_ptr<SqlStore> store(new SqlStore());
  store->clock_ = &clock;
  s = store->cache_.Load(*db);
  if (!s.ok()) return s.error();
  Result<std::unique_ptr<sql::SqlWriter>> writer =
      sql::SqlWriter::Open(std::move(db), clock, store->cache_);
  if (!writer.ok()) return std::move(writer).error();
  store->writer_ = std::move(*writer);
  store->writer_->SetSecurityChecklist(SecurityChecklistTemplate(options.security));
  s = store->readers_.Open(options.open_reader, options.read_connections);
  if (!s.ok()) return s.error();
  store->queue_ = std::make_unique<sql::GroupCommitWriter>(*store->writer_, options.max_queue,
                                                           options.max_batch, options.sync);
  store->queue_->Start();
  if (options.health_check) store->StartHealthChecks(options.health_check);
  if (!options.cluster_url.empty()) {
    SqlStore* raw = store.get();
    store->cluster_ = std::make_unique<sql::PgCluster>(
        options.cluster_url, store->writer_->instance_id(),
        [raw](const sql::ClusterNotice& notice) { return raw->OnNotice(notice); });
  }
  return std::unique_ptr<Store>(std::move(store));
}

bool SqlStore::OnNotice(const sql::ClusterNotice& notice) {
  std::vector<Deadline> deadlines = notice.deadlines;
  Result<std::vector<OutboxEntry>> rows = std::vector<OutboxEntry>();
  bool read = true;
  if (notice.all) {
    Result<std::vector<Deadline>> pending = PendingDeadlines();
    if (pending.ok()) {
      deadlines = std::move(pending).value();
    } else {
      read = false;
      spdlog::warn("cluster: cannot read the pending deadlines: {}", pending.error().message);
    }
    rows = PendingOutbox();
  } else if (!notice.outbox_ids.empty()) {
    rows = PendingOutboxByIds(notice.outbox_ids);
  }
  if (!rows.ok()) {
    read = false;
    spdlog::warn("cluster: cannot read the outbox rows of a notice: {}", rows.error().message);
  }
  // What was read goes on; the rest stays pending in the database, and PgCluster asks for
  // everything again (a deadline or row handed on twice is re-read before it is acted on, so it
  // acts once).
  writer_->deadlines().Publish(deadlines, rows.ok() ? *rows : std::vector<OutboxEntry>());
  return read;
}

// ---- writes ----

void SqlStore::Ingest(IngestRequest request, Callback<IngestOutcome> done) {
  Submit<IngestOutcome>(
      [this, request = std::move(request)] { return writer_->ApplyIngest(request); },
      std::move(done));
}

void SqlStore::Execute(IncidentCommand command, Callback<Incident> done) {
  Submit<Incident>([this, command = std::move(command)] { return writer_->ApplyExecute(command); },
                   std::move(done));
}

void SqlStore::CreateService(Service service, std::string key_hash, Callback<IntegrationKey> done) {
  Submit<sql::ServiceWrite>(
      [this, service = std::move(service), key_hash = std::move(key_hash)] {
        return writer_->ApplyCreateService(service, key_hash);
      },
      [done = std::move(done)](Result<sql::ServiceWrite> r) {
        if (!done) return;
        if (!r.ok()) {
          done(std::move(r).error());
        } else {
          done(std::move(r->added_keys.front()));
        }
      },
      [this](const sql::ServiceWrite& w) { PublishServiceWrite(w); });
}

Status SqlStore::UpsertConfiguredService(const Service& service,
                                         const std::vector<std::string>& key_hashes) {
  Result<sql::ServiceWrite> r = AwaitWrite<sql::ServiceWrite>([&](auto done) {
    Submit<sql::ServiceWrite>(
        [this, service, key_hashes] { return writer_->ApplyUpsertService(service, key_hashes); },
        std::move(done), [this](const sql::ServiceWrite& w) { PublishServiceWrite(w); });
  });
  if (!r.ok()) return std::move(r).error();
  return OkStatus();
}

void SqlStore::CreateToken(std::string name, Role role, std::string token_hash,
                           Callback<ApiToken> done) {
  Submit<ApiToken>(
      [this, name = std::move(name), role, token_hash = std::move(token_hash)] {
        return writer_->ApplyCreateToken(name, role, token_hash);
      },
      std::move(done));
}

void SqlStore::RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) {
  Submit<int64_t>([this, event = std::move(event)] { return writer_->ApplyChangeEvent(event); },
                  std::move(done));
}

void SqlStore::RecordIncidentEvent(int64_t incident_number, std::string type, std::string actor,
                                   std::string data_json, Callback<TimelineEvent> done) {
  Submit<TimelineEvent>(
      [this, incident_number, type = std::move(type), actor = std::move(actor),
       data_json = std::move(data_json)] {
        return writer_->ApplySystemEvent(incident_number, type, actor, data_json);
      },
      std::move(done));
}

void SqlStore::FireDeadline(int64_t id, DeadlineHandler handler, Callback<DeadlineFiring> done) {
  Submit<DeadlineFiring>(
      [this, id, handler = std::move(handler)] { return writer_->ApplyFireDeadline(id, handler); },
      std::move(done), nullptr, /*urgent=*/true);
}

void SqlStore::ScheduleDrillDue(Deadline deadline, Callback<Deadline> done) {
  Submit<Deadline>(
      [this, deadline = std::move(deadline)] { return writer_->ApplyScheduleDrillDue(deadline); },
      std::move(done));
}

// ---- on-call writes and reads ----

void SqlStore::CreateOverride(ScheduleOverride override, Callback<ScheduleOverride> done) {
  Submit<ScheduleOverride>(
      [this, override = std::move(override)] {
        return sql::InsertOverride(writer_->connection(), override, clock_->Now());
      },
      std::move(done));
}

void SqlStore::DeleteOverride(int64_t id, Callback<bool> done) {
  Submit<bool>([this, id] { return sql::DeleteOverride(writer_->connection(), id); },
               std::move(done));
}

Result<std::vector<ScheduleOverride>> SqlStore::ListOverrides() {
  auto conn = readers_.Acquire();
  return sql::ReadOverrides(*conn);
}

Status SqlStore::UpsertConfiguredUsers(const std::vector<User>& users) {
  Result<int64_t> r = AwaitWrite<int64_t>([&](auto done) {
    Submit<int64_t>(
        [this, users] { return sql::UpsertUsers(writer_->connection(), users, clock_->Now()); },
        std::move(done));
  });
  if (!r.ok()) return std::move(r).error();
  return OkStatus();
}

// ---- security playbook ----

namespace {

// kConflict unless `incident` is a security incident that is not closed.
Status CheckPlaybookWritable(const Incident& incident) {
  if (incident.kind != IncidentKind::kSecurity) {
    return Error::Conflict(incident.id() + " is a " + IncidentKindName(incident.kind) +
                           " incident: the security playbook applies to security incidents");
  }
  if (incident.state == IncidentState::kClosed) {
    return Error::Conflict(incident.id() + " is closed: its security playbook is final");
  }
  return OkStatus();
}

}  // namespace

void SqlStore::AddEvidence(EvidenceArtifact artifact, std::string content,
                           Callback<EvidenceArtifact> done) {
  Submit<EvidenceArtifact>(
      [this, artifact = std::move(artifact),
       content = std::move(content)]() mutable -> Result<EvidenceArtifact> {
        artifact.sha256 = Sha256Hex(content);
        artifact.size = static_cast<int64_t>(content.size());
        artifact.at = clock_->Now();
        Result<Incident> written = writer_->ApplyIncidentEvent(
            artifact.incident_number, "evidence.added", artifact.actor,
            [&](Connection& db, const Incident&) -> Result<std::string> {
              Result<int64_t> id = sql::InsertEvidence(db, artifact, content);
              if (!id.ok()) return std::move(id).error();
              artifact.id = *id;
              JsonObjectWriter data;
              data.Add("evidence_id", artifact.id).Add("kind", artifact.kind);
              data.Add("name", artifact.name).Add("sha256", artifact.sha256);
              data.Add("size", artifact.size);
              if (!artifact.request_id.empty()) data.Add("request_id", artifact.request_id);
              if (!artifact.uri.empty()) data.Add("uri", artifact.uri);
              return data.Finish();
            });
        if (!written.ok()) return std::move(written).error();
        return artifact;
      },
      std::move(done));
}

void SqlStore::UpdateChecklistItem(int64_t number, std::string item_id, ChecklistChange change,
                                   std::string actor, Callback<SecurityPlaybookState> done) {
  Submit<SecurityPlaybookState>(
      [this, number, item_id = std::move(item_id), change = std::move(change),
       actor = std::move(actor)]() -> Result<SecurityPlaybookState> {
        SecurityPlaybookState state;
        Result<Incident> written = writer_->ApplyIncidentEvent(
            number, "security.checklist_updated", actor,
            [&](Connection& db, const Incident& incident) -> Result<std::string> {
              Status writable = CheckPlaybookWritable(incident);
              if (!writable.ok()) return std::move(writable).error();
              Result<SecurityPlaybookState> read =
                  sql::ReadPlaybookState(db, number, writer_->security_checklist());
              if (!read.ok()) return std::move(read).error();
              state = std::move(*read);
              auto item = std::find_if(state.checklist.begin(), state.checklist.end(),
                                       [&](const ChecklistItem& i) { return i.id == item_id; });
              if (item == state.checklist.end()) {
                return Error::NotFound(incident.id() + " has no checklist item '" + item_id + "'");
              }
              Status applied = ApplyChecklistChange(*item, change, actor, clock_->Now());
              if (!applied.ok()) return std::move(applied).error();
              Status stored = sql::WriteChecklist(db, number, state.checklist);
              if (!stored.ok()) return std::move(stored).error();
              JsonObjectWriter data;
              data.Add("item", item->id).AddBool("done", item->done());
              if (!item->owner.empty()) data.Add("owner", item->owner);
              if (change.note && !item->note.empty()) data.Add("note", item->note);
              data.Add("open_items", static_cast<int64_t>(state.open_items().size()));
              return data.Finish();
            });
        if (!written.ok()) return std::move(written).error();
        return state;
      },
      std::move(done));
}

void SqlStore::PutSecurityReport(int64_t number, SecurityReport report,
                                 Callback<SecurityPlaybookState> done) {
  Submit<SecurityPlaybookState>(
      [this, number, report = std::move(report)]() mutable -> Result<SecurityPlaybookState> {
        SecurityPlaybookState state;
        Result<Incident> written = writer_->ApplyIncidentEvent(
            number, "security.report_updated", report.updated_by,
            [&](Connection& db, const Incident& incident) -> Result<std::string> {
              Status writable = CheckPlaybookWritable(incident);
              if (!writable.ok()) return std::move(writable).error();
              std::vector<FieldError> invalid = ValidateSecurityReport(report);
              if (!invalid.empty()) {
                return Error::Invalid("the security report is incomplete", std::move(invalid));
              }
              Result<SecurityPlaybookState> read =
                  sql::ReadPlaybookState(db, number, writer_->security_checklist());
              if (!read.ok()) return std::move(read).error();
              state = std::move(*read);
              report.revision = state.report ? state.report->revision + 1 : 1;
              report.updated_at = clock_->Now();
              Status stored = sql::WriteSecurityReport(db, number, report);
              if (!stored.ok()) return std::move(stored).error();
              state.report = report;
              // The text stays in the report; the chained timeline pins it by digest.
              return JsonObjectWriter()
                  .Add("revision", report.revision)
                  .Add("sha256", Sha256Hex(report.timeline + '\0' + report.indicators + '\0' +
                                           report.containment + '\0' + report.residual_risk))
                  .Finish();
            });
        if (!written.ok()) return std::move(written).error();
        return state;
      },
      std::move(done));
}

Result<std::optional<SecurityPlaybookState>> SqlStore::GetSecurityPlaybook(int64_t number) {
  auto conn = readers_.Acquire();
  sql::ReadTransaction tx(*conn);
  if (!tx.status().ok()) return tx.status().error();
  {
    Result<Statement*> stmt = conn->Prepare("SELECT kind FROM incidents WHERE number = ?1");
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    q.Bind(1, number);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row || q.TextView(0) != IncidentKindName(IncidentKind::kSecurity)) {
      return std::optional<SecurityPlaybookState>();
    }
  }
  Result<SecurityPlaybookState> state =
      sql::ReadPlaybookState(*conn, number, writer_->security_checklist());
  if (!state.ok()) return std::move(state).error();
  return std::optional<SecurityPlaybookState>(std::move(*state));
}

Result<std::vector<StoredEvidence>> SqlStore::ListEvidence(int64_t number, bool with_content) {
  auto conn = readers_.Acquire();
  return sql::ReadEvidence(*conn, number, with_content);
}

// ---- settings ----

Result<std::string> SqlStore::GetOrCreateSetting(const std::string& name,
                                                 const std::function<std::string()>& generate) {
  return AwaitWrite<std::string>([&](auto done) {
    Submit<std::string>(
        [this, name, generate] {
          return sql::GetOrCreateSetting(writer_->connection(), name, generate);
        },
        std::move(done));
  });
}

// ---- delivery ----

void SqlStore::RecordDeliveries(std::vector<DeliveryRecord> records, Callback<int64_t> done) {
  Submit<int64_t>(
      [this, records = std::move(records)] { return writer_->ApplyRecordDeliveries(records); },
      std::move(done));
}

void SqlStore::ClaimOutbox(std::vector<OutboxClaim> claims, Callback<int64_t> done) {
  Submit<int64_t>([this, claims = std::move(claims)] { return writer_->ApplyClaimOutbox(claims); },
                  std::move(done));
}

void SqlStore::DisableDestination(std::string key, std::string reason, Callback<bool> done) {
  Submit<bool>(
      [this, key = std::move(key), reason = std::move(reason)]() -> Result<bool> {
        Status s = writer_->ApplyDisableDestination(key, reason);
        if (!s.ok()) return std::move(s).error();
        return true;
      },
      std::move(done));
}

namespace {

constexpr char kOutboxColumns[] =
    "SELECT id, unique_key, incident_number, step, role, recipient, channel, method, method_type,"
    " payload_json, state, attempts, created_at, next_attempt_at, delivered_at, last_error,"
    " message_id FROM outbox";

void ReadOutboxRow(const Query& q, OutboxEntry* e) {
  e->id = q.Int(0);
  e->unique_key = q.Text(1);
  e->incident_number = q.Int(2);
  e->step = static_cast<int>(q.Int(3));
  e->role = q.Text(4);
  e->recipient = q.Text(5);
  e->channel = q.Text(6);
  e->method = q.Text(7);
  e->method_type = q.Text(8);
  e->payload_json = q.Text(9);
  e->state = q.Text(10);
  e->attempts = static_cast<int>(q.Int(11));
  e->created_at = q.Time(12);
  e->next_attempt_at = q.OptionalTime(13);
  e->delivered_at = q.OptionalTime(14);
  e->last_error = q.Text(15);
  e->message_id = q.IsNull(16) ? std::string() : q.Text(16);
}

}  // namespace

Result<std::vector<OutboxEntry>> SqlStore::PendingOutbox() {
  auto conn = readers_.Acquire();
  return ReadRows<OutboxEntry>(
      *conn, std::string(kOutboxColumns) + " WHERE state = 'pending' ORDER BY next_attempt_at, id",
      std::nullopt, ReadOutboxRow);
}

Result<std::vector<OutboxEntry>> SqlStore::PendingOutboxByIds(const std::vector<int64_t>& ids) {
  // One statement for the whole batch (a bundle re-reads hundreds of rows): the ids as one
  // array parameter — JSON expanded by json_each (SQLite), an array literal (PostgreSQL).
  auto conn = readers_.Acquire();
  const bool sqlite = conn->dialect() == sql::Dialect::kSqlite;
  std::string array = sqlite ? "[" : "{";
  for (int64_t id : ids) array += (array.size() > 1 ? "," : "") + std::to_string(id);
  array += sqlite ? "]" : "}";
  return ReadRows<OutboxEntry>(*conn,
                               std::string(kOutboxColumns) +
                                   (sqlite ? " WHERE id IN (SELECT value FROM json_each(?1))"
                                           : " WHERE id = ANY(CAST(?1 AS BIGINT[]))") +
                                   " AND state = 'pending' ORDER BY id",
                               array, ReadOutboxRow);
}

Result<std::vector<std::string>> SqlStore::DisabledDestinations() {
  auto conn = readers_.Acquire();
  return ReadRows<std::string>(*conn, "SELECT key FROM disabled_destinations ORDER BY key",
                               std::nullopt,
                               [](const Query& q, std::string* key) { *key = q.Text(0); });
}

void SqlStore::SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) {
  writer_->SetOutboxHooks(std::move(fanout), std::move(listener));
}

// ---- reads ----

Result<std::vector<Deadline>> SqlStore::PendingDeadlines() {
  auto conn = readers_.Acquire();
  return ReadRows<Deadline>(*conn,
                            "SELECT id, incident_number, kind, due_at, payload_json FROM deadlines"
                            " WHERE fired_at IS NULL ORDER BY due_at, id",
                            std::nullopt, [](const Query& q, Deadline* d) {
                              d->id = q.Int(0);
                              d->incident_number = q.Int(1);
                              d->kind = q.Text(2);
                              d->due_at = q.Time(3);
                              d->payload_json = q.Text(4);
                            });
}

Result<std::vector<OutboxEntry>> SqlStore::ListNotifications(int64_t incident_number) {
  auto conn = readers_.Acquire();
  return ReadRows<OutboxEntry>(
      *conn, std::string(kOutboxColumns) + " WHERE incident_number = ?1 ORDER BY id",
      incident_number, ReadOutboxRow);
}

namespace {

// The incidents of a report window, for a WHERE clause (binds ?1..?3).
constexpr char kReportWindow[] =
    "created_at >= ?1 AND created_at < ?2 AND (?3 = '' OR service_id = ?3) AND drill = 0";

auto BindReportWindow(const ReportWindow& window) {
  return [&window](Query& q) {
    q.Bind(1, window.from);
    q.Bind(2, window.to);
    q.Bind(3, window.service_id);
  };
}

}  // namespace

Result<std::vector<ReportIncident>> SqlStore::ListReportIncidents(const ReportWindow& window) {
  // The first acknowledgement of each incident from its own timeline (the key's prefix); the
  // incident's acknowledged_at is the latest one, after an unacknowledge.
  auto first_ack = [](const char* column) {
    return std::string("(SELECT ") + column +
           " FROM timeline_events t WHERE t.incident_number = incidents.number"
           " AND t.type = 'incident.acknowledged' ORDER BY t.seq LIMIT 1)";
  };
  const std::string sql = std::string("SELECT ") + sql::kIncidentColumns + ", " +
                          first_ack("t.actor") + ", " + first_ack("t.at") +
                          " FROM incidents WHERE " + kReportWindow + " ORDER BY number";
  auto conn = readers_.Acquire();
  return ReadRows<ReportIncident>(*conn, sql, BindReportWindow(window),
                                  [](const Query& q, ReportIncident* out) {
                                    constexpr int kActor = 23;  // after kIncidentColumns
                                    sql::IncidentRow r;
                                    sql::ReadIncidentRow(q, &r);
                                    out->incident = std::move(r.incident);
                                    out->first_ack_at = q.OptionalTime(kActor + 1);
                                    if (out->first_ack_at) out->first_ack_actor = q.Text(kActor);
                                  });
}

Result<std::vector<OutboxEntry>> SqlStore::ListReportPages(const ReportWindow& window) {
  auto conn = readers_.Acquire();
  return ReadRows<OutboxEntry>(*conn,
                               std::string(kOutboxColumns) +
                                   " WHERE channel = 'page' AND state <> 'cancelled' AND"
                                   " incident_number IN (SELECT number FROM incidents WHERE " +
                                   kReportWindow + ") ORDER BY incident_number, id",
                               BindReportWindow(window), ReadOutboxRow);
}

Result<std::optional<IntegrationKey>> SqlStore::FindIntegrationKey(const std::string& key_hash) {
  return cache_.FindKey(key_hash);
}

Result<std::optional<ApiToken>> SqlStore::FindToken(const std::string& token_hash) {
  auto conn = readers_.Acquire();
  Result<Statement*> stmt = conn->Prepare(
      "SELECT id, name, role, token_hash, created_at FROM api_tokens"
      " WHERE token_hash = ?1 AND revoked_at IS NULL");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, token_hash);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<ApiToken>();
  ApiToken t;
  t.id = q.Int(0);
  t.name = q.Text(1);
  if (!ParseRole(q.Text(2), &t.role)) t.role = Role::kViewer;  // unknown role: least privilege
  t.token_hash = q.Text(3);
  t.created_at = q.Time(4);
  return std::optional<ApiToken>(std::move(t));
}

Result<std::optional<Service>> SqlStore::GetService(const std::string& id) {
  return cache_.GetService(id);
}

Result<std::vector<Service>> SqlStore::ListServices() { return cache_.ListServices(); }

Result<IncidentPage> SqlStore::ListIncidents(const IncidentFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, 500);
  std::string sql = "SELECT ";
  sql += sql::kIncidentColumns;
  sql += " FROM incidents WHERE number < ?1";
  if (filter.state) sql += " AND state = ?2";
  if (filter.severity) sql += " AND severity = ?3";
  if (!filter.service_id.empty()) sql += " AND service_id = ?4";
  if (filter.open_only) sql += " AND state NOT IN ('resolved', 'closed')";
  if (filter.drill) sql += *filter.drill ? " AND drill = 1" : " AND drill = 0";
  sql += " ORDER BY number DESC LIMIT ?5";

  auto conn = readers_.Acquire();
  Result<Statement*> stmt = conn->Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, filter.before_number > 0 ? filter.before_number : std::numeric_limits<int64_t>::max());
  if (filter.state) q.Bind(2, IncidentStateName(*filter.state));
  if (filter.severity) q.Bind(3, static_cast<int64_t>(*filter.severity));
  if (!filter.service_id.empty()) q.Bind(4, filter.service_id);
  q.Bind(5, static_cast<int64_t>(limit) + 1);  // one more tells whether a next page exists
  IncidentPage page;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    if (static_cast<int>(page.incidents.size()) == limit) {
      page.next_cursor = page.incidents.back().number;
      break;
    }
    sql::IncidentRow r;
    sql::ReadIncidentRow(q, &r);
    page.incidents.push_back(std::move(r.incident));
  }
  return page;
}

Result<std::optional<IncidentDetail>> SqlStore::GetIncident(int64_t number) {
  auto conn = readers_.Acquire();
  sql::ReadTransaction tx(*conn);
  if (!tx.status().ok()) return tx.status().error();
  IncidentDetail detail;
  {
    std::string sql =
        std::string("SELECT ") + sql::kIncidentColumns + " FROM incidents WHERE number = ?1";
    Result<Statement*> stmt = conn->Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    q.Bind(1, number);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return std::optional<IncidentDetail>();
    sql::IncidentRow r;
    sql::ReadIncidentRow(q, &r);
    detail.incident = std::move(r.incident);
  }
  auto timeline = ReadRows<TimelineEvent>(
      *conn,
      std::string("SELECT ") + sql::kTimelineColumns +
          " FROM timeline_events WHERE incident_number = ?1 ORDER BY seq",
      number, [](const Query& q, TimelineEvent* e) { sql::ReadTimelineEvent(q, e); });
  if (!timeline.ok()) return std::move(timeline).error();
  detail.timeline = std::move(*timeline);
  // One more than shown tells whether more follow.
  auto alerts = ReadRows<Alert>(*conn,
                                std::string("SELECT ") + sql::kAlertColumns +
                                    " FROM alerts WHERE incident_number = ?1 ORDER BY id LIMIT " +
                                    std::to_string(kIncidentDetailAlerts + 1),
                                number, [](const Query& q, Alert* a) { sql::ReadAlert(q, a); });
  if (!alerts.ok()) return std::move(alerts).error();
  detail.alerts = std::move(*alerts);
  if (detail.alerts.size() > static_cast<size_t>(kIncidentDetailAlerts)) {
    detail.alerts.resize(kIncidentDetailAlerts);
    detail.alerts_next = detail.alerts.back().id;
  }
  return std::optional<IncidentDetail>(std::move(detail));
}

Result<AlertPage> SqlStore::ListAlerts(const AlertFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, 500);
  std::string sql = "SELECT ";
  sql += sql::kAlertColumns;
  sql += filter.oldest_first ? " FROM alerts WHERE id > ?1" : " FROM alerts WHERE id < ?1";
  if (filter.incident_number > 0) sql += " AND incident_number = ?2";
  if (!filter.service_id.empty()) sql += " AND service_id = ?3";
  if (!filter.status.empty()) sql += " AND status = ?4";
  sql += filter.oldest_first ? " ORDER BY id LIMIT ?5" : " ORDER BY id DESC LIMIT ?5";

  auto conn = readers_.Acquire();
  Result<Statement*> stmt = conn->Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  if (filter.oldest_first) {
    q.Bind(1, filter.after_id);
  } else {
    q.Bind(1, filter.before_id > 0 ? filter.before_id : std::numeric_limits<int64_t>::max());
  }
  if (filter.incident_number > 0) q.Bind(2, filter.incident_number);
  if (!filter.service_id.empty()) q.Bind(3, filter.service_id);
  if (!filter.status.empty()) q.Bind(4, filter.status);
  q.Bind(5, static_cast<int64_t>(limit) + 1);
  AlertPage page;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    if (static_cast<int>(page.alerts.size()) == limit) {
      page.next_cursor = page.alerts.back().id;
      break;
    }
    Alert a;
    sql::ReadAlert(q, &a);
    page.alerts.push_back(std::move(a));
  }
  return page;
}

Result<StoreStats> SqlStore::Stats() {
  StoreStats stats;
  {
    auto conn = readers_.Acquire();
    sql::ReadTransaction tx(*conn);
    if (!tx.status().ok()) return tx.status().error();
    {
      // The WHERE matches the partial index incidents_open_by_severity, so this is a count over
      // that index alone.
      Result<Statement*> stmt = conn->Prepare(
          "SELECT severity, COUNT(*) FROM incidents"
          " WHERE state NOT IN ('resolved', 'closed') GROUP BY severity");
      if (!stmt.ok()) return std::move(stmt).error();
      Query q(*stmt);
      while (true) {
        Result<bool> row = q.Step();
        if (!row.ok()) return std::move(row).error();
        if (!*row) break;
        const int64_t sev = q.Int(0);
        if (sev >= 1 && sev <= 4) stats.open_incidents_by_severity[sev - 1] = q.Int(1);
      }
    }
    auto count = [&conn](const char* sql) -> Result<int64_t> {
      Result<Statement*> stmt = conn->Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).error();
      Query q(*stmt);
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      return *row ? q.Int(0) : 0;
    };
    Result<int64_t> outbox = count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'");
    if (!outbox.ok()) return std::move(outbox).error();
    stats.outbox_depth = *outbox;
    Result<int64_t> deadlines = count("SELECT COUNT(*) FROM deadlines WHERE fired_at IS NULL");
    if (!deadlines.ok()) return std::move(deadlines).error();
    stats.pending_deadlines = *deadlines;
  }
  sql::GroupCommitStats writer = queue_->Stats();
  stats.writer_queue_depth = writer.queue_depth;
  stats.commits = writer.commits;
  stats.committed_commands = writer.committed_commands;
  std::copy(std::begin(writer.batch_size_buckets), std::end(writer.batch_size_buckets),
            std::begin(stats.batch_size_buckets));
  stats.batch_size_sum = writer.batch_size_sum;
  return stats;
}

Result<AuditReport> SqlStore::VerifyAudit() {
  auto conn = readers_.Acquire();
  sql::ReadTransaction tx(*conn);
  if (!tx.status().ok()) return tx.status().error();
  Result<Statement*> incidents_stmt =
      conn->Prepare("SELECT number, last_seq, last_hash FROM incidents ORDER BY number");
  if (!incidents_stmt.ok()) return std::move(incidents_stmt).error();
  Result<Statement*> events_stmt =
      conn->Prepare(std::string("SELECT ") + sql::kTimelineColumns +
                    " FROM timeline_events ORDER BY incident_number, seq");
  if (!events_stmt.ok()) return std::move(events_stmt).error();

  AuditReport report;
  Query incidents(*incidents_stmt);
  Query events(*events_stmt);
  Result<bool> have_event = events.Step();
  if (!have_event.ok()) return std::move(have_event).error();
  auto broken = [&report](int64_t number, int64_t seq, std::string reason) {
    report.first_broken = AuditReport::Broken{number, seq, std::move(reason)};
    return report;
  };
  while (true) {
    Result<bool> have_incident = incidents.Step();
    if (!have_incident.ok()) return std::move(have_incident).error();
    if (!*have_incident) break;
    const int64_t number = incidents.Int(0);
    const int64_t last_seq = incidents.Int(1);
    const std::string last_hash = incidents.Text(2);
    ++report.incidents_checked;
    int64_t seq = 0;
    std::string prev_hash;
    while (*have_event && events.Int(0) <= number) {
      TimelineEvent e;
      sql::ReadTimelineEvent(events, &e);
      if (e.incident_number < number) {
        return broken(e.incident_number, e.seq, "event of an unknown incident");
      }
      ++report.events_checked;
      if (e.seq != seq + 1) return broken(number, e.seq, "gap before seq " + std::to_string(e.seq));
      if (e.prev_hash != prev_hash) {
        return broken(number, e.seq,
                      seq == 0 ? std::string("prev_hash of the first event is not empty")
                               : "prev_hash does not match event " + std::to_string(seq));
      }
      if (TimelineHash(e) != e.hash) return broken(number, e.seq, "hash mismatch");
      seq = e.seq;
      prev_hash = std::move(e.hash);
      have_event = events.Step();
      if (!have_event.ok()) return std::move(have_event).error();
    }
    // The incident row records the chain's tail: events deleted from the end show up here.
    if (seq != last_seq) {
      return broken(number, seq + 1,
                    "missing events after seq " + std::to_string(seq) + " (the incident records " +
                        std::to_string(last_seq) + ")");
    }
    if (prev_hash != last_hash) {
      return broken(number, seq, "the last event does not match the incident's chain head");
    }
  }
  if (*have_event) {
    return broken(events.Int(0), events.Int(1), "event of an unknown incident");
  }
  return report;
}

namespace sql {

Result<std::unique_ptr<Store>> OpenSqlStore(std::unique_ptr<Connection> writer_db,
                                            const SqlStoreOptions& options, Clock& clock) {
  return SqlStore::Open(std::move(writer_db), options, clock);
}

}  // namespace sql
}  // namespace loom
