// SqlStore (sql_store_impl.h): the AccountStore role (store/account_store.h) — the users table's
// account columns, password_resets, console_sessions and bound api_tokens (schema version 11).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sql/sql_store_impl.h"

namespace loom::sql {
namespace {

constexpr char kAccountColumns[] =
    "SELECT id, name, email, role, source, password_hash, updated_at FROM users";

std::optional<Role> RoleColumn(const std::string& text) {
  Role role = Role::kViewer;
  if (text.empty() || !ParseRole(text, &role)) return std::nullopt;
  return role;
}

void ReadAccount(const Query& q, StoredAccount* a) {
  a->id = q.Text(0);
  a->name = q.Text(1);
  a->email = q.Text(2);
  a->role = RoleColumn(q.Text(3));
  a->configured = q.Text(4) != "api";
  a->password_hash = q.Text(5);
  a->updated_at = q.Time(6);
}

// Runs `sql` with ?1 = `key`; answers the number of rows it changed.
Result<int64_t> ExecChanges(Connection& db, const char* sql, const std::string& key) {
  Result<Statement*> stmt = db.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, key);
  Status s = q.Run();
  if (!s.ok()) return std::move(s).error();
  return q.Changes();
}

Result<bool> UserExists(Connection& db, const std::string& id) {
  Result<Statement*> stmt = db.Prepare("SELECT 1 FROM users WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, id);
  return q.Step();
}

}  // namespace

void SqlStore::CreateAccount(StoredAccount account, Callback<StoredAccount> done) {
  Submit<StoredAccount>(
      [this, account = std::move(account)]() mutable -> Result<StoredAccount> {
        Connection& db = writer_->connection();
        Result<bool> exists = UserExists(db, account.id);
        if (!exists.ok()) return std::move(exists).error();
        if (*exists) return Error::Conflict("user " + account.id + " already exists");
        account.configured = false;
        account.updated_at = clock_->Now();
        Result<Statement*> stmt = db.Prepare(
            "INSERT INTO users(id, name, email, updated_at, role, source, password_hash)"
            " VALUES (?1, ?2, ?3, ?4, ?5, 'api', ?6)");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, account.id);
        q.Bind(2, account.name);
        q.Bind(3, account.email);
        q.Bind(4, account.updated_at);
        q.Bind(5, std::string_view(account.role ? RoleName(*account.role) : ""));
        q.Bind(6, account.password_hash);
        Status s = q.Run();
        if (!s.ok()) return std::move(s).error();
        return account;
      },
      std::move(done));
}

void SqlStore::SetPasswordHash(std::string user_id, std::string password_hash,
                               Callback<bool> done) {
  Submit<bool>(
      [this, user_id = std::move(user_id),
       password_hash = std::move(password_hash)]() -> Result<bool> {
        Result<Statement*> stmt = writer_->connection().Prepare(
            "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, user_id);
        q.Bind(2, password_hash);
        q.Bind(3, clock_->Now());
        Status s = q.Run();
        if (!s.ok()) return std::move(s).error();
        if (q.Changes() == 0) return Error::NotFound("no user " + user_id);
        return true;
      },
      std::move(done));
}

void SqlStore::CreatePasswordReset(std::string token_hash, std::string user_id,
                                   TimePoint expires_at, Callback<bool> done) {
  Submit<bool>(
      [this, token_hash = std::move(token_hash), user_id = std::move(user_id),
       expires_at]() -> Result<bool> {
        Result<Statement*> stmt = writer_->connection().Prepare(
            "INSERT INTO password_resets(token_hash, user_id, created_at, expires_at)"
            " VALUES (?1, ?2, ?3, ?4)");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, token_hash);
        q.Bind(2, user_id);
        q.Bind(3, clock_->Now());
        q.Bind(4, expires_at);
        Status s = q.Run();
        if (!s.ok()) return std::move(s).error();
        return true;
      },
      std::move(done));
}

