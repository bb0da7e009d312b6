#include "store/sql/schema.h"

#include <regex>
#include <set>
#include <string>
#include <utility>

namespace loom::sql {
namespace {

// The advisory lock key that serialises migrations across instances (PostgreSQL).
constexpr int64_t kMigrationLock = 0x6c6f6f6d0001;  // "loom" 1

// Times are unix microseconds (INTEGER). Severity is 1..4. Timeline rows are small and always
// read by (incident_number, seq), so that table is WITHOUT ROWID (one b-tree instead of two).
//
// "Open" is spelled `state NOT IN ('resolved', 'closed')`, not an IN list of the three open
// states: SQLite evaluates a partial index's WHERE on every insert and update, and an IN list of
// more than two constants costs an ephemeral table each time. Queries that want the partial
// index must repeat the same term.
//
// The writer keeps incidents, alerts and timeline events consistent by construction (it is the
// only writer and writes them in one plan), so those hot tables carry no FOREIGN KEY clauses:
// each would add a parent lookup and a statement journal to every insert. The cold tables keep
// theirs.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE services (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  settings_json TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE integration_keys (
  id INTEGER PRIMARY KEY,
  service_id TEXT NOT NULL REFERENCES services(id),
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE incidents (
  number INTEGER PRIMARY KEY,
  service_id TEXT NOT NULL,
  title TEXT NOT NULL,
  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  commander TEXT NOT NULL DEFAULT '',
  responders_json TEXT NOT NULL DEFAULT '[]',
  dedup_key TEXT NOT NULL,
  integration_key_id INTEGER NOT NULL,
  group_open INTEGER NOT NULL,
  alert_count INTEGER NOT NULL DEFAULT 0,
  firing_alert_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  mitigated_at INTEGER,
  resolved_at INTEGER,
  closed_at INTEGER,
  alerts_resolved_at INTEGER,
  last_seq INTEGER NOT NULL DEFAULT 0,
  last_hash TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX incidents_open_group ON incidents(integration_key_id, dedup_key)
  WHERE group_open = 1;
CREATE INDEX incidents_open_by_severity ON incidents(severity)
  WHERE state NOT IN ('resolved', 'closed');
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  incident_number INTEGER NOT NULL,
  service_id TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  raw_severity TEXT NOT NULL DEFAULT '',
  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  resolved_at INTEGER,
  details_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX alerts_by_incident ON alerts(incident_number, fingerprint);
CREATE TABLE timeline_events (
  incident_number INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  data_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (incident_number, seq)
) WITHOUT ROWID;
CREATE TABLE deadlines (
  id INTEGER PRIMARY KEY,
  incident_number INTEGER,
  kind TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  payload_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  fired_at INTEGER
);
CREATE INDEX deadlines_pending ON deadlines(due_at) WHERE fired_at IS NULL;
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  unique_key TEXT NOT NULL UNIQUE,
  incident_number INTEGER,
  step INTEGER NOT NULL DEFAULT 0,
  recipient TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL DEFAULT '',
  payload_json TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX outbox_undelivered ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
CREATE TABLE change_events (
  id INTEGER PRIMARY KEY,
  service_id TEXT NOT NULL REFERENCES services(id),
  summary TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  occurred_at INTEGER,
  received_at INTEGER NOT NULL,
  details_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX change_events_by_service ON change_events(service_id, id);
)sql";

// The escalation engine: outbox entries name the role they were sent for; deadlines record
// whether they fired or were cancelled (a re-armed escalation, a new status update, a resolve).
constexpr std::string_view kMigration2 = R"sql(
ALTER TABLE outbox ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE deadlines ADD COLUMN outcome TEXT;
CREATE INDEX deadlines_pending_by_incident ON deadlines(incident_number, kind)
  WHERE fired_at IS NULL;
CREATE INDEX outbox_by_incident ON outbox(incident_number, id);
)sql";

// On-call: users seeded from the configuration, and overrides created through the API. Schedules
// themselves live in the configuration file only.
constexpr std::string_view kMigrationOnCall = R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  contact_methods_json TEXT NOT NULL DEFAULT '[]',
  updated_at INTEGER NOT NULL
);
CREATE TABLE schedule_overrides (
  id INTEGER PRIMARY KEY,
  schedule_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX schedule_overrides_by_schedule ON schedule_overrides(schedule_id, starts_at);
)sql";

// Delivery: each outbox row goes through one contact method (or incident channel), is due at
// next_attempt_at while pending, and records its last error. Rows written before delivery
// existed name no method and can never be sent: they are cancelled. Destinations that answered
// 410 are remembered in disabled_destinations.
constexpr std::string_view kMigrationDelivery = R"sql(
ALTER TABLE outbox ADD COLUMN method TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN method_type TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
UPDATE outbox SET state = 'cancelled', last_error = 'written before delivery existed'
  WHERE state = 'pending';
DROP INDEX outbox_undelivered;
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE state = 'pending';
CREATE TABLE disabled_destinations (
  key TEXT PRIMARY KEY,
  reason TEXT NOT NULL DEFAULT '',
  disabled_at INTEGER NOT NULL
);
)sql";

