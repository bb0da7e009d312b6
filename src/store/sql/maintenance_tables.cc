#include "store/sql/maintenance_tables.h"

#include <utility>

#include "store/sql/row_codec.h"

namespace loom::sql {
namespace {

constexpr char kColumns[] =
    "id, config_id, services_json, reason, start_at, end_at, weekly_days, weekly_from, weekly_to,"
    " weekly_time_zone, source, created_by, created_at, ended_at, ended_by, cancelled_at,"
    " cancelled_by";

void ReadRow(const Query& q, MaintenanceWindow* w) {
  w->id = q.Int(0);
  w->config_id = q.Text(1);
  w->services = DecodeResponders(q.TextView(2));  // a JSON list of strings
  w->reason = q.Text(3);
  w->start = q.Time(4);
  w->end = q.Time(5);
  if (q.Int(6) != 0) {
    WeeklyMaintenance weekly;
    weekly.weekdays = static_cast<unsigned>(q.Int(6));
    weekly.from_minute = static_cast<int>(q.Int(7));
    weekly.to_minute = static_cast<int>(q.Int(8));
    weekly.time_zone = q.Text(9);
    w->weekly = std::move(weekly);
  }
  w->source = q.Text(10);
  w->created_by = q.Text(11);
  w->created_at = q.Time(12);
  w->ended_at = q.OptionalTime(13);
  w->ended_by = q.Text(14);
  w->cancelled_at = q.OptionalTime(15);
  w->cancelled_by = q.Text(16);
}

// Binds every column but id from ?<first> on, in kColumns' order.
void BindRow(Query& q, const MaintenanceWindow& w, int first) {
  q.Bind(first + 0, w.config_id);
  q.Bind(first + 1, EncodeResponders(w.services));
  q.Bind(first + 2, w.reason);
  q.Bind(first + 3, w.weekly ? TimePoint{} : w.start);
  q.Bind(first + 4, w.weekly ? TimePoint{} : w.end);
  q.Bind(first + 5, static_cast<int64_t>(w.weekly ? w.weekly->weekdays : 0));
  q.Bind(first + 6, static_cast<int64_t>(w.weekly ? w.weekly->from_minute : 0));
  q.Bind(first + 7, static_cast<int64_t>(w.weekly ? w.weekly->to_minute : 0));
  q.Bind(first + 8, w.weekly ? w.weekly->time_zone : std::string());
  q.Bind(first + 9, w.source);
  q.Bind(first + 10, w.created_by);
  q.Bind(first + 11, w.created_at);
  q.Bind(first + 12, w.ended_at);
  q.Bind(first + 13, w.ended_by);
  q.Bind(first + 14, w.cancelled_at);
  q.Bind(first + 15, w.cancelled_by);
}

template <typename BindFn>
Result<std::vector<MaintenanceWindow>> Select(Connection& db, const std::string& where,
                                              BindFn bind) {
  Result<Statement*> stmt = db.Prepare(std::string("SELECT ") + kColumns +
                                       " FROM maintenance_windows " + where + " ORDER BY id");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  bind(q);
  std::vector<MaintenanceWindow> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    ReadRow(q, &out.emplace_back());
  }
}

}  // namespace

Result<std::optional<MaintenanceWindow>> ReadMaintenanceWindow(Connection& db, int64_t id) {
  Result<std::vector<MaintenanceWindow>> rows =
      Select(db, "WHERE id = ?1", [&](Query& q) { q.Bind(1, id); });
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<MaintenanceWindow>();
  return std::optional<MaintenanceWindow>(std::move(rows->front()));
}

Result<std::vector<MaintenanceWindow>> ReadMaintenanceWindows(Connection& db) {
  return Select(db, "", [](Query&) {});
}

Result<std::vector<MaintenanceWindow>> ReadCurrentMaintenanceWindows(Connection& db,
                                                                     TimePoint now) {
  return Select(db, "WHERE cancelled_at IS NULL AND (weekly_days <> 0 OR end_at > ?1)",
                [&](Query& q) { q.Bind(1, now); });
}

Result<std::vector<HeldEscalation>> ReadHeldEscalations(Connection& db,
                                                        const std::string& service_id) {
  Result<Statement*> stmt = db.Prepare(
      "SELECT d.id, d.incident_number, d.payload_json FROM deadlines d"
      " JOIN incidents i ON i.number = d.incident_number"
      " WHERE d.fired_at IS NULL AND d.kind = 'escalate' AND i.service_id = ?1"
      " AND d.payload_json LIKE '%\"held\"%' ORDER BY d.incident_number, d.id");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, service_id);
  std::vector<HeldEscalation> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    out.push_back({q.Int(0), q.Int(1), q.Text(2)});
  }
}

Result<int64_t> InsertMaintenanceWindow(Connection& db, const MaintenanceWindow& w) {
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO maintenance_windows(config_id, services_json, reason, start_at, end_at,"
      " weekly_days, weekly_from, weekly_to, weekly_time_zone, source, created_by, created_at,"
      " ended_at, ended_by, cancelled_at, cancelled_by)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
      " RETURNING id");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  BindRow(q, w, 1);
  return q.RunReturningInt();
}

Status UpdateMaintenanceWindow(Connection& db, const MaintenanceWindow& w) {
  Result<Statement*> stmt = db.Prepare(
      "UPDATE maintenance_windows SET config_id = ?2, services_json = ?3, reason = ?4,"
      " start_at = ?5, end_at = ?6, weekly_days = ?7, weekly_from = ?8, weekly_to = ?9,"
      " weekly_time_zone = ?10, source = ?11, created_by = ?12, created_at = ?13, ended_at = ?14,"
      " ended_by = ?15, cancelled_at = ?16, cancelled_by = ?17 WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, w.id);
  BindRow(q, w, 2);
  return q.Run();
}

}  // namespace loom::sql
