#include "store/sql/link_tables.h"

#include "store/store.h"

namespace loom::sql {

Status RecordUsedLink(Connection& db, const std::string& nonce, int64_t incident_number,
                      TimePoint now) {
  if (nonce.empty()) return Error::Invalid("the link has no single-use id");
  Result<Statement*> stmt =
      db.Prepare("INSERT INTO used_links(nonce, incident_number, used_at) VALUES (?1, ?2, ?3)");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, nonce);
  q.Bind(2, incident_number);
  q.Bind(3, now);
  Status s = q.Run();
  if (!s.ok() && s.error().code == ErrorCode::kConflict) return Error::Conflict(kLinkAlreadyUsed);
  return s;
}

Result<std::string> GetOrCreateSetting(Connection& db, const std::string& name,
                                       const std::function<std::string()>& generate) {
  {
    Result<Statement*> stmt = db.Prepare("SELECT value FROM settings WHERE name = ?1");
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    q.Bind(1, name);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (*row && !q.IsNull(0)) return q.Text(0);
  }
  std::string value = generate();
  if (value.empty()) return Error::Invalid("setting " + name + " would be empty");
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO settings(name, value) VALUES (?1, ?2)"
      " ON CONFLICT(name) DO UPDATE SET value = excluded.value WHERE settings.value IS NULL");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, name);
  q.Bind(2, value);
  Status s = q.Run();
  if (!s.ok()) return std::move(s).error();
  return value;
}

}  // namespace loom::sql