// One-click links in notifications (src/notify/action_link.h): the single-use ids of the
// acknowledge links already used, and small named settings (the generated link key).
constexpr std::string_view kMigrationActionLinks = R"sql(
CREATE TABLE used_links (
  nonce TEXT PRIMARY KEY,
  incident_number INTEGER,
  used_at INTEGER
);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT
);
)sql";

// Security playbook (src/core/security_playbook.h, security_tables.h): the checklist of each
// security incident (its items copied from the template when first written), the security
// report, and the evidence locker. Contents are kept once per SHA-256.
constexpr std::string_view kMigrationSecurityPlaybook = R"sql(
CREATE TABLE security_checklist (
  incident_number INTEGER NOT NULL,
  position INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  text TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  done_at INTEGER,
  done_by TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (incident_number, item_id)
);
CREATE TABLE security_reports (
  incident_number INTEGER PRIMARY KEY,
  timeline TEXT NOT NULL,
  indicators TEXT NOT NULL,
  containment TEXT NOT NULL,
  residual_risk TEXT NOT NULL,
  revision INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE evidence_contents (
  sha256 TEXT PRIMARY KEY,
  content BLOB NOT NULL
);
CREATE TABLE evidence (
  id INTEGER PRIMARY KEY,
  incident_number INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL DEFAULT '',
  uri TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL REFERENCES evidence_contents(sha256),
  size INTEGER NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX evidence_by_incident ON evidence(incident_number, id);
)sql";

// Final summaries, follow-ups and post-incident reviews (store/sql/followup_tables.h).
constexpr std::string_view kMigrationFollowups = R"sql(
CREATE TABLE final_summaries (
  incident_number INTEGER PRIMARY KEY,
  root_cause TEXT NOT NULL,
  customer_impact TEXT NOT NULL,
  remediation TEXT NOT NULL,
  followups_json TEXT NOT NULL DEFAULT '[]',
  no_followups_reason TEXT NOT NULL DEFAULT '',
  updated_by TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
CREATE TABLE followups (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  owner TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  source_kind TEXT NOT NULL DEFAULT '',
  source_ref TEXT NOT NULL DEFAULT '',
  incident_number INTEGER NOT NULL DEFAULT 0,
  service_id TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  closed_at INTEGER
);
CREATE INDEX followups_incident ON followups(incident_number);
CREATE TABLE reviews (
  incident_number INTEGER PRIMARY KEY,
  document_json TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  published_by TEXT NOT NULL DEFAULT '',
  published_at INTEGER
);
)sql";

// Drills (src/core/drill.h): incidents opened by `drill start` are flagged, kept out of response
// statistics, and their messages marked as drill.
constexpr std::string_view kMigrationDrills = R"sql(
ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
)sql";

// Delivery: the message an outbox row goes out in, recorded before the message's first attempt,
// so that a message re-sent after a crash keeps its id and its rows (src/engine/delivery.h).
// NULL: not yet in a message.
constexpr std::string_view kMigrationOutboxMessages = R"sql(
ALTER TABLE outbox ADD COLUMN message_id TEXT;
)sql";

// Alerts outlive their incident's group (a responder's resolve while they fire): a later resolve
// from the source finds them by service and fingerprint. Content-based grouping
// (services[].grouping) finds the open incident an alert joins by its group key. Both indexes
// are partial, so PagerDuty events (no fingerprint, no group key) add no index entries, and
// neither names a column that the writer updates.
constexpr std::string_view kMigrationAlertTracking = R"sql(
ALTER TABLE alerts ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_by_fingerprint ON alerts(service_id, fingerprint) WHERE fingerprint <> '';
CREATE INDEX alerts_by_group_key ON alerts(service_id, group_key, created_at)
  WHERE group_key <> '';
)sql";

// Accounts (store/account_store.h): users carry their role, where they came from and their
// password hash; API tokens may act as a user; single-use password reset tokens; console
// sessions of people, by the SHA-256 of the cookie value.
constexpr std::string_view kMigrationAccounts = R"sql(
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'config';
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  grants TEXT NOT NULL DEFAULT ''
);
CREATE INDEX console_sessions_by_user ON console_sessions(user_id);
)sql";

