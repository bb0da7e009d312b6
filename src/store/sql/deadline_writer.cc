#include "store/sql/deadline_writer.h"

#include <utility>

#include "store/sql/read_rows.h"

namespace loom::sql {

struct DeadlineWriter::Statements {
  Statement* insert = nullptr;
  Statement* cancel_escalation = nullptr;
  Statement* cancel_cadence = nullptr;
  Statement* cancel_all = nullptr;
  Statement* find_pending = nullptr;
  Statement* next_escalation = nullptr;
  Statement* mark_fired = nullptr;
  Statement* insert_outbox = nullptr;
  Statement* insert_fresh_outbox = nullptr;
  Statement* advance_outbox = nullptr;
  Statement* cancel_pages = nullptr;
  Statement* cancel_reminders = nullptr;
  Statement* cancel_messages = nullptr;
  Statement* record_delivery = nullptr;
  Statement* claim_outbox = nullptr;
  Statement* disable_destination = nullptr;
  Statement* last_update = nullptr;
};

DeadlineWriter::DeadlineWriter(std::unique_ptr<Statements> st) : st_(std::move(st)) {}
DeadlineWriter::~DeadlineWriter() = default;

Result<std::unique_ptr<DeadlineWriter>> DeadlineWriter::Prepare(Connection& db) {
  auto st = std::make_unique<Statements>();
  constexpr char kCancelOutbox[] =
      "UPDATE outbox SET state = 'cancelled', last_error = ?2"
      " WHERE incident_number = ?1 AND state = 'pending'";
  constexpr char kInsertOutbox[] =
      "INSERT INTO outbox (id, unique_key, incident_number, step, role, recipient, channel,"
      " payload_json, created_at, method, method_type, next_attempt_at, state, last_error)"
      " VALUES (?14, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
      " ON CONFLICT (unique_key) DO NOTHING";
  constexpr char kCancel[] =
      "UPDATE deadlines SET fired_at = ?2, outcome = 'cancelled'"
      " WHERE incident_number = ?1 AND fired_at IS NULL";
  const std::pair<Statement**, std::string> entries[] = {
      {&st->insert,
       "INSERT INTO deadlines (id, incident_number, kind, due_at, payload_json, created_at)"
       " VALUES (?6, ?1, ?2, ?3, ?4, ?5)"},
      {&st->cancel_escalation, std::string(kCancel) + " AND kind = 'escalate'"},
      {&st->cancel_cadence,
       std::string(kCancel) + " AND kind IN ('cadence', 'update_reminder', 'update_due')"},
      {&st->cancel_all, kCancel},
      {&st->find_pending,
       "SELECT incident_number, kind, due_at, payload_json FROM deadlines"
       " WHERE id = ?1 AND fired_at IS NULL"},
      {&st->next_escalation,
       "SELECT id FROM deadlines WHERE incident_number = ?1 AND kind = 'escalate'"
       " AND fired_at IS NULL ORDER BY due_at, id LIMIT 1"},
      {&st->mark_fired, "UPDATE deadlines SET fired_at = ?2, outcome = 'fired' WHERE id = ?1"},
      {&st->insert_outbox, std::string(kInsertOutbox) + " RETURNING id"},
      {&st->insert_fresh_outbox, kInsertOutbox},
      {&st->advance_outbox,
       "UPDATE outbox SET next_attempt_at = ?2"
       " WHERE unique_key = ?1 AND state = 'pending' AND next_attempt_at > ?2 RETURNING id"},
      {&st->cancel_pages, std::string(kCancelOutbox) + " AND channel IN ('page', 'ticket')"},
      {&st->cancel_reminders,
       std::string(kCancelOutbox) + " AND channel IN ('reminder', 'notify')"},
      {&st->cancel_messages, std::string(kCancelOutbox) + " AND channel <> 'channel'"},
      {&st->record_delivery,
       "UPDATE outbox SET state = ?2, attempts = attempts + ?6, next_attempt_at = ?3,"
       " last_error = ?4, delivered_at = CASE WHEN ?2 = 'delivered' THEN CAST(?5 AS BIGINT) END,"
       " message_id = COALESCE(message_id, CAST(?7 AS TEXT)),"
       " provider_id = COALESCE(CAST(?8 AS TEXT), provider_id),"
       " provider_status = CASE WHEN CAST(?8 AS TEXT) IS NULL THEN provider_status"
       " ELSE 'queued' END"
       " WHERE id = ?1 AND state = 'pending'"},
      {&st->claim_outbox,
       "UPDATE outbox SET message_id = ?2"
       " WHERE id = ?1 AND state = 'pending' AND message_id IS NULL"},
      {&st->disable_destination,
       "INSERT INTO disabled_destinations (key, reason, disabled_at) VALUES (?1, ?2, ?3)"
       " ON CONFLICT (key) DO NOTHING"},
      {&st->last_update,
       "SELECT MAX(at) FROM timeline_events"
       " WHERE incident_number = ?1 AND type = 'incident.status_update'"},
  };
  for (const auto& [slot, sql] : entries) {
    Result<Statement*> stmt = db.Prepare(sql);
    if (!stmt.ok()) return Error::Internal(stmt.error().message + " in: " + sql);
    *slot = *stmt;
  }
  return std::unique_ptr<DeadlineWriter>(new DeadlineWriter(std::move(st)));
}

Result<Deadline> DeadlineWriter::Insert(Deadline deadline, TimePoint now) {
  deadline.id = ids_.deadline++;
  Query q(st_->insert);
  q.Bind(1, deadline.incident_number);
  q.BindRef(2, DeadlineKindName(deadline.kind));
  q.Bind(3, deadline.due_at);
  q.BindRef(4, deadline.payload_json);
  q.Bind(5, now);
  q.Bind(6, deadline.id);
  LOOM_RETURN_IF_ERROR(q.Send());
  created_.push_back(deadline);
  return deadline;
}

Status DeadlineWriter::Cancel(int64_t incident_number, DeadlineFamily family, TimePoint now) {
  Statement* stmt = family == DeadlineFamily::kEscalation ? st_->cancel_escalation
                    : family == DeadlineFamily::kCadence  ? st_->cancel_cadence
                                                          : st_->cancel_all;
  Query q(stmt);
  q.Bind(1, incident_number);
  q.Bind(2, now);
  return q.Send();
}

Result<std::optional<Deadline>> DeadlineWriter::FindPending(int64_t id) {
  Query q(st_->find_pending);
  q.Bind(1, id);
  return ReadOne<Deadline>(q, [id](const Query& row, Deadline* d) -> Status {
    d->id = id;
    d->incident_number = row.Int(0);
    std::optional<DeadlineKind> kind = ParseDeadlineKind(row.TextView(1));
    if (!kind) {
      return Error::Internal("deadline " + std::to_string(id) + " has unknown kind " + row.Text(1));
    }
    d->kind = *kind;
    d->due_at = row.Time(2);
    d->payload_json = row.Text(3);
    return OkStatus();
  });
}

Result<std::optional<Deadline>> DeadlineWriter::NextEscalation(int64_t incident_number) {
  int64_t id = 0;
  {
    Query q(st_->next_escalation);
    q.Bind(1, incident_number);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return std::optional<Deadline>();
    id = q.Int(0);
  }
  return FindPending(id);
}

Status DeadlineWriter::MarkFired(int64_t id, TimePoint now) {
  Query q(st_->mark_fired);
  q.Bind(1, id);
  q.Bind(2, now);
  return q.Send();
}

Result<bool> DeadlineWriter::InsertOutbox(const OutboxEntry& e, TimePoint now, bool fresh) {
  const int64_t id = ids_.outbox++;
  Query q(fresh ? st_->insert_fresh_outbox : st_->insert_outbox);
  q.BindRef(1, e.unique_key);
  q.Bind(2, e.incident_number);
  q.Bind(3, static_cast<int64_t>(e.step));
  q.BindRef(4, e.role);
  q.BindRef(5, e.recipient);
  q.BindRef(6, e.channel);
  q.BindRef(7, e.payload_json);
  q.Bind(8, now);
  q.BindRef(9, e.method);
  q.BindRef(10, e.method_type);
  q.Bind(11, e.next_attempt_at.value_or(now));
  q.BindRef(12, OutboxStateName(e.state));
  q.BindRef(13, e.last_error);
  q.Bind(14, id);
  if (fresh) {
    LOOM_RETURN_IF_ERROR(q.Send());
  } else {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return false;  // the unique key exists
  }
  OutboxEntry inserted = e;
  inserted.id = id;
  inserted.created_at = now;
  inserted.next_attempt_at = e.next_attempt_at.value_or(now);
  if (inserted.state == OutboxState::kPending) created_outbox_.push_back(std::move(inserted));
  return true;
}

Result<bool> DeadlineWriter::AdvanceOutbox(const OutboxEntry& entry) {
  if (!entry.next_attempt_at) return false;
  Query q(st_->advance_outbox);
  q.BindRef(1, entry.unique_key);
  q.Bind(2, *entry.next_attempt_at);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return false;
  OutboxEntry moved = entry;
  moved.id = q.Int(0);
  created_outbox_.push_back(std::move(moved));  // the listener reschedules it
  return true;
}

Status DeadlineWriter::CancelOutbox(int64_t incident_number, DeadlineFamily family,
                                    const char* reason) {
  Statement* stmt = family == DeadlineFamily::kEscalation ? st_->cancel_pages
                    : family == DeadlineFamily::kCadence  ? st_->cancel_reminders
                                                          : st_->cancel_messages;
  Query q(stmt);
  q.Bind(1, incident_number);
  q.BindRef(2, reason);
  return q.Send();
}

Result<bool> DeadlineWriter::RecordDelivery(const DeliveryRecord& r, TimePoint now) {
  Query q(st_->record_delivery);
  q.Bind(1, r.outbox_id);
  q.BindRef(2, OutboxStateName(r.state));
  q.Bind(3, r.next_attempt_at);
  q.BindRef(4, r.last_error);
  q.Bind(5, now);
  q.Bind(6, int64_t{r.attempted ? 1 : 0});
  if (r.message_id.empty()) {
    q.BindNull(7);
  } else {
    q.BindRef(7, r.message_id);
  }
  if (r.provider_id.empty()) {
    q.BindNull(8);
  } else {
    q.BindRef(8, r.provider_id);
  }
  Status s = q.Run();
  if (!s.ok()) return std::move(s).error();
  return q.Changes() > 0;
}

Result<bool> DeadlineWriter::ClaimOutbox(const OutboxClaim& claim) {
  Query q(st_->claim_outbox);
  q.Bind(1, claim.outbox_id);
  q.BindRef(2, claim.message_id);
  Status s = q.Run();
  if (!s.ok()) return std::move(s).error();
  return q.Changes() > 0;
}

Status DeadlineWriter::DisableDestination(const std::string& key, const std::string& reason,
                                          TimePoint now) {
  Query q(st_->disable_destination);
  q.BindRef(1, key);
  q.BindRef(2, reason);
  q.Bind(3, now);
  return q.Run();
}

Result<std::optional<TimePoint>> DeadlineWriter::LastStatusUpdate(int64_t incident_number) {
  Query q(st_->last_update);
  q.Bind(1, incident_number);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<TimePoint>();
  return q.OptionalTime(0);
}

std::function<void()> DeadlineWriter::Committed() {
  if (created_.empty() && created_outbox_.empty()) return nullptr;
  std::function<void()> publish = [this, deadlines = std::move(created_),
                                   outbox = std::move(created_outbox_)] {
    Publish(deadlines, outbox);
  };
  BeginBatch();  // empties the moved-from lists; the ids stay taken
  return publish;
}

void DeadlineWriter::Publish(const std::vector<Deadline>& deadlines,
                             const std::vector<OutboxEntry>& outbox) {
  DeadlineListener listener;
  OutboxListener outbox_listener;
  {
    std::lock_guard<std::mutex> lock(listener_mu_);
    listener = listener_;
    outbox_listener = outbox_listener_;
  }
  if (listener && !deadlines.empty()) listener(deadlines);
  if (outbox_listener && !outbox.empty()) outbox_listener(outbox);
}

void DeadlineWriter::SetOutboxListener(OutboxListener listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  outbox_listener_ = std::move(listener);
}

void DeadlineWriter::SetListener(DeadlineListener listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_ = std::move(listener);
}

}  // namespace loom::sql
