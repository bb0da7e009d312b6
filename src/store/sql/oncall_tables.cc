#include "store/sql/oncall_tables.h"

#include <nlohmann/json.hpp>
#include <string>

namespace loom::sql {
namespace {

// What the database keeps of a user's contact methods. Never a secret: not the webhook signing
// secrets (`secrets`), nor an address that came from an environment variable (a Slack webhook
// URL is a credential), which is stored as "(from $VAR)" instead.
std::string ContactMethodsJson(const std::vector<ContactMethod>& methods) {
  nlohmann::json list = nlohmann::json::array();
  for (const ContactMethod& m : methods) {
    std::string address = m.address;
    if (m.address_is_secret) address = m.url_env.empty() ? "" : "(from $" + m.url_env + ")";
    list.push_back(
        {{"id", m.id}, {"type", m.type}, {"address", address}, {"secret_env", m.secret_env}});
  }
  return list.dump();
}

}  // namespace

Result<ScheduleOverride> InsertOverride(Connection& db, ScheduleOverride o, TimePoint now) {
  if (!(o.from < o.to)) return Error::Invalid("the override must end after it starts");
  if (o.schedule_id.empty() || o.user.empty()) {
    return Error::Invalid("the override needs a schedule and a user");
  }
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO schedule_overrides(schedule_id, user_id, starts_at, ends_at, created_by,"
      " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  if (!stmt.ok()) return std::move(stmt).error();
  o.created_at = now;
  Query q(*stmt);
  q.Bind(1, o.schedule_id);
  q.Bind(2, o.user);
  q.Bind(3, o.from);
  q.Bind(4, o.to);
  q.Bind(5, o.created_by);
  q.Bind(6, o.created_at);
  Result<int64_t> id = q.RunReturningInt();
  if (!id.ok()) return std::move(id).error();
  o.id = *id;
  return o;
}

Result<bool> DeleteOverride(Connection& db, int64_t id) {
  Result<Statement*> stmt = db.Prepare("DELETE FROM schedule_overrides WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, id);
  Status s = q.Run();
  if (!s.ok()) return std::move(s).error();
  if (q.Changes() == 0) {
    return Error::NotFound("override " + std::to_string(id) + " not found");
  }
  return true;
}

Result<int64_t> UpsertUsers(Connection& db, const std::vector<User>& users, TimePoint now) {
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO users(id, name, email, time_zone, contact_methods_json, updated_at, role,"
      " source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'config') ON CONFLICT(id) DO UPDATE SET"
      " name = excluded.name, email = excluded.email, time_zone = excluded.time_zone,"
      " contact_methods_json = excluded.contact_methods_json, updated_at = excluded.updated_at,"
      " role = excluded.role, source = 'config'");
  if (!stmt.ok()) return std::move(stmt).error();
  for (const User& u : users) {
    Query q(*stmt);
    q.Bind(1, u.id);
    q.Bind(2, u.name);
    q.Bind(3, u.email);
    q.Bind(4, u.time_zone);
    q.Bind(5, ContactMethodsJson(u.contact_methods));
    q.Bind(6, now);
    q.Bind(7, std::string_view(u.role ? RoleName(*u.role) : ""));
    Status s = q.Run();
    if (!s.ok()) return std::move(s).error();
  }
  return static_cast<int64_t>(users.size());
}

Result<std::vector<ScheduleOverride>> ReadOverrides(Connection& db) {
  Result<Statement*> stmt = db.Prepare(
      "SELECT id, schedule_id, user_id, starts_at, ends_at, created_by, created_at"
      " FROM schedule_overrides ORDER BY id");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  std::vector<ScheduleOverride> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    ScheduleOverride o;
    o.id = q.Int(0);
    o.schedule_id = q.Text(1);
    o.user = q.Text(2);
    o.from = q.Time(3);
    o.to = q.Time(4);
    o.created_by = q.Text(5);
    o.created_at = q.Time(6);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace loom::sql