// Heartbeats (core/heartbeat.h, store/sql/heartbeat_tables.h). A ping updates only last_ping_at
// (by primary key); `deadline_id` names the pending heartbeat_expire deadline, so that an edit
// can cancel it by id.
constexpr std::string_view kMigrationHeartbeats = R"sql(
CREATE TABLE heartbeats (
  id TEXT PRIMARY KEY,
  service_id TEXT NOT NULL REFERENCES services(id),
  name TEXT NOT NULL,
  interval_us INTEGER NOT NULL,
  grace_us INTEGER NOT NULL,
  severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
  enabled INTEGER NOT NULL DEFAULT 1,
  source TEXT NOT NULL,
  state TEXT NOT NULL,
  last_ping_at INTEGER,
  resumed_at INTEGER NOT NULL DEFAULT 0,
  incident_number INTEGER NOT NULL DEFAULT 0,
  deadline_id INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX heartbeats_by_name ON heartbeats(service_id, name);
)sql";

// Maintenance windows (core/maintenance.h, store/sql/maintenance_tables.h): one-off [start_at,
// end_at) or weekly (weekly_days bits, minutes after local midnight, zone). `config_id` is a
// configured window's id ('' for the API's). Nothing is deleted: an early end and a cancel are
// recorded with their actor.
constexpr std::string_view kMigrationMaintenance = R"sql(
CREATE TABLE maintenance_windows (
  id INTEGER PRIMARY KEY,
  config_id TEXT NOT NULL DEFAULT '',
  services_json TEXT NOT NULL,
  reason TEXT NOT NULL,
  start_at INTEGER NOT NULL DEFAULT 0,
  end_at INTEGER NOT NULL DEFAULT 0,
  weekly_days INTEGER NOT NULL DEFAULT 0,
  weekly_from INTEGER NOT NULL DEFAULT 0,
  weekly_to INTEGER NOT NULL DEFAULT 0,
  weekly_time_zone TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  ended_at INTEGER,
  ended_by TEXT NOT NULL DEFAULT '',
  cancelled_at INTEGER,
  cancelled_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX maintenance_windows_by_end ON maintenance_windows(end_at);
)sql";

// SMS and voice through Twilio (src/notify/twilio): the provider's id of the attempt it accepted
// and the delivery state its status callbacks report, per outbox row; the numbers that replied
// STOP (no SMS until START).
constexpr std::string_view kMigrationTwilio = R"sql(
ALTER TABLE outbox ADD COLUMN provider_id TEXT;
ALTER TABLE outbox ADD COLUMN provider_status TEXT;
CREATE INDEX outbox_by_provider_id ON outbox(provider_id) WHERE provider_id IS NOT NULL;
CREATE TABLE sms_opt_outs (
  number TEXT PRIMARY KEY,
  opted_out_at INTEGER NOT NULL
);
)sql";

// What Pushover and Telegram pages left behind (store/push_store.h): the receipt or the
// button's short id a callback names, the recipient it acts as, the Telegram message to edit,
// and whether the page was settled (receipt cancelled, message edited) once its incident moved
// on. next_attempt_at is 0 until a settle attempt failed. The partial index keeps the settling's
// scan to the unsettled rows.
constexpr std::string_view kMigrationPushPages = R"sql(
CREATE TABLE push_pages (
  channel TEXT NOT NULL,
  ref TEXT NOT NULL,
  incident_number INTEGER NOT NULL,
  recipient TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  settled INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (channel, ref, incident_number)
);
CREATE INDEX push_pages_unsettled ON push_pages(created_at) WHERE settled = 0;
)sql";

// Chat buttons that call back to us (core/message_action.h): each button's secret, hashed, with
// the incident and the recipient it acts for, until it expires.
constexpr std::string_view kMigrationMessageActions = R"sql(
CREATE TABLE message_actions (
  secret_hash TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  incident_number INTEGER NOT NULL,
  recipient TEXT NOT NULL,
  notice_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX message_actions_by_expiry ON message_actions(expires_at);
)sql";

// Contact methods people add themselves and their notification rules (store/contact_store.h):
// keys as JSON (never a secret: `*_env` keys name variables), the verification code as its
// salted hash.
constexpr std::string_view kMigrationContactMethods = R"sql(
CREATE TABLE contact_methods (
  user_id TEXT NOT NULL REFERENCES users(id),
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  keys_json TEXT NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  code_hash TEXT NOT NULL DEFAULT '',
  code_expires_at INTEGER NOT NULL DEFAULT 0,
  code_attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, id)
);
CREATE TABLE notification_rules (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  high_json TEXT NOT NULL,
  low_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql";

// Who changed a person's stored contact methods and rules (store/contact_store.h
// ContactChange): append-only, one row per change, written in the change's transaction.
constexpr std::string_view kMigrationContactHistory = R"sql(
CREATE TABLE contact_history (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  method_id TEXT NOT NULL DEFAULT '',
  method_type TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX contact_history_by_user ON contact_history(user_id, id);
)sql";

}  // namespace

