// SqlWriter (sql_writer.h): opening, the prepared statements and the batch and command plumbing
// of GroupCommitWriter. The writes themselves are in sql_writer_plan.cc (one incident's plan),
// sql_writer_execute.cc (responder commands), sql_writer_ingest.cc (integrations),
// sql_writer_admin.cc (services, tokens, change events) and sql_writer_outbox.cc (deadlines,
// firings, deliveries).
#include "store/sql/sql_writer.h"

#include "common/crypto.h"
#include "store/sql/cluster_notice.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {

namespace {

// The advisory lock key of the cluster-wide write lock (PostgreSQL).
constexpr int64_t kWriteLock = 0x6c6f6f6d0002;  // "loom" 2

}  // namespace

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

}  // namespace loom::sql
