#include "store/sql/heartbeat_tables.h"

#include <functional>
#include <utility>

namespace loom::sql {
namespace {

constexpr char kColumns[] =
    "id, service_id, name, interval_us, grace_us, severity, enabled, source, state, last_ping_at,"
    " resumed_at, incident_number, deadline_id, created_at, updated_at";

void ReadRow(const Query& q, Heartbeat* hb) {
  hb->id = q.Text(0);
  hb->service_id = q.Text(1);
  hb->name = q.Text(2);
  hb->interval = Duration(q.Int(3));
  hb->grace = Duration(q.Int(4));
  hb->severity = static_cast<Severity>(q.Int(5));
  hb->enabled = q.Int(6) != 0;
  hb->source = q.Text(7);
  hb->state = ParseHeartbeatState(q.TextView(8)).value_or(HeartbeatState::kInactive);
  hb->last_ping_at = q.OptionalTime(9);
  hb->resumed_at = q.Time(10);
  hb->incident_number = q.Int(11);
  hb->deadline_id = q.Int(12);
  hb->created_at = q.Time(13);
  hb->updated_at = q.Time(14);
}

// Binds every column but id (?1) from ?2 on, in kColumns' order.
void BindRow(Query& q, const Heartbeat& hb) {
  q.Bind(1, hb.id);
  q.Bind(2, hb.service_id);
  q.Bind(3, hb.name);
  q.Bind(4, static_cast<int64_t>(hb.interval.count()));
  q.Bind(5, static_cast<int64_t>(hb.grace.count()));
  q.Bind(6, static_cast<int64_t>(hb.severity));
  q.Bind(7, static_cast<int64_t>(hb.enabled ? 1 : 0));
  q.Bind(8, hb.source);
  q.Bind(9, std::string_view(HeartbeatStateName(hb.state)));
  q.Bind(10, hb.last_ping_at);
  q.Bind(11, hb.resumed_at);
  q.Bind(12, hb.incident_number);
  q.Bind(13, hb.deadline_id);
  q.Bind(14, hb.created_at);
  q.Bind(15, hb.updated_at);
}

template <typename BindFn>
Result<std::vector<Heartbeat>> Select(Connection& db, const std::string& where, BindFn bind) {
  Result<Statement*> stmt = db.Prepare(std::string("SELECT ") + kColumns + " FROM heartbeats " +
                                       where + " ORDER BY service_id, id");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  bind(q);
  std::vector<Heartbeat> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    ReadRow(q, &out.emplace_back());
  }
}

Result<std::optional<Heartbeat>> First(Result<std::vector<Heartbeat>> rows) {
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<Heartbeat>();
  return std::optional<Heartbeat>(std::move(rows->front()));
}

Status RunOne(Connection& db, const char* sql, const std::function<void(Query&)>& bind) {
  Result<Statement*> stmt = db.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  bind(q);
  return q.Run();
}

}  // namespace

Result<std::optional<Heartbeat>> ReadHeartbeat(Connection& db, const std::string& id) {
  return First(Select(db, "WHERE id = ?1", [&](Query& q) { q.Bind(1, id); }));
}

Result<std::optional<Heartbeat>> ReadHeartbeatByName(Connection& db, const std::string& service_id,
                                                     const std::string& name) {
  return First(Select(db, "WHERE service_id = ?1 AND name = ?2", [&](Query& q) {
    q.Bind(1, service_id);
    q.Bind(2, name);
  }));
}

Result<std::vector<Heartbeat>> ReadHeartbeats(Connection& db) {
  return Select(db, "", [](Query&) {});
}

Status InsertHeartbeat(Connection& db, const Heartbeat& hb) {
  return RunOne(db,
                "INSERT INTO heartbeats(id, service_id, name, interval_us, grace_us, severity,"
                " enabled, source, state, last_ping_at, resumed_at, incident_number, deadline_id,"
                " created_at, updated_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                [&](Query& q) { BindRow(q, hb); });
}

Status UpdateHeartbeat(Connection& db, const Heartbeat& hb) {
  return RunOne(db,
                "UPDATE heartbeats SET service_id = ?2, name = ?3, interval_us = ?4, grace_us = ?5,"
                " severity = ?6, enabled = ?7, source = ?8, state = ?9, last_ping_at = ?10,"
                " resumed_at = ?11, incident_number = ?12, deadline_id = ?13, created_at = ?14,"
                " updated_at = ?15 WHERE id = ?1",
                [&](Query& q) { BindRow(q, hb); });
}

Status UpdateHeartbeatPing(Connection& db, const std::string& id, TimePoint at) {
  Result<Statement*> stmt = db.Prepare("UPDATE heartbeats SET last_ping_at = ?2 WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, id);
  q.Bind(2, at);
  return q.Send();
}

Status DeleteHeartbeatRow(Connection& db, const std::string& id) {
  return RunOne(db, "DELETE FROM heartbeats WHERE id = ?1", [&](Query& q) { q.Bind(1, id); });
}

Status CancelHeartbeatDeadline(Connection& db, int64_t id, TimePoint now) {
  if (id == 0) return OkStatus();
  return RunOne(db,
                "UPDATE deadlines SET fired_at = ?2, outcome = 'cancelled'"
                " WHERE id = ?1 AND fired_at IS NULL",
                [&](Query& q) {
                  q.Bind(1, id);
                  q.Bind(2, now);
                });
}

}  // namespace loom::sql