void SqlStore::UsePasswordReset(std::string token_hash, std::string password_hash, TimePoint now,
                                Callback<std::string> done) {
  Submit<std::string>(
      [this, token_hash = std::move(token_hash), password_hash = std::move(password_hash),
       now]() -> Result<std::string> {
        Connection& db = writer_->connection();
        // Marks the token used only while it is usable: a second use, or one past the expiry,
        // changes no row.
        Result<Statement*> use = db.Prepare(
            "UPDATE password_resets SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL"
            " AND expires_at > ?2 RETURNING user_id");
        if (!use.ok()) return std::move(use).error();
        Query q(*use);
        q.Bind(1, token_hash);
        q.Bind(2, now);
        Result<bool> row = q.Step();
        if (!row.ok()) return std::move(row).error();
        if (!*row) return Error::NotFound("this reset link is not valid (used or expired)");
        std::string user = q.Text(0);
        Result<bool> more = q.Step();  // finish the statement before the next one
        if (!more.ok()) return std::move(more).error();
        Result<Statement*> set =
            db.Prepare("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1");
        if (!set.ok()) return std::move(set).error();
        Query s(*set);
        s.Bind(1, user);
        s.Bind(2, password_hash);
        s.Bind(3, now);
        Status ran = s.Run();
        if (!ran.ok()) return std::move(ran).error();
        if (s.Changes() == 0)
          return Error::NotFound("this reset link is not valid (used or expired)");
        Result<int64_t> dropped =
            ExecChanges(db, "DELETE FROM console_sessions WHERE user_id = ?1", user);
        if (!dropped.ok()) return std::move(dropped).error();
        return user;
      },
      std::move(done));
}