const std::vector<std::string_view>& Migrations() {
  // Version N is entry N-1. An empty entry is a version reserved for a branch not merged yet: it
  // is skipped and not recorded, so it is applied once its SQL arrives (Migrate applies every
  // version not yet recorded, not only those above the highest).
  static const std::vector<std::string_view> kMigrations = {
      kMigration1,
      kMigration2,
      kMigrationOnCall,
      kMigrationDelivery,
      kMigrationActionLinks,
      kMigrationSecurityPlaybook,  // version 6
      kMigrationFollowups,         // version 7
      kMigrationDrills,            // version 8
      kMigrationOutboxMessages,    // version 9
      kMigrationAlertTracking,     // version 10
      kMigrationAccounts,          // version 11
      {},                          // version 12: unused (reserved for teams, which needed none)
      kMigrationHeartbeats,        // version 13
      kMigrationMaintenance,       // version 14
      kMigrationTwilio,            // version 15
      kMigrationPushPages,         // version 16
      kMigrationMessageActions,    // version 17
      kMigrationContactMethods,    // version 18
      kMigrationContactHistory,    // version 19
  };
  return kMigrations;
}

std::string DialectDdl(Dialect dialect, std::string_view ddl) {
  std::string out(ddl);
  if (dialect == Dialect::kSqlite) return out;
  // Order matters: the key rule before the plain INTEGER rule.
  static const std::pair<std::regex, const char*> kRules[] = {
      {std::regex(R"(\bINTEGER PRIMARY KEY\b)"),
       "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {std::regex(R"(\bINTEGER\b)"), "BIGINT"},
      {std::regex(R"(\bBLOB\b)"), "BYTEA"},
      {std::regex(R"(\)\s*WITHOUT ROWID)"), ")"},
  };
  for (const auto& [pattern, replacement] : kRules)
    out = std::regex_replace(out, pattern, replacement);
  return out;
}

Result<int64_t> SchemaVersion(Connection& db) {
  Status created = db.Exec(DialectDdl(db.dialect(),
                                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
  if (!created.ok()) return std::move(created).error();
  Result<Statement*> stmt = db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  return *row ? q.Int(0) : 0;
}

namespace {

Status MigrateLocked(Connection& db, TimePoint now) {
  Result<int64_t> version = SchemaVersion(db);
  if (!version.ok()) return std::move(version).error();
  const auto& migrations = Migrations();
  const auto known = static_cast<int64_t>(migrations.size());
  if (*version > known) {
    return Error::Internal("database schema version " + std::to_string(*version) +
                           " is newer than this binary's " + std::to_string(known));
  }
  Result<Statement*> applied_stmt = db.Prepare("SELECT version FROM schema_migrations");
  if (!applied_stmt.ok()) return std::move(applied_stmt).error();
  std::set<int64_t> applied;
  {
    Query q(*applied_stmt);
    while (true) {
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) break;
      applied.insert(q.Int(0));
    }
  }
  for (int64_t v = 1; v <= known; ++v) {
    if (applied.count(v) != 0 || migrations[static_cast<size_t>(v - 1)].empty()) continue;
    Status s = db.Exec(db.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!s.ok()) return s;
    s = db.Exec(DialectDdl(db.dialect(), migrations[static_cast<size_t>(v - 1)]));
    if (s.ok()) {
      s = db.Exec("INSERT INTO schema_migrations(version, applied_at) VALUES (" +
                  std::to_string(v) + ", " + std::to_string(ToUnixMicros(now)) + ")");
    }
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      (void)db.Exec("ROLLBACK");
      return Error{
          s.error().code, "migration " + std::to_string(v) + " failed: " + s.error().message, {}};
    }
  }
  return OkStatus();
}

}  // namespace

Status Migrate(Connection& db, TimePoint now) {
  if (db.dialect() == Dialect::kSqlite) return MigrateLocked(db, now);
  // A session lock (not a transaction's): each migration commits on its own.
  LOOM_RETURN_IF_ERROR(db.Exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")"));
  Status s = MigrateLocked(db, now);
  Status unlocked = db.Exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
  if (!s.ok()) return s;
  return unlocked;
}

}  // namespace loom::sql
