#include "store/sql/sql_writer.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "common/crypto.h"
#include "core/timeline.h"
#include "store/sql/cluster_notice.h"
#include "store/sql/drill_tables.h"
#include "store/sql/followup_tables.h"
#include "store/sql/link_tables.h"
#include "store/sql/security_tables.h"

namespace loom::sql {

namespace {

// The advisory lock key of the cluster-wide write lock (PostgreSQL).
constexpr int64_t kWriteLock = 0x6c6f6f6d0002;  // "loom" 2

constexpr char kFiring[] = "firing";
constexpr char kAcknowledged[] = "acknowledged";
constexpr char kResolved[] = "resolved";

std::string IntegrationActor(const std::string& service_id) { return "integration:" + service_id; }

}  // namespace

// Every statement the writer runs, prepared once when the store opens.
struct SqlWriter::Statements {
  Statement* begin = nullptr;
  Statement* commit = nullptr;
  Statement* rollback = nullptr;
  Statement* savepoint = nullptr;
  Statement* release = nullptr;
  Statement* rollback_to = nullptr;
  Statement* max_numbers = nullptr;
  Statement* notify = nullptr;
  Statement* cluster_lock = nullptr;
  Statement* deadline_sequence = nullptr;
  Statement* outbox_sequence = nullptr;
  Statement* find_open = nullptr;
  Statement* find_open_head = nullptr;
  Statement* load_incident = nullptr;
  Statement* insert_incident = nullptr;
  Statement* update_incident = nullptr;
  Statement* update_incident_counters = nullptr;
  Statement* find_alert = nullptr;
  Statement* insert_alert = nullptr;
  Statement* update_alert = nullptr;
  Statement* bulk_alert_status = nullptr;
  Statement* find_grouped_member = nullptr;
  Statement* find_group = nullptr;
  Statement* find_active_elsewhere = nullptr;
  Statement* insert_event = nullptr;
  Statement* insert_two_events = nullptr;
  Statement* service_exists = nullptr;
  Statement* insert_service = nullptr;
  Statement* update_service = nullptr;
  Statement* find_key = nullptr;
  Statement* insert_key = nullptr;
  Statement* insert_token = nullptr;
  Statement* insert_change = nullptr;
};

SqlWriter::SqlWriter(std::unique_ptr<Connection> db, Clock& clock, const ServiceCache& services)
    : db_(std::move(db)),
      clock_(clock),
      services_(services),
      st_(std::make_unique<Statements>()),
      instance_id_(RandomHex(8)) {}

SqlWriter::~SqlWriter() = default;

Result<std::unique_ptr<SqlWriter>> SqlWriter::Open(std::unique_ptr<Connection> db, Clock& clock,
                                                   const ServiceCache& services) {
  std::unique_ptr<SqlWriter> w(new SqlWriter(std::move(db), clock, services));
  LOOM_RETURN_IF_ERROR(w->PrepareAll());
  Result<std::unique_ptr<DeadlineWriter>> deadlines = DeadlineWriter::Prepare(*w->db_);
  if (!deadlines.ok()) return std::move(deadlines).error();
  w->deadlines_ = std::move(*deadlines);
  LOOM_RETURN_IF_ERROR(w->LoadCounters());
  return w;
}

Status SqlWriter::LoadCounters(bool mid_batch) {
  Query q(st_->max_numbers);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  counters_.next_incident_number = q.Int(0) + 1;
  counters_.next_alert_id = q.Int(1) + 1;
  if (mid_batch) {
    deadlines_->ReloadNextIds(q.Int(2) + 1, q.Int(3) + 1);
  } else {
    deadlines_->SetNextIds(q.Int(2) + 1, q.Int(3) + 1);
  }
  return q.Run();
}

Status SqlWriter::PrepareAll() {
  const std::string incident_columns = kIncidentColumns;
  const std::string alert_columns = kAlertColumns;
  const std::string timeline_columns = kTimelineColumns;
  struct Entry {
    Statement** slot;
    std::string sql;
  };
  const Entry entries[] = {
      // SQLite: take the write lock at BEGIN, not at the first write.
      {&st_->begin, db_->dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"},
      {&st_->commit, "COMMIT"},
      {&st_->rollback, "ROLLBACK"},
      {&st_->savepoint, "SAVEPOINT command"},
      {&st_->release, "RELEASE command"},
      {&st_->rollback_to, "ROLLBACK TO command"},
      // PostgreSQL: tells the other instances what this batch created (sent at COMMIT).
      {&st_->notify, db_->dialect() == Dialect::kPostgres
                         ? std::string("SELECT pg_notify('") + kClusterChannel + "', ?1)"
                         : std::string()},
      {&st_->max_numbers,
       "SELECT (SELECT COALESCE(MAX(number), 0) FROM incidents),"
       " (SELECT COALESCE(MAX(id), 0) FROM alerts), (SELECT COALESCE(MAX(id), 0) FROM deadlines),"
       " (SELECT COALESCE(MAX(id), 0) FROM outbox)"},
      // PostgreSQL: the identity sequences follow the ids the writer gives (an instance of an
      // older loom-oncall, during a rolling upgrade, takes its ids from them).
      {&st_->deadline_sequence, db_->dialect() == Dialect::kPostgres
                                    ? "SELECT setval(pg_get_serial_sequence('deadlines', 'id'), ?1)"
                                    : ""},
      {&st_->outbox_sequence, db_->dialect() == Dialect::kPostgres
                                  ? "SELECT setval(pg_get_serial_sequence('outbox', 'id'), ?1)"
                                  : ""},
      // PostgreSQL: the cluster-wide write lock, held until the batch commits or rolls back.
      {&st_->cluster_lock, db_->dialect() == Dialect::kPostgres
                               ? "SELECT pg_advisory_xact_lock(" + std::to_string(kWriteLock) + ")"
                               : std::string()},
      {&st_->find_open, "SELECT " + incident_columns +
                            " FROM incidents WHERE integration_key_id = ?1 AND dedup_key = ?2"
                            " AND group_open = 1"},
      // The repeat-trigger path only needs the counters and the chain's tail.
      {&st_->find_open_head,
       "SELECT number, alert_count, firing_alert_count, last_seq, last_hash FROM incidents"
       " WHERE integration_key_id = ?1 AND dedup_key = ?2 AND group_open = 1"},
      {&st_->load_incident, "SELECT " + incident_columns + " FROM incidents WHERE number = ?1"},
      {&st_->insert_incident,
       "INSERT INTO incidents (" + incident_columns +
           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
           " ?18, ?19, ?20, ?21, ?22, ?23)"},
      {&st_->update_incident,
       "UPDATE incidents SET title = ?2, severity = ?3, kind = ?4, state = ?5, commander = ?6,"
       " responders_json = ?7, group_open = ?8, alert_count = ?9, firing_alert_count = ?10,"
       " updated_at = ?11, acknowledged_at = ?12, mitigated_at = ?13, resolved_at = ?14,"
       " closed_at = ?15, alerts_resolved_at = ?16, last_seq = ?17, last_hash = ?18"
       " WHERE number = ?1"},
      // Touches no indexed column, so no index is rewritten on the hot path.
      {&st_->update_incident_counters,
       "UPDATE incidents SET alert_count = ?2, firing_alert_count = ?3, updated_at = ?4,"
       " last_seq = ?5, last_hash = ?6 WHERE number = ?1"},
      {&st_->find_alert, "SELECT " + alert_columns +
                             " FROM alerts WHERE incident_number = ?1 AND fingerprint = ?2"
                             " ORDER BY id DESC LIMIT 1"},
      {&st_->insert_alert,
       "INSERT INTO alerts (" + alert_columns +
           ", group_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
           " ?15)"},
      // Content-based grouping and late resolves (partial indexes alerts_by_fingerprint and
      // alerts_by_group_key: each query repeats its index's condition).
      {&st_->find_grouped_member,
       "SELECT a.incident_number FROM alerts a JOIN incidents i ON i.number = a.incident_number"
       " WHERE a.service_id = ?1 AND a.fingerprint = ?2 AND a.fingerprint <> ''"
       " AND i.group_open = 1 ORDER BY a.id DESC LIMIT 1"},
      {&st_->find_group,
       "SELECT a.incident_number FROM alerts a JOIN incidents i ON i.number = a.incident_number"
       " WHERE a.service_id = ?1 AND a.group_key = ?2 AND a.group_key <> ''"
       " AND a.created_at >= ?3 AND i.group_open = 1 AND i.drill = 0 AND i.severity <= ?4"
       " ORDER BY a.id DESC LIMIT 1"},
      {&st_->find_active_elsewhere,
       "SELECT " + alert_columns +
           " FROM alerts WHERE service_id = ?1 AND fingerprint = ?2 AND fingerprint <> ''"
           " AND status <> 'resolved' AND incident_number <> ?3 ORDER BY id"},
      {&st_->update_alert,
       "UPDATE alerts SET status = ?2, updated_at = ?3, resolved_at = ?4 WHERE id = ?1"},
      {&st_->bulk_alert_status,
       "UPDATE alerts SET status = ?2, updated_at = ?3,"
       " resolved_at = CASE WHEN ?2 = 'resolved' THEN ?3 ELSE resolved_at END"
       " WHERE incident_number = ?1 AND status <> 'resolved' AND status <> ?2"},
      {&st_->insert_event, "INSERT INTO timeline_events (" + timeline_columns +
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      // A new incident writes two events: one statement instead of two.
      {&st_->insert_two_events, "INSERT INTO timeline_events (" + timeline_columns +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8),"
                                    " (?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"},
      {&st_->service_exists, "SELECT 1 FROM services WHERE id = ?1"},
      {&st_->insert_service,
       "INSERT INTO services (id, name, created_at, settings_json) VALUES (?1, ?2, ?3, ?4)"},
      {&st_->update_service,
       "UPDATE services SET name = ?2, settings_json = ?3 WHERE id = ?1"
       " RETURNING created_at"},
      {&st_->find_key,
       "SELECT id, service_id, prefix, created_at FROM integration_keys WHERE key_hash = ?1"},
      {&st_->insert_key,
       "INSERT INTO integration_keys (service_id, key_hash, prefix, created_at)"
       " VALUES (?1, ?2, ?3, ?4) RETURNING id"},
      {&st_->insert_token,
       "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)"
       " RETURNING id"},
      {&st_->insert_change,
       "INSERT INTO change_events (service_id, summary, source, occurred_at, received_at,"
       " details_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id"},
  };
  for (const Entry& e : entries) {
    if (e.sql.empty()) continue;  // not in this dialect
    Result<Statement*> stmt = db_->Prepare(e.sql);
    if (!stmt.ok()) {
      return Error::Internal(stmt.error().message + " in: " + e.sql);
    }
    *e.slot = *stmt;
  }
  return OkStatus();
}

// ---- transaction control ----

Status SqlWriter::BeginBatch() {
  batch_start_ = counters_;
  pending_.Clear();
  deadlines_->BeginBatch();
  {
    std::lock_guard<std::mutex> lock(hooks_mu_);
    batch_fire_now_ = fire_now_;
    batch_fanout_ = fanout_;
  }
  {
    Query q(st_->begin);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  if (db_->dialect() == Dialect::kSqlite) {
    // After a failure, what the writer keeps in memory may be what failed (another writer on the
    // file took the number it meant to use): read it again, inside the write lock.
    if (reload_counters_) {
      LOOM_RETURN_IF_ERROR(LoadCounters());
      batch_start_ = counters_;
      reload_counters_ = false;
    }
    return OkStatus();
  }
  // Several instances share a PostgreSQL database: take the write lock, then the counters as the
  // other instances left them.
  {
    Query q(st_->cluster_lock);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  LOOM_RETURN_IF_ERROR(LoadCounters());
  batch_start_ = counters_;
  return OkStatus();
}

Status SqlWriter::BeginCommand() {
  command_start_ = counters_;
  pending_.MarkCommand();
  deadlines_->BeginCommand();
  Query q(st_->savepoint);
  return q.Send();
}

// What the command sent (Query::Send) runs now, so that its errors are the command's own.
Status SqlWriter::FinishCommand() { return db_->Flush(); }

Status SqlWriter::EndCommand(bool ok) {
  if (ok) {
    Query q(st_->release);
    return q.Send();
  }
  counters_ = command_start_;
  pending_.RollbackCommand();
  deadlines_->RollbackCommand();
  if (!db_->InTransaction()) {
    return Error::Unavailable("SQLite rolled the transaction back after a failed command");
  }
  {
    Query q(st_->rollback_to);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  {
    Query q(st_->release);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  // The command may have failed on what the writer keeps in memory (a number another writer
  // took): read it again before the next command, so that one failure cannot fail every later
  // write. Inside the batch's write lock, the tables hold every command released before this one.
  return LoadCounters(/*mid_batch=*/true);
}

Status SqlWriter::CommitBatch() {
  for (const IncidentHead* head : pending_.All()) LOOM_RETURN_IF_ERROR(WriteHead(*head));
  pending_.Clear();
  for (auto [stmt, ids] : {std::pair(st_->deadline_sequence, deadlines_->batch_deadline_ids()),
                           std::pair(st_->outbox_sequence, deadlines_->batch_outbox_ids())}) {
    if (stmt == nullptr || ids.next == ids.first) continue;
    Query q(stmt);
    q.Bind(1, ids.next - 1);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  if (st_->notify != nullptr) LOOM_RETURN_IF_ERROR(NotifyOtherInstances());
  Query q(st_->commit);
  LOOM_RETURN_IF_ERROR(q.Run());
  after_durable_ = deadlines_->Committed();
  return OkStatus();
}

std::function<void()> SqlWriter::TakeAfterDurable() { return std::move(after_durable_); }

void SqlWriter::AbortBatch() {
  counters_ = batch_start_;
  reload_counters_ = true;  // at the next BEGIN (PostgreSQL reads them at every one)
  pending_.Clear();
  deadlines_->AbortBatch();
  if (db_->InTransaction()) {
    Query q(st_->rollback);
    (void)q.Run();
  }
}

Status SqlWriter::NotifyOtherInstances() {
  const std::vector<Deadline>& deadlines = deadlines_->created();
  const std::vector<OutboxEntry>& outbox = deadlines_->created_outbox();
  if (deadlines.empty() && outbox.empty()) return OkStatus();
  Query q(st_->notify);
  q.Bind(1, EncodeClusterNotice(instance_id_, deadlines, outbox));
  return q.Run();
}

// ---- reads inside the transaction ----

Result<std::optional<IncidentRow>> SqlWriter::FindOpenIncident(int64_t integration_key_id,
                                                               const std::string& dedup_key) {
  if (const IncidentHead* head = pending_.FindByGroup(integration_key_id, dedup_key)) {
    LOOM_RETURN_IF_ERROR(FlushPendingHead(head->number));
  }
  Query q(st_->find_open);
  q.Bind(1, integration_key_id);
  q.BindRef(2, dedup_key);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<IncidentRow>();
  IncidentRow r;
  ReadIncidentRow(q, &r);
  return std::optional<IncidentRow>(std::move(r));
}

Result<std::optional<IncidentRow>> SqlWriter::FindOpenIncidentHead(int64_t integration_key_id,
                                                                   const std::string& dedup_key) {
  IncidentRow r;
  r.integration_key_id = integration_key_id;
  r.incident.dedup_key = dedup_key;
  r.group_open = true;
  if (const IncidentHead* head = pending_.FindByGroup(integration_key_id, dedup_key)) {
    r.incident.number = head->number;
    r.incident.alert_count = head->alert_count;
    r.incident.firing_alert_count = head->firing_alert_count;
    r.incident.updated_at = head->updated_at;
    r.last_seq = head->last_seq;
    r.last_hash = head->last_hash;
    return std::optional<IncidentRow>(std::move(r));
  }
  Query q(st_->find_open_head);
  q.Bind(1, integration_key_id);
  q.BindRef(2, dedup_key);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<IncidentRow>();
  r.incident.number = q.Int(0);
  r.incident.alert_count = q.Int(1);
  r.incident.firing_alert_count = q.Int(2);
  r.last_seq = q.Int(3);
  r.last_hash = q.Text(4);
  return std::optional<IncidentRow>(std::move(r));
}

Status SqlWriter::FlushPendingHead(int64_t number) {
  std::optional<IncidentHead> head = pending_.Take(number);
  if (!head) return OkStatus();
  return WriteHead(*head);
}

Status SqlWriter::WriteHead(const IncidentHead& head) {
  Query q(st_->update_incident_counters);
  q.Bind(1, head.number);
  q.Bind(2, head.alert_count);
  q.Bind(3, head.firing_alert_count);
  q.Bind(4, head.updated_at);
  q.Bind(5, head.last_seq);
  q.BindRef(6, head.last_hash);
  return q.Send();
}

Result<std::optional<IncidentRow>> SqlWriter::LoadIncident(int64_t number) {
  LOOM_RETURN_IF_ERROR(FlushPendingHead(number));
  Query q(st_->load_incident);
  q.Bind(1, number);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<IncidentRow>();
  IncidentRow r;
  ReadIncidentRow(q, &r);
  return std::optional<IncidentRow>(std::move(r));
}

Result<SqlWriter::Plan> SqlWriter::PlanFor(int64_t number) {
  Result<std::optional<IncidentRow>> loaded = LoadIncident(number);
  if (!loaded.ok()) return std::move(loaded).error();
  if (!loaded->has_value()) return Error::NotFound(IncidentId(number) + " not found");
  Plan plan;
  plan.row = std::move(**loaded);
  return plan;
}

Result<std::optional<Alert>> SqlWriter::FindAlertByFingerprint(int64_t incident_number,
                                                               const std::string& fingerprint) {
  Query q(st_->find_alert);
  q.Bind(1, incident_number);
  q.Bind(2, fingerprint);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<Alert>();
  Alert a;
  ReadAlert(q, &a);
  return std::optional<Alert>(std::move(a));
}

// ---- plan building ----

void SqlWriter::AddEvent(Plan& plan, TimePoint at, const char* type, const std::string& actor,
                         std::string data_json) {
  TimelineEvent e;
  e.incident_number = plan.row.incident.number;
  e.seq = plan.row.last_seq + 1;
  e.at = at;
  e.type = type;
  e.actor = actor;
  e.data_json = std::move(data_json);
  e.prev_hash = std::move(plan.row.last_hash);
  e.hash = TimelineHash(e);
  plan.row.last_seq = e.seq;
  plan.row.last_hash = e.hash;
  plan.events.push_back(std::move(e));
}

void SqlWriter::StartIncident(Plan& plan, const IngestRequest& request, Severity severity,
                              IncidentKind kind, TimePoint now) {
  plan.create = true;
  IncidentRow& row = plan.row;
  Incident& inc = row.incident;
  inc.number = counters_.next_incident_number++;
  inc.service_id = request.service_id;
  inc.title = request.title.empty() ? request.dedup_key : request.title;
  inc.severity = severity;
  inc.kind = kind;
  inc.state = IncidentState::kTriggered;
  inc.dedup_key = request.dedup_key;
  inc.created_at = now;
  inc.updated_at = now;
  inc.drill = request.drill;
  row.integration_key_id = request.integration_key_id;
  row.group_open = true;
  JsonObjectWriter data;
  data.Add("title", inc.title)
      .Add("severity", SeverityName(severity))
      .Add("kind", IncidentKindName(kind))
      .Add("service", inc.service_id)
      .Add("dedup_key", inc.dedup_key);
  if (inc.drill) data.AddBool("drill", true);
  AddEvent(plan, now, "incident.triggered",
           request.actor.empty() ? IntegrationActor(request.service_id) : request.actor,
           data.Finish());
  StartEscalation(plan, now);
}

void SqlWriter::StartEscalation(Plan& plan, TimePoint now) {
  Deadline d;
  d.incident_number = plan.row.incident.number;
  d.kind = DeadlineKind::kEscalate;
  d.due_at = now;
  // The arm names this run of the escalation in outbox keys: unique per incident, because every
  // arming follows a new timeline event.
  d.payload_json =
      JsonObjectWriter().Add("arm", plan.row.last_seq + 1).Add("step", int64_t{0}).Finish();
  plan.deadlines.push_back(std::move(d));
}

void SqlWriter::StartCadence(Plan& plan, TimePoint last_update_at,
                             std::optional<TimePoint> promised_next_at, TimePoint now) {
  plan.cancel_cadence = true;
  JsonObjectWriter payload;
  payload.Add("last_update_at", ToUnixMicros(last_update_at));
  if (promised_next_at) payload.Add("promised_next_at", ToUnixMicros(*promised_next_at));
  Deadline d;
  d.incident_number = plan.row.incident.number;
  d.kind = DeadlineKind::kCadence;
  d.due_at = now;
  d.payload_json = payload.Finish();
  plan.deadlines.push_back(std::move(d));
}

Status SqlWriter::WriteDeadlines(const Plan& plan, TimePoint now) {
  const int64_t number = plan.row.incident.number;
  // Messages not yet sent go with the deadlines that would have sent them: an acknowledged
  // incident stops its pending pages (and their later contact methods) too.
  const std::string reason = std::string("incident ") + IncidentStateName(plan.row.incident.state);
  auto cancel = [&](DeadlineFamily family) -> Status {
    LOOM_RETURN_IF_ERROR(deadlines_->Cancel(number, family, now));
    return deadlines_->CancelOutbox(number, family, reason.c_str());
  };
  if (plan.cancel_all) {
    LOOM_RETURN_IF_ERROR(cancel(DeadlineFamily::kAll));
  } else {
    if (plan.cancel_escalation) LOOM_RETURN_IF_ERROR(cancel(DeadlineFamily::kEscalation));
    if (plan.cancel_cadence) LOOM_RETURN_IF_ERROR(cancel(DeadlineFamily::kCadence));
  }
  for (const Deadline& d : plan.deadlines) {
    Result<Deadline> inserted = deadlines_->Insert(d, now);
    if (!inserted.ok()) return std::move(inserted).error();
  }
  return OkStatus();
}

void SqlWriter::AddAlert(Plan& plan, const IngestRequest& request, const AlertUpdate& update,
                         TimePoint now) {
  Incident& inc = plan.row.incident;
  AlertWrite w;
  w.insert = true;
  Alert& a = w.alert;
  a.id = counters_.next_alert_id++;
  a.incident_number = inc.number;
  a.service_id = request.service_id;
  a.dedup_key = request.dedup_key;
  a.fingerprint = update.fingerprint;
  a.status = kFiring;
  a.summary = update.summary;
  a.source = update.source;
  a.raw_severity = update.raw_severity;
  a.severity = update.severity;
  a.created_at = now;
  a.updated_at = now;
  a.details_json = update.details_json.empty() ? "{}" : update.details_json;
  w.group_key = update.group_key;
  inc.alert_count += 1;
  inc.firing_alert_count += 1;
  inc.updated_at = now;
  plan.counters_changed = true;
  JsonObjectWriter data;
  data.Add("alert_id", a.id);
  if (!a.fingerprint.empty()) data.Add("fingerprint", a.fingerprint);
  data.Add("summary", a.summary).Add("severity", SeverityName(a.severity));
  if (!a.source.empty()) data.Add("source", a.source);
  // Joined an incident opened for another dedup key (services[].grouping).
  if (a.dedup_key != inc.dedup_key) data.Add("dedup_key", a.dedup_key).AddBool("grouped", true);
  AddEvent(plan, now, "alert.triggered", IntegrationActor(request.service_id), data.Finish());
  plan.alerts.push_back(std::move(w));
}

void SqlWriter::AcknowledgeFromIntegration(Plan& plan, const std::string& actor, TimePoint now) {
  Incident& inc = plan.row.incident;
  inc.state = IncidentState::kAcknowledged;
  inc.acknowledged_at = now;
  inc.updated_at = now;
  plan.full_update = true;
  plan.bulk_alert_status = kAcknowledged;
  AddEvent(plan, now, "incident.acknowledged", actor,
           JsonObjectWriter().Add("from", "triggered").Add("to", "acknowledged").Finish());
  plan.cancel_escalation = true;
  StartCadence(plan, now, std::nullopt, now);
}

void SqlWriter::CloseGroup(Plan& plan, const std::string& actor, int64_t alerts_resolved,
                           TimePoint now) {
  IncidentRow& row = plan.row;
  Incident& inc = row.incident;
  row.group_open = false;
  inc.alerts_resolved_at = now;
  inc.updated_at = now;
  plan.full_update = true;
  AddEvent(plan, now, "alerts.resolved", actor,
           JsonObjectWriter()
               .Add("resolved", alerts_resolved)
               .Add("alert_count", inc.alert_count)
               .Finish());
  // A security incident's playbook gate holds an auto-resolve too (it stays open).
  if (inc.open() && services_.AutoResolve(inc.service_id) && SecurityGate(inc, "resolved").ok()) {
    const IncidentState from = inc.state;
    inc.state = IncidentState::kResolved;
    inc.resolved_at = now;
    AddEvent(plan, now, "incident.resolved", actor,
             JsonObjectWriter()
                 .Add("from", IncidentStateName(from))
                 .Add("to", "resolved")
                 .Add("reason", "auto_resolve")
                 .Finish());
    plan.cancel_all = true;
  }
}

IngestOutcome SqlWriter::OutcomeOf(const Plan& plan, const std::string& dedup_key) {
  IngestOutcome out;
  out.dedup_key = dedup_key;
  out.incident_number = plan.row.incident.number;
  out.incident_created = plan.create;
  out.alerts_firing = plan.row.incident.firing_alert_count;
  out.alerts_resolved = plan.row.incident.alert_count - plan.row.incident.firing_alert_count;
  return out;
}

// ---- writing a plan ----

void SqlWriter::SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now) {
  deadlines_->SetListener(std::move(listener));
  std::lock_guard<std::mutex> lock(hooks_mu_);
  fire_now_ = std::move(fire_now);
}

void SqlWriter::SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) {
  deadlines_->SetOutboxListener(std::move(listener));
  std::lock_guard<std::mutex> lock(hooks_mu_);
  fanout_ = std::move(fanout);
}

void SqlWriter::AddEffects(Plan& plan, DeadlineEffects effects, TimePoint now) {
  for (DeadlineEffects::Event& e : effects.events) {
    AddEvent(plan, now, e.type.c_str(), "system", std::move(e.data_json));
  }
  for (OutboxEntry& entry : effects.outbox) {
    entry.incident_number = plan.row.incident.number;
    plan.outbox.push_back(std::move(entry));
  }
  for (Deadline& d : effects.deadlines) {
    d.incident_number = plan.row.incident.number;
    plan.deadlines.push_back(std::move(d));
  }
}

void SqlWriter::FireDueDeadlines(Plan& plan, TimePoint now) {
  if (!batch_fire_now_ || plan.head_only) return;
  // A bound on chains of due-now deadlines (every role of every step empty): far above any plan.
  constexpr int kMaxImmediate = 64;
  int fired = 0;
  for (size_t i = 0; i < plan.deadlines.size() && fired < kMaxImmediate;) {
    if (plan.deadlines[i].due_at > now) {
      ++i;
      continue;
    }
    Deadline due = std::move(plan.deadlines[i]);
    plan.deadlines.erase(plan.deadlines.begin() + static_cast<std::ptrdiff_t>(i));
    ++fired;
    std::optional<Incident> incident = plan.row.incident;
    AddEffects(plan, batch_fire_now_(due, incident, now), now);
  }
}

Status SqlWriter::WritePlan(Plan& plan) {
  const TimePoint now = clock_.Now();
  FireDueDeadlines(plan, now);
  const IncidentRow& row = plan.row;
  const Incident& inc = row.incident;
  if (plan.full_update && plan.head_only) {
    return Error::Internal("a partially loaded incident cannot be rewritten in full");
  }
  if (plan.create) {
    Query q(st_->insert_incident);
    q.Bind(1, inc.number);
    q.BindRef(2, inc.service_id);
    q.BindRef(3, inc.title);
    q.Bind(4, static_cast<int64_t>(inc.severity));
    q.BindRef(5, IncidentKindName(inc.kind));
    q.BindRef(6, IncidentStateName(inc.state));
    q.BindRef(7, inc.commander);
    q.Bind(8, EncodeResponders(inc.responders));
    q.BindRef(9, inc.dedup_key);
    q.Bind(10, inc.alert_count);
    q.Bind(11, inc.firing_alert_count);
    q.Bind(12, inc.created_at);
    q.Bind(13, inc.updated_at);
    q.Bind(14, inc.acknowledged_at);
    q.Bind(15, inc.mitigated_at);
    q.Bind(16, inc.resolved_at);
    q.Bind(17, inc.closed_at);
    q.Bind(18, inc.alerts_resolved_at);
    q.Bind(19, static_cast<int64_t>(inc.drill ? 1 : 0));
    q.Bind(20, row.integration_key_id);
    q.Bind(21, static_cast<int64_t>(row.group_open ? 1 : 0));
    q.Bind(22, row.last_seq);
    q.BindRef(23, row.last_hash);
    LOOM_RETURN_IF_ERROR(q.Send());
  } else if (plan.full_update) {
    Query q(st_->update_incident);
    q.Bind(1, inc.number);
    q.BindRef(2, inc.title);
    q.Bind(3, static_cast<int64_t>(inc.severity));
    q.BindRef(4, IncidentKindName(inc.kind));
    q.BindRef(5, IncidentStateName(inc.state));
    q.BindRef(6, inc.commander);
    q.Bind(7, EncodeResponders(inc.responders));
    q.Bind(8, static_cast<int64_t>(row.group_open ? 1 : 0));
    q.Bind(9, inc.alert_count);
    q.Bind(10, inc.firing_alert_count);
    q.Bind(11, inc.updated_at);
    q.Bind(12, inc.acknowledged_at);
    q.Bind(13, inc.mitigated_at);
    q.Bind(14, inc.resolved_at);
    q.Bind(15, inc.closed_at);
    q.Bind(16, inc.alerts_resolved_at);
    q.Bind(17, row.last_seq);
    q.BindRef(18, row.last_hash);
    LOOM_RETURN_IF_ERROR(q.Send());
  } else if (plan.head_only) {
    // Written once per batch, before the COMMIT (see PendingHeads).
    IncidentHead head;
    head.number = inc.number;
    head.integration_key_id = row.integration_key_id;
    head.dedup_key = inc.dedup_key;
    head.alert_count = inc.alert_count;
    head.firing_alert_count = inc.firing_alert_count;
    head.updated_at = inc.updated_at;
    head.last_seq = row.last_seq;
    head.last_hash = row.last_hash;
    pending_.Put(std::move(head));
  } else if (plan.counters_changed || !plan.events.empty()) {
    Query q(st_->update_incident_counters);
    q.Bind(1, inc.number);
    q.Bind(2, inc.alert_count);
    q.Bind(3, inc.firing_alert_count);
    q.Bind(4, inc.updated_at);
    q.Bind(5, row.last_seq);
    q.BindRef(6, row.last_hash);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  if (plan.bulk_alert_status != nullptr) {
    Query q(st_->bulk_alert_status);
    q.Bind(1, inc.number);
    q.BindRef(2, plan.bulk_alert_status);
    q.Bind(3, inc.updated_at);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  for (const AlertWrite& w : plan.alerts) {
    const Alert& a = w.alert;
    if (w.insert) {
      Query q(st_->insert_alert);
      q.Bind(1, a.id);
      q.Bind(2, a.incident_number);
      q.BindRef(3, a.service_id);
      q.BindRef(4, a.dedup_key);
      q.BindRef(5, a.fingerprint);
      q.BindRef(6, a.status);
      q.BindRef(7, a.summary);
      q.BindRef(8, a.source);
      q.BindRef(9, a.raw_severity);
      q.Bind(10, static_cast<int64_t>(a.severity));
      q.Bind(11, a.created_at);
      q.Bind(12, a.updated_at);
      q.Bind(13, a.resolved_at);
      q.BindRef(14, a.details_json);
      q.BindRef(15, w.group_key);
      LOOM_RETURN_IF_ERROR(q.Send());
    } else if (w.changed) {
      Query q(st_->update_alert);
      q.Bind(1, a.id);
      q.BindRef(2, a.status);
      q.Bind(3, a.updated_at);
      q.Bind(4, a.resolved_at);
      LOOM_RETURN_IF_ERROR(q.Send());
    }
  }
  auto bind_event = [](Query& q, int first, const TimelineEvent& e) {
    q.Bind(first, e.incident_number);
    q.Bind(first + 1, e.seq);
    q.Bind(first + 2, e.at);
    q.BindRef(first + 3, e.type);
    q.BindRef(first + 4, e.actor);
    q.BindRef(first + 5, e.data_json);
    q.BindRef(first + 6, e.prev_hash);
    q.BindRef(first + 7, e.hash);
  };
  size_t i = 0;
  for (; i + 1 < plan.events.size(); i += 2) {
    Query q(st_->insert_two_events);
    bind_event(q, 1, plan.events[i]);
    bind_event(q, 9, plan.events[i + 1]);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  if (i < plan.events.size()) {
    Query q(st_->insert_event);
    bind_event(q, 1, plan.events[i]);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  if (!plan.deadlines.empty() || plan.cancel_all || plan.cancel_escalation || plan.cancel_cadence) {
    LOOM_RETURN_IF_ERROR(WriteDeadlines(plan, now));
  }
  if (batch_fanout_ && !plan.head_only && !plan.events.empty()) {
    for (OutboxEntry& entry : batch_fanout_(inc, plan.events)) {
      entry.incident_number = inc.number;
      plan.outbox.push_back(std::move(entry));
    }
  }
  for (const OutboxEntry& entry : plan.outbox) {
    Result<bool> inserted = deadlines_->InsertOutbox(entry, now, /*fresh=*/plan.create);
    if (!inserted.ok()) return std::move(inserted).error();
    if (*inserted) ++plan.outbox_inserted;
  }
  return OkStatus();
}

// ---- ingest ----

Result<IngestOutcome> SqlWriter::ApplyIngest(const IngestRequest& request) {
  if (request.alerts.empty()) return Error::Invalid("the ingest request carries no alert");
  if (request.dedup_key.empty()) return Error::Invalid("the ingest request has no dedup key");
  if (request.service_id.empty()) return Error::Invalid("the ingest request has no service");
  const TimePoint now = clock_.Now();
  const bool keyed = std::any_of(request.alerts.begin(), request.alerts.end(),
                                 [](const AlertUpdate& a) { return !a.fingerprint.empty(); });
  if (keyed) return IngestKeyed(request, now);
  // PagerDuty-style: every alert is its own event on the dedup key, applied in order.
  Result<IngestOutcome> outcome = IngestOutcome{};
  for (const AlertUpdate& alert : request.alerts) {
    outcome = IngestUnkeyed(request, alert, now);
    if (!outcome.ok()) return outcome;
  }
  return outcome;
}

Result<IngestOutcome> SqlWriter::IngestUnkeyed(const IngestRequest& request,
                                               const AlertUpdate& alert, TimePoint now) {
  // A trigger into an open incident changes only its counters and chain (the hot path); the
  // other actions rewrite the whole row, so they load all of it.
  Result<std::optional<IncidentRow>> open =
      alert.action == AlertAction::kTrigger
          ? FindOpenIncidentHead(request.integration_key_id, request.dedup_key)
          : FindOpenIncident(request.integration_key_id, request.dedup_key);
  if (!open.ok()) return std::move(open).error();
  const std::string actor = IntegrationActor(request.service_id);
  Plan plan;
  switch (alert.action) {
    case AlertAction::kTrigger:
      if (open->has_value()) {
        plan.row = std::move(**open);
        plan.head_only = true;
      } else {
        StartIncident(plan, request, alert.severity, alert.kind, now);
      }
      AddAlert(plan, request, alert, now);
      break;
    case AlertAction::kAcknowledge:
      if (!open->has_value()) return IngestOutcome{request.dedup_key};
      plan.row = std::move(**open);
      if (plan.row.incident.state != IncidentState::kTriggered) {
        return OutcomeOf(plan, request.dedup_key);  // already acknowledged or later: no-op
      }
      AcknowledgeFromIntegration(plan, actor, now);
      break;
    case AlertAction::kResolve: {
      if (!open->has_value()) return IngestOutcome{request.dedup_key};
      plan.row = std::move(**open);
      const int64_t resolved = plan.row.incident.firing_alert_count;
      plan.row.incident.firing_alert_count = 0;
      plan.bulk_alert_status = kResolved;
      CloseGroup(plan, actor, resolved, now);
      break;
    }
  }
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return OutcomeOf(plan, request.dedup_key);
}

Result<std::optional<IncidentRow>> SqlWriter::FindGroupedIncident(const IngestRequest& request,
                                                                  const AlertUpdate* lead,
                                                                  TimePoint now) {
  const Duration window = services_.GroupingWindow(request.service_id);
  if (window <= Duration::zero() || request.drill) return std::optional<IncidentRow>();
  int64_t number = 0;
  for (const AlertUpdate& a : request.alerts) {
    Query q(st_->find_grouped_member);
    q.BindRef(1, request.service_id);
    q.BindRef(2, a.fingerprint);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (*row) {
      number = q.Int(0);
      break;
    }
  }
  if (number == 0 && lead != nullptr && !lead->group_key.empty()) {
    Query q(st_->find_group);
    q.BindRef(1, request.service_id);
    q.BindRef(2, lead->group_key);
    q.Bind(3, now - window);
    q.Bind(4, static_cast<int64_t>(lead->severity));
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (*row) number = q.Int(0);
  }
  if (number == 0) return std::optional<IncidentRow>();
  return LoadIncident(number);
}

Result<int64_t> SqlWriter::ResolveElsewhere(const IngestRequest& request,
                                            const std::vector<const AlertUpdate*>& resolves,
                                            int64_t except, TimePoint now) {
  // By incident, so that each incident is written once with all of its alerts.
  std::map<int64_t, std::vector<Alert>> by_incident;
  for (const AlertUpdate* update : resolves) {
    Query q(st_->find_active_elsewhere);
    q.BindRef(1, request.service_id);
    q.BindRef(2, update->fingerprint);
    q.Bind(3, except);
    while (true) {
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) break;
      Alert a;
      ReadAlert(q, &a);
      by_incident[a.incident_number].push_back(std::move(a));
    }
  }
  const std::string actor = IntegrationActor(request.service_id);
  int64_t last = 0;
  for (auto& [number, alerts] : by_incident) {
    Result<Plan> planned = PlanFor(number);
    if (!planned.ok()) return std::move(planned).error();
    Plan& plan = *planned;
    Incident& inc = plan.row.incident;
    // Recorded on the incident whatever its state: its timeline shows when the alert ended.
    for (Alert& a : alerts) {
      plan.alerts.push_back(AlertWrite{std::move(a), false, false, {}});
      ResolveMember(plan, plan.alerts.back(), actor, now);
    }
    if (inc.firing_alert_count <= 0) {
      inc.firing_alert_count = 0;
      CloseGroup(plan, actor, static_cast<int64_t>(alerts.size()), now);
    }
    LOOM_RETURN_IF_ERROR(WritePlan(plan));
    last = number;
  }
  return last;
}

void SqlWriter::ResolveMember(Plan& plan, AlertWrite& w, const std::string& actor, TimePoint now) {
  Incident& inc = plan.row.incident;
  Alert& a = w.alert;
  a.status = kResolved;
  a.resolved_at = now;
  a.updated_at = now;
  w.changed = true;
  inc.firing_alert_count -= 1;
  inc.updated_at = now;
  plan.counters_changed = true;
  JsonObjectWriter data;
  data.Add("alert_id", a.id).Add("fingerprint", a.fingerprint).Add("summary", a.summary);
  // After a responder resolved or closed the incident (its group closed while the alert fired).
  if (!inc.open()) data.Add("incident_state", IncidentStateName(inc.state));
  AddEvent(plan, now, "alert.resolved", actor, data.Finish());
}

Result<IngestOutcome> SqlWriter::IngestKeyed(const IngestRequest& request, TimePoint now) {
  Result<std::optional<IncidentRow>> open =
      FindOpenIncident(request.integration_key_id, request.dedup_key);
  if (!open.ok()) return std::move(open).error();
  const std::string actor = IntegrationActor(request.service_id);
  const AlertUpdate* lead = nullptr;  // the most severe firing alert leads a new incident
  std::vector<const AlertUpdate*> resolves;
  for (const AlertUpdate& a : request.alerts) {
    if (a.action == AlertAction::kResolve) resolves.push_back(&a);
    if (a.action != AlertAction::kTrigger) continue;
    if (lead == nullptr || static_cast<int>(a.severity) < static_cast<int>(lead->severity)) {
      lead = &a;
    }
  }
  if (!open->has_value()) {
    open = FindGroupedIncident(request, lead, now);
    if (!open.ok()) return std::move(open).error();
  }
  Plan plan;
  if (open->has_value()) {
    plan.row = std::move(**open);
  } else if (lead == nullptr) {
    // Only resolves (or acknowledgements) and no open group: the alerts may still be active on
    // an incident whose group a responder closed.
    Result<int64_t> changed = ResolveElsewhere(request, resolves, 0, now);
    if (!changed.ok()) return std::move(changed).error();
    IngestOutcome out;
    out.dedup_key = request.dedup_key;
    out.incident_number = *changed;
    return out;
  } else {
    StartIncident(plan, request, lead->severity, lead->kind, now);
  }
  Incident& inc = plan.row.incident;

  // The member alert with `fingerprint`: one this request already touched, else the stored one.
  auto member = [&](const std::string& fingerprint) -> Result<AlertWrite*> {
    for (AlertWrite& w : plan.alerts) {
      if (w.alert.fingerprint == fingerprint) return &w;
    }
    if (plan.create) return static_cast<AlertWrite*>(nullptr);
    Result<std::optional<Alert>> stored = FindAlertByFingerprint(inc.number, fingerprint);
    if (!stored.ok()) return std::move(stored).error();
    if (!stored->has_value()) return static_cast<AlertWrite*>(nullptr);
    plan.alerts.push_back(AlertWrite{std::move(**stored), false, false, {}});
    return &plan.alerts.back();
  };

  int64_t resolved_now = 0;
  bool acknowledge = false;
  for (const AlertUpdate& update : request.alerts) {
    if (update.action == AlertAction::kAcknowledge) {
      acknowledge = true;
      continue;
    }
    Result<AlertWrite*> found = member(update.fingerprint);
    if (!found.ok()) return std::move(found).error();
    AlertWrite* w = *found;
    if (update.action == AlertAction::kTrigger) {
      if (w == nullptr) {
        AddAlert(plan, request, update, now);
      } else if (w->alert.status == kResolved) {
        Alert& a = w->alert;
        a.status = kFiring;
        a.resolved_at.reset();
        a.updated_at = now;
        w->changed = true;
        inc.firing_alert_count += 1;
        inc.updated_at = now;
        plan.counters_changed = true;
        AddEvent(plan, now, "alert.triggered", actor,
                 JsonObjectWriter()
                     .Add("alert_id", a.id)
                     .Add("fingerprint", a.fingerprint)
                     .Add("summary", update.summary)
                     .Add("severity", SeverityName(update.severity))
                     .AddBool("refire", true)
                     .Finish());
      } else {
        // Still firing: Alertmanager repeats the group; note that we heard from it.
        w->alert.updated_at = now;
        w->changed = true;
      }
    } else if (w != nullptr && w->alert.status != kResolved) {  // kResolve
      ResolveMember(plan, *w, actor, now);
      ++resolved_now;
    }
  }
  if (acknowledge && inc.state == IncidentState::kTriggered) {
    AcknowledgeFromIntegration(plan, actor, now);
  }
  if (inc.firing_alert_count <= 0) {
    inc.firing_alert_count = 0;
    CloseGroup(plan, actor, resolved_now, now);
  }
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  if (!resolves.empty()) {
    // The same alerts may also be active on an earlier incident whose group a responder closed
    // while they fired (a later trigger opened this one).
    Result<int64_t> changed = ResolveElsewhere(request, resolves, inc.number, now);
    if (!changed.ok()) return std::move(changed).error();
  }
  return OutcomeOf(plan, request.dedup_key);
}

// ---- responder commands ----

Result<Incident> SqlWriter::ApplyExecute(const IncidentCommand& command) {
  Result<std::optional<IncidentRow>> loaded = LoadIncident(command.incident_number);
  if (!loaded.ok()) return std::move(loaded).error();
  if (!loaded->has_value()) {
    return Error::NotFound(IncidentId(command.incident_number) + " not found");
  }
  const TimePoint now = clock_.Now();
  if (command.type == IncidentCommand::Type::kAcknowledge && !command.link_nonce.empty()) {
    // First, so that a reused link says so whatever the incident's state; a later failure of the
    // command rolls this back with the savepoint and leaves the link unused.
    LOOM_RETURN_IF_ERROR(RecordUsedLink(*db_, command.link_nonce, command.incident_number, now));
  }
  Plan plan;
  plan.row = std::move(**loaded);
  Incident& inc = plan.row.incident;

  auto with_note = [&command](JsonObjectWriter& w) -> JsonObjectWriter& {
    if (!command.note.empty()) w.Add("note", command.note);
    return w;
  };

  std::optional<IncidentAction> action;
  switch (command.type) {
    case IncidentCommand::Type::kAcknowledge: action = IncidentAction::kAcknowledge; break;
    case IncidentCommand::Type::kMitigate: action = IncidentAction::kMitigate; break;
    case IncidentCommand::Type::kResolve: action = IncidentAction::kResolve; break;
    case IncidentCommand::Type::kClose:
      // The final summary is part of the close (runbook "Communications"): checked here, in the
      // close's transaction, once the transition itself is legal.
      if (inc.state == IncidentState::kResolved) {
        LOOM_RETURN_IF_ERROR(CheckSummaryForClose(*db_, inc));
      }
      action = IncidentAction::kClose;
      break;
    case IncidentCommand::Type::kUnacknowledge: action = IncidentAction::kUnacknowledge; break;
    case IncidentCommand::Type::kSetCommander: {
      if (command.commander.empty()) return Error::Invalid("the commander must not be empty");
      if (inc.state == IncidentState::kClosed) {
        return Error::Conflict(inc.id() + " is closed; its commander can no longer change");
      }
      if (command.commander == inc.commander) return inc;
      // One commander at a time: replacing one is a handover, recorded as such.
      const bool handover = !inc.commander.empty();
      JsonObjectWriter data;
      if (handover) data.Add("from", inc.commander).Add("to", command.commander);
      data.Add("commander", command.commander);
      inc.commander = command.commander;
      inc.updated_at = now;
      plan.full_update = true;
      AddEvent(plan, now, handover ? "commander.handover" : "incident.commander_assigned",
               command.actor, with_note(data).Finish());
      break;
    }
    case IncidentCommand::Type::kSetSeverity: {
      if (command.severity == inc.severity) return inc;
      JsonObjectWriter data;
      data.Add("from", SeverityName(inc.severity)).Add("to", SeverityName(command.severity));
      const bool raised = static_cast<int>(command.severity) < static_cast<int>(inc.severity);
      inc.severity = command.severity;
      inc.updated_at = now;
      plan.full_update = true;
      AddEvent(plan, now, "incident.severity_changed", command.actor, with_note(data).Finish());
      if (inc.state == IncidentState::kTriggered && raised) {
        // Re-evaluated at once under the new severity: a Sev3 raised to Sev1 pages now. A lowered
        // severity keeps its running escalation; each later step reads the new severity.
        plan.cancel_escalation = true;
        StartEscalation(plan, now);
      } else if (inc.state == IncidentState::kAcknowledged ||
                 inc.state == IncidentState::kMitigated) {
        Result<std::optional<TimePoint>> last = deadlines_->LastStatusUpdate(inc.number);
        if (!last.ok()) return std::move(last).error();
        TimePoint since = inc.acknowledged_at.value_or(now);
        if (*last && **last > since) since = **last;
        StartCadence(plan, since, std::nullopt, now);
      }
      break;
    }
    case IncidentCommand::Type::kReassign: {
      if (command.assignee.empty()) return Error::Invalid("the assignee must not be empty");
      if (inc.state != IncidentState::kTriggered && inc.state != IncidentState::kAcknowledged) {
        return Error::Conflict(inc.id() + " is " + IncidentStateName(inc.state) +
                               "; only a triggered or acknowledged incident can be reassigned");
      }
      JsonObjectWriter data;
      data.Add("assignee", command.assignee).Add("from", IncidentStateName(inc.state));
      inc.state = IncidentState::kTriggered;
      inc.acknowledged_at.reset();
      inc.updated_at = now;
      plan.full_update = true;
      plan.bulk_alert_status = kFiring;
      AddEvent(plan, now, "incident.reassigned", command.actor, with_note(data).Finish());
      // Re-armed: the assignee is paged now and, unacknowledged, the plan goes on from step 1.
      plan.cancel_all = true;
      StartEscalation(plan, now);
      plan.deadlines.back().payload_json = JsonObjectWriter()
                                               .Add("arm", plan.row.last_seq + 1)
                                               .Add("step", int64_t{0})
                                               .Add("assignee", command.assignee)
                                               .Finish();
      break;
    }
    case IncidentCommand::Type::kStatusUpdate: {
      if (command.impact.empty() && command.scope.empty() && command.mitigation.empty()) {
        return Error::Invalid("a status update needs at least one of impact, scope, mitigation");
      }
      if (!inc.open()) {
        return Error::Conflict(inc.id() + " is " + IncidentStateName(inc.state) +
                               "; status updates end with the resolution");
      }
      JsonObjectWriter data;
      if (!command.impact.empty()) data.Add("impact", command.impact);
      if (!command.scope.empty()) data.Add("scope", command.scope);
      if (!command.mitigation.empty()) data.Add("mitigation", command.mitigation);
      if (command.next_update_at) {
        data.Add("next_update_at", ToUnixMicros(*command.next_update_at));
      }
      inc.updated_at = now;
      AddEvent(plan, now, "incident.status_update", command.actor, with_note(data).Finish());
      if (inc.state == IncidentState::kAcknowledged || inc.state == IncidentState::kMitigated) {
        StartCadence(plan, now, command.next_update_at, now);
      }
      break;
    }
    case IncidentCommand::Type::kAddNote: {
      if (command.note.empty()) return Error::Invalid("the note must not be empty");
      inc.updated_at = now;
      AddEvent(plan, now, "incident.note", command.actor,
               JsonObjectWriter().Add("note", command.note).Finish());
      break;
    }
  }

  if (action) {
    Result<IncidentState> next = NextState(inc, *action);
    if (!next.ok()) return std::move(next).error();
    if (*next == IncidentState::kResolved || *next == IncidentState::kClosed) {
      // In this transaction, so no checklist change can slip in between the check and the state.
      LOOM_RETURN_IF_ERROR(
          SecurityGate(inc, *next == IncidentState::kResolved ? "resolved" : "closed"));
    }
    const IncidentState from = inc.state;
    inc.state = *next;
    inc.updated_at = now;
    switch (*next) {
      case IncidentState::kAcknowledged: inc.acknowledged_at = now; break;
      case IncidentState::kMitigated: inc.mitigated_at = now; break;
      case IncidentState::kResolved: inc.resolved_at = now; break;
      case IncidentState::kClosed: inc.closed_at = now; break;
      case IncidentState::kTriggered: break;
    }
    // A responder's resolve or close ends the dedup group: the next trigger opens a new incident.
    if (*next == IncidentState::kResolved || *next == IncidentState::kClosed) {
      plan.row.group_open = false;
    }
    plan.full_update = true;
    switch (*next) {
      case IncidentState::kAcknowledged:
        plan.cancel_escalation = true;
        StartCadence(plan, now, std::nullopt, now);
        break;
      case IncidentState::kTriggered:  // unacknowledged: escalation starts again from step 0
        plan.cancel_all = true;
        plan.bulk_alert_status = kFiring;
        inc.acknowledged_at.reset();
        StartEscalation(plan, now);
        break;
      case IncidentState::kResolved:
      case IncidentState::kClosed: plan.cancel_all = true; break;
      case IncidentState::kMitigated: break;
    }
    const std::string type = *next == IncidentState::kTriggered
                                 ? std::string("incident.unacknowledged")
                                 : std::string("incident.") + IncidentStateName(*next);
    JsonObjectWriter data;
    data.Add("from", IncidentStateName(from)).Add("to", IncidentStateName(*next));
    if (!command.via.empty()) data.Add("via", command.via);
    AddEvent(plan, now, type.c_str(), command.actor, with_note(data).Finish());
    if (*next == IncidentState::kAcknowledged) {
      plan.bulk_alert_status = kAcknowledged;
      if (inc.commander.empty() && !command.actor.empty()) {
        inc.commander = command.actor;
        AddEvent(plan, now, "incident.commander_assigned", command.actor,
                 JsonObjectWriter().Add("commander", command.actor).Finish());
      }
    }
  }
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return inc;
}

Result<TimelineEvent> SqlWriter::ApplySystemEvent(int64_t incident_number, const std::string& type,
                                                  const std::string& actor,
                                                  const std::string& data_json) {
  if (type.empty()) return Error::Invalid("the timeline event has no type");
  if (data_json.empty() || data_json.front() != '{' || data_json.back() != '}') {
    return Error::Invalid("the timeline event's data must be a JSON object");
  }
  Result<Plan> planned = PlanFor(incident_number);
  if (!planned.ok()) return std::move(planned).error();
  Plan& plan = *planned;
  AddEvent(plan, clock_.Now(), type.c_str(), actor, data_json);
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return plan.events.back();
}

// ---- security playbook ----

Status SqlWriter::SecurityGate(const Incident& incident, const char* verb) {
  // A security drill rehearses the checklist; its notes record how far it got (docs/drills.md).
  if (incident.kind != IncidentKind::kSecurity || incident.drill) return OkStatus();
  Result<SecurityPlaybookState> state =
      ReadPlaybookState(*db_, incident.number, checklist_template_);
  if (!state.ok()) return std::move(state).error();
  return CheckSecurityCloseGate(incident.id(), verb, *state);
}

Result<Incident> SqlWriter::ApplyIncidentEvent(int64_t number, const char* type,
                                               const std::string& actor,
                                               const IncidentWrite& apply) {
  Result<Plan> planned = PlanFor(number);
  if (!planned.ok()) return std::move(planned).error();
  Plan& plan = *planned;
  Result<std::string> data = apply(*db_, plan.row.incident);
  if (!data.ok()) return std::move(data).error();
  const TimePoint now = clock_.Now();
  plan.row.incident.updated_at = now;
  AddEvent(plan, now, type, actor, std::move(*data));
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return plan.row.incident;
}

// ---- services, tokens, change events ----

Result<ServiceWrite> SqlWriter::ApplyCreateService(const Service& service,
                                                   const std::string& key_hash) {
  if (!IsValidServiceId(service.id)) return Error::Invalid("invalid service id: " + service.id);
  if (key_hash.empty()) return Error::Invalid("the integration key hash must not be empty");
  const TimePoint now = clock_.Now();
  ServiceWrite out;
  out.service = service;
  out.service.created_at = now;
  if (out.service.name.empty()) out.service.name = service.id;
  {
    Query q(st_->insert_service);
    q.Bind(1, out.service.id);
    q.Bind(2, out.service.name);
    q.Bind(3, now);
    q.Bind(4, EncodeSettings(out.service.settings));
    Status s = q.Run();
    if (!s.ok()) {
      if (s.error().code == ErrorCode::kConflict) {
        return Error::Conflict("service " + service.id + " already exists");
      }
      return std::move(s).error();
    }
  }
  IntegrationKey key;
  key.service_id = service.id;
  key.key_hash = key_hash;
  key.created_at = now;
  Query q(st_->insert_key);
  q.Bind(1, key.service_id);
  q.Bind(2, key.key_hash);
  q.Bind(3, key.prefix);
  q.Bind(4, now);
  Result<int64_t> id = q.RunReturningInt();
  if (!id.ok()) {
    if (id.error().code == ErrorCode::kConflict) {
      return Error::Conflict("the integration key is already in use");
    }
    return std::move(id).error();
  }
  key.id = *id;
  out.added_keys.push_back(std::move(key));
  return out;
}

Result<ServiceWrite> SqlWriter::ApplyUpsertService(const Service& service,
                                                   const std::vector<std::string>& key_hashes) {
  if (!IsValidServiceId(service.id)) return Error::Invalid("invalid service id: " + service.id);
  const TimePoint now = clock_.Now();
  ServiceWrite out;
  out.service = service;
  if (out.service.name.empty()) out.service.name = service.id;
  const std::string settings = EncodeSettings(service.settings);
  bool updated = false;
  {
    Query q(st_->update_service);
    q.Bind(1, service.id);
    q.Bind(2, out.service.name);
    q.Bind(3, settings);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (*row) {
      updated = true;
      out.service.created_at = q.Time(0);
      LOOM_RETURN_IF_ERROR(q.Run());  // finish the statement
    }
  }
  if (!updated) {
    out.service.created_at = now;
    Query q(st_->insert_service);
    q.Bind(1, service.id);
    q.Bind(2, out.service.name);
    q.Bind(3, now);
    q.Bind(4, settings);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  for (const std::string& hash : key_hashes) {
    if (hash.empty()) return Error::Invalid("an integration key hash is empty");
    {
      Query q(st_->find_key);
      q.Bind(1, hash);
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (*row) {
        if (q.TextView(1) == service.id) continue;
        return Error::Conflict("an integration key of service " + q.Text(1) +
                               " is configured for service " + service.id);
      }
    }
    IntegrationKey key;
    key.service_id = service.id;
    key.key_hash = hash;
    key.created_at = now;
    Query q(st_->insert_key);
    q.Bind(1, key.service_id);
    q.Bind(2, key.key_hash);
    q.Bind(3, key.prefix);
    q.Bind(4, now);
    Result<int64_t> id = q.RunReturningInt();
    if (!id.ok()) return std::move(id).error();
    key.id = *id;
    out.added_keys.push_back(std::move(key));
  }
  return out;
}

Result<ApiToken> SqlWriter::ApplyCreateToken(const std::string& name, Role role,
                                             const std::string& token_hash) {
  if (name.empty()) return Error::Invalid("the token name must not be empty");
  if (token_hash.empty()) return Error::Invalid("the token hash must not be empty");
  ApiToken token;
  token.name = name;
  token.role = role;
  token.token_hash = token_hash;
  token.created_at = clock_.Now();
  Query q(st_->insert_token);
  q.Bind(1, token.name);
  q.Bind(2, RoleName(role));
  q.Bind(3, token.token_hash);
  q.Bind(4, token.created_at);
  Result<int64_t> id = q.RunReturningInt();
  if (!id.ok()) {
    if (id.error().code == ErrorCode::kConflict) return Error::Conflict("the token already exists");
    return std::move(id).error();
  }
  token.id = *id;
  return token;
}

Result<int64_t> SqlWriter::ApplyChangeEvent(const ChangeEvent& event) {
  if (event.summary.empty()) return Error::Invalid("the change event has no summary");
  {
    Query q(st_->service_exists);
    q.Bind(1, event.service_id);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return Error::NotFound("service " + event.service_id + " not found");
  }
  Query q(st_->insert_change);
  q.Bind(1, event.service_id);
  q.Bind(2, event.summary);
  q.Bind(3, event.source);
  q.Bind(4, event.occurred_at);
  q.Bind(5, ToUnixMicros(event.received_at) != 0 ? event.received_at : clock_.Now());
  q.Bind(6, event.details_json.empty() ? std::string("{}") : event.details_json);
  return q.RunReturningInt();
}

// ---- the escalation engine's deadlines ----

Result<DeadlineFiring> SqlWriter::ApplyFireDeadline(int64_t id, const DeadlineHandler& handler) {
  Result<std::optional<Deadline>> found = deadlines_->FindPending(id);
  if (!found.ok()) return std::move(found).error();
  DeadlineFiring firing;
  if (!found->has_value()) return firing;  // fired or cancelled already
  const Deadline& deadline = **found;
  const TimePoint now = clock_.Now();

  Plan plan;
  std::optional<Incident> incident;
  if (deadline.incident_number != 0) {
    Result<std::optional<IncidentRow>> loaded = LoadIncident(deadline.incident_number);
    if (!loaded.ok()) return std::move(loaded).error();
    if (loaded->has_value()) {
      plan.row = std::move(**loaded);
      incident = plan.row.incident;
    }
  }
  DeadlineEffects effects = handler(deadline, incident, now);
  LOOM_RETURN_IF_ERROR(deadlines_->MarkFired(id, now));
  firing.fired = true;
  firing.fired_at = now;
  if (incident) {
    AddEffects(plan, std::move(effects), now);
    LOOM_RETURN_IF_ERROR(WritePlan(plan));
    firing.outbox_inserted = plan.outbox_inserted;
  } else if (deadline.incident_number == 0) {
    // A deadline of no incident (a follow-up's reminder, drill_due): its messages and next
    // deadlines stand alone; timeline events have no incident to go to.
    for (OutboxEntry& entry : effects.outbox) {
      entry.incident_number = 0;
      Result<bool> inserted = deadlines_->InsertOutbox(entry, now);
      if (!inserted.ok()) return std::move(inserted).error();
      if (*inserted) ++firing.outbox_inserted;
    }
    for (Deadline& d : effects.deadlines) {
      d.incident_number = 0;
      Result<Deadline> inserted = deadlines_->Insert(std::move(d), now);
      if (!inserted.ok()) return std::move(inserted).error();
    }
  }
  return firing;
}

Result<Incident> SqlWriter::AppendEvent(int64_t number, const std::string& type,
                                        const std::string& actor, std::string data_json) {
  return ApplyIncidentEvent(
      number, type.c_str(), actor,
      [&](Connection&, const Incident&) -> Result<std::string> { return std::move(data_json); });
}

Result<Deadline> SqlWriter::ApplyScheduleDrillDue(const Deadline& deadline) {
  const TimePoint now = clock_.Now();
  LOOM_RETURN_IF_ERROR(CancelPendingDrillDue(*db_, now));
  Deadline d = deadline;
  d.incident_number = 0;
  d.kind = DeadlineKind::kDrillDue;
  return deadlines_->Insert(std::move(d), now);
}

// ---- delivery ----

Result<int64_t> SqlWriter::ApplyRecordDeliveries(const std::vector<DeliveryRecord>& records) {
  const TimePoint now = clock_.Now();
  int64_t changed = 0;
  // One plan per incident, so that its timeline events chain in order.
  std::map<int64_t, Plan> plans;
  for (const DeliveryRecord& r : records) {
    Result<bool> updated = deadlines_->RecordDelivery(r, now);
    if (!updated.ok()) return std::move(updated).error();
    if (!*updated) continue;  // cancelled or recorded meanwhile
    ++changed;
    if (r.incident_number == 0) continue;
    auto [it, fresh] = plans.try_emplace(r.incident_number);
    Plan& plan = it->second;
    if (fresh) {
      Result<std::optional<IncidentRow>> loaded = LoadIncident(r.incident_number);
      if (!loaded.ok()) return std::move(loaded).error();
      if (!loaded->has_value()) {
        plans.erase(it);
        continue;
      }
      plan.row = std::move(**loaded);
    }
    if (!r.event_type.empty()) {
      AddEvent(plan, now, r.event_type.c_str(), "system", r.event_data_json);
    }
    for (const OutboxEntry& follow : r.follow_up) {
      // Already planned for later (a rule's delay): bring it forward instead.
      Result<bool> moved = deadlines_->AdvanceOutbox(follow);
      if (!moved.ok()) return std::move(moved).error();
      if (*moved) continue;
      OutboxEntry e = follow;
      e.incident_number = r.incident_number;
      plan.outbox.push_back(std::move(e));
    }
  }
  for (auto& [number, plan] : plans) LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return changed;
}

Result<int64_t> SqlWriter::ApplyClaimOutbox(const std::vector<OutboxClaim>& claims) {
  int64_t changed = 0;
  for (const OutboxClaim& claim : claims) {
    Result<bool> claimed = deadlines_->ClaimOutbox(claim);
    if (!claimed.ok()) return std::move(claimed).error();
    if (*claimed) ++changed;
  }
  return changed;
}

Status SqlWriter::ApplyDisableDestination(const std::string& key, const std::string& reason) {
  return deadlines_->DisableDestination(key, reason, clock_.Now());
}

}  // namespace loom::sql