void SqlStore::CreateBoundToken(std::string name, Role role, std::string user_id,
                                std::string token_hash, Callback<ApiToken> done) {
  Submit<ApiToken>(
      [this, name = std::move(name), role, user_id = std::move(user_id),
       token_hash = std::move(token_hash)]() -> Result<ApiToken> {
        Connection& db = writer_->connection();
        Result<bool> exists = UserExists(db, user_id);
        if (!exists.ok()) return std::move(exists).error();
        if (!*exists) return Error::NotFound("no user " + user_id);
        ApiToken token;
        token.name = name;
        token.role = role;
        token.user = user_id;
        token.token_hash = token_hash;
        token.created_at = clock_->Now();
        Result<Statement*> stmt = db.Prepare(
            "INSERT INTO api_tokens(name, role, token_hash, created_at, user_id)"
            " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, token.name);
        q.Bind(2, RoleName(role));
        q.Bind(3, token.token_hash);
        q.Bind(4, token.created_at);
        q.Bind(5, token.user);
        Result<int64_t> id = q.RunReturningInt();
        if (!id.ok()) {
          if (id.error().code == ErrorCode::kConflict) {
            return Error::Conflict("the token already exists");
          }
          return std::move(id).error();
        }
        token.id = *id;
        return token;
      },
      std::move(done));
}

void SqlStore::CreateSession(StoredSession session, Callback<bool> done) {
  Submit<bool>(
      [this, session = std::move(session)]() -> Result<bool> {
        Result<Statement*> stmt = writer_->connection().Prepare(
            "INSERT INTO console_sessions(id_hash, user_id, csrf_token, created_at, last_seen_at,"
            " expires_at, grants) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, session.id_hash);
        q.Bind(2, session.user_id);
        q.Bind(3, session.csrf_token);
        q.Bind(4, session.created_at);
        q.Bind(5, session.last_seen_at);
        q.Bind(6, session.expires_at);
        q.Bind(7, session.grants);
        Status s = q.Run();
        if (!s.ok()) return std::move(s).error();
        return true;
      },
      std::move(done));
}

void SqlStore::TouchSession(std::string id_hash, TimePoint seen, Callback<bool> done) {
  Submit<bool>(
      [this, id_hash = std::move(id_hash), seen]() -> Result<bool> {
        Result<Statement*> stmt = writer_->connection().Prepare(
            "UPDATE console_sessions SET last_seen_at = ?2 WHERE id_hash = ?1"
            " AND last_seen_at < ?2");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, id_hash);
        q.Bind(2, seen);
        Status s = q.Run();
        if (!s.ok()) return std::move(s).error();
        return q.Changes() > 0;
      },
      std::move(done));
}

void SqlStore::DeleteSession(std::string id_hash, Callback<bool> done) {
  Submit<bool>(
      [this, id_hash = std::move(id_hash)]() -> Result<bool> {
        Result<int64_t> n = ExecChanges(writer_->connection(),
                                        "DELETE FROM console_sessions WHERE id_hash = ?1", id_hash);
        if (!n.ok()) return std::move(n).error();
        return *n > 0;
      },
      std::move(done));
}

void SqlStore::DeleteUserSessions(std::string user_id, Callback<int64_t> done) {
  Submit<int64_t>(
      [this, user_id = std::move(user_id)] {
        return ExecChanges(writer_->connection(), "DELETE FROM console_sessions WHERE user_id = ?1",
                           user_id);
      },
      std::move(done));
}

void SqlStore::DeleteExpiredSessions(TimePoint now, TimePoint idle_since, Callback<int64_t> done) {
  Submit<int64_t>(
      [this, now, idle_since]() -> Result<int64_t> {
        Connection& db = writer_->connection();
        Result<Statement*> sessions =
            db.Prepare("DELETE FROM console_sessions WHERE expires_at <= ?1 OR last_seen_at < ?2");
        if (!sessions.ok()) return std::move(sessions).error();
        Query q(*sessions);
        q.Bind(1, now);
        q.Bind(2, idle_since);
        Status s = q.Run();
        if (!s.ok()) return std::move(s).error();
        int64_t n = q.Changes();
        Result<Statement*> resets =
            db.Prepare("DELETE FROM password_resets WHERE expires_at <= ?1");
        if (!resets.ok()) return std::move(resets).error();
        Query r(*resets);
        r.Bind(1, now);
        s = r.Run();
        if (!s.ok()) return std::move(s).error();
        return n + r.Changes();
      },
      std::move(done));
}

Result<std::optional<StoredAccount>> SqlStore::GetAccount(const std::string& id) {
  auto conn = readers_.Acquire();
  auto rows = ReadRows<StoredAccount>(*conn, std::string(kAccountColumns) + " WHERE id = ?1", id,
                                      ReadAccount);
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<StoredAccount>();
  return std::optional<StoredAccount>(std::move(rows->front()));
}

Result<std::vector<StoredAccount>> SqlStore::ListAccounts() {
  auto conn = readers_.Acquire();
  return ReadRows<StoredAccount>(*conn, std::string(kAccountColumns) + " ORDER BY id", std::nullopt,
                                 ReadAccount);
}

Result<std::optional<StoredSession>> SqlStore::FindSession(const std::string& id_hash) {
  auto conn = readers_.Acquire();
  auto rows = ReadRows<StoredSession>(
      *conn,
      "SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,"
      " u.role, s.grants FROM console_sessions s JOIN users u ON u.id = s.user_id"
      " WHERE s.id_hash = ?1",
      id_hash, [](const Query& q, StoredSession* s) {
        s->id_hash = q.Text(0);
        s->user_id = q.Text(1);
        s->csrf_token = q.Text(2);
        s->created_at = q.Time(3);
        s->last_seen_at = q.Time(4);
        s->expires_at = q.Time(5);
        s->role = RoleColumn(q.Text(6));
        s->grants = q.Text(7);
      });
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<StoredSession>();
  return std::optional<StoredSession>(std::move(rows->front()));
}

}  // namespace loom::sql
