// SqlStore (sql_store_impl.h): the ContactStore role (store/contact_store.h), over the
// contact_methods and notification_rules tables (schema.cc, version 18) and their history
// contact_history (version 19), appended to in each change's own write.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/error_context.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {
namespace {

constexpr char kMethodColumns[] =
    "SELECT user_id, id, type, keys_json, verified, code_hash, code_expires_at, code_attempts,"
    " created_at FROM contact_methods";

Status ReadMethod(const Query& q, StoredContactMethod* m) {
  m->user_id = q.Text(0);
  m->id = q.Text(1);
  m->type = q.Text(2);
  nlohmann::json keys = nlohmann::json::parse(q.Text(3), nullptr, /*allow_exceptions=*/false);
  if (!keys.is_object()) return Error::Internal("contact_methods.keys_json is not an object");
  for (const auto& [name, value] : keys.items()) {
    if (value.is_string()) m->keys[name] = value.get<std::string>();
  }
  m->verified = q.Int(4) != 0;
  m->code.hash = q.Text(5);
  m->code.expires_at = q.Time(6);
  m->code.attempts = static_cast<int>(q.Int(7));
  m->created_at = q.Time(8);
  return OkStatus();
}

std::string RulesJson(const std::vector<NotificationRule>& rules) {
  nlohmann::json out = nlohmann::json::array();
  for (const NotificationRule& r : rules) {
    out.push_back({{"method", r.method},
                   {"after_us", std::chrono::duration_cast<Duration>(r.after).count()}});
  }
  return out.dump();
}

Status ReadRules(const std::string& text, std::vector<NotificationRule>* out) {
  nlohmann::json rules = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!rules.is_array()) return Error::Internal("notification_rules holds no JSON array");
  for (const nlohmann::json& r : rules) {
    if (!r.is_object() || !r.value("method", nlohmann::json()).is_string()) {
      return Error::Internal("notification_rules holds a malformed rule");
    }
    out->push_back({r["method"].get<std::string>(), Duration(r.value("after_us", int64_t{0}))});
  }
  return OkStatus();
}

Result<bool> UserKnown(Connection& db, const std::string& id) {
  Result<Statement*> stmt = db.Prepare("SELECT 1 FROM users WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, id);
  return q.Step();
}

// The stored method (user, id) read on the writer's connection, or nullopt.
Result<std::optional<StoredContactMethod>> MethodOf(Connection& db, const std::string& user,
                                                    const std::string& id) {
  auto rows = ReadRows<StoredContactMethod>(
      db, std::string(kMethodColumns) + " WHERE user_id = ?1 AND id = ?2",
      [&](Query& q) {
        q.Bind(1, user);
        q.Bind(2, id);
      },
      ReadMethod);
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<StoredContactMethod>();
  return std::optional<StoredContactMethod>(std::move(rows->front()));
}

// Appends one row to contact_history on the writer's connection (in the change's transaction).
Status Record(Connection& db, const std::string& user, const std::string& actor, const char* action,
              const std::string& method_id, const std::string& method_type, TimePoint at) {
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO contact_history(user_id, actor, action, method_id, method_type, at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, user);
  q.Bind(2, actor);
  q.Bind(3, std::string(action));
  q.Bind(4, method_id);
  q.Bind(5, method_type);
  q.Bind(6, at);
  return q.Run();
}

Error NoMethod(const std::string& user, const std::string& id) {
  return Error::NotFound("user " + user + " has no stored contact method " + id);
}

}  // namespace

void SqlStore::CreateContactMethod(StoredContactMethod method, std::string actor,
                                   Callback<StoredContactMethod> done) {
  Submit<StoredContactMethod>(
      [this, method = std::move(method),
       actor = std::move(actor)]() mutable -> Result<StoredContactMethod> {
        Connection& db = writer_->connection();
        Result<bool> known = UserKnown(db, method.user_id);
        if (!known.ok()) return std::move(known).error();
        if (!*known) return Error::NotFound("no user " + method.user_id);
        Result<std::optional<StoredContactMethod>> existing =
            MethodOf(db, method.user_id, method.id);
        if (!existing.ok()) return std::move(existing).error();
        if (existing->has_value()) {
          return Error::Conflict("user " + method.user_id + " has a contact method " + method.id);
        }
        method.created_at = clock_->Now();
        Result<Statement*> stmt = db.Prepare(
            "INSERT INTO contact_methods(user_id, id, type, keys_json, verified, code_hash,"
            " code_expires_at, code_attempts, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
            " ?9)");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, method.user_id);
        q.Bind(2, method.id);
        q.Bind(3, method.type);
        q.Bind(4, nlohmann::json(method.keys).dump());
        q.Bind(5, int64_t{method.verified ? 1 : 0});
        q.Bind(6, method.code.hash);
        q.Bind(7, method.code.expires_at);
        q.Bind(8, int64_t{method.code.attempts});
        q.Bind(9, method.created_at);
        LOOM_RETURN_IF_ERROR(q.Run());
        LOOM_RETURN_IF_ERROR(Record(db, method.user_id, actor, kMethodAdded, method.id, method.type,
                                    method.created_at));
        return method;
      },
      std::move(done));
}

void SqlStore::DeleteContactMethod(std::string user_id, std::string id, std::string actor,
                                   Callback<bool> done) {
  Submit<bool>(
      [this, user_id = std::move(user_id), id = std::move(id),
       actor = std::move(actor)]() -> Result<bool> {
        Connection& db = writer_->connection();
        auto rules = ReadRows<std::pair<std::string, std::string>>(
            db, "SELECT high_json, low_json FROM notification_rules WHERE user_id = ?1", user_id,
            [](const Query& q, std::pair<std::string, std::string>* r) {
              *r = {q.Text(0), q.Text(1)};
            });
        if (!rules.ok()) return std::move(rules).error();
        for (const auto& [high, low] : *rules) {
          std::vector<NotificationRule> named;
          LOOM_RETURN_IF_ERROR(ReadRules(high, &named));
          LOOM_RETURN_IF_ERROR(ReadRules(low, &named));
          for (const NotificationRule& r : named) {
            if (r.method == id) {
              return Error::Conflict("contact method " + id +
                                     " is used by the notification rules of " + user_id +
                                     ": change them first");
            }
          }
        }
        Result<std::optional<StoredContactMethod>> method = MethodOf(db, user_id, id);
        if (!method.ok()) return std::move(method).error();
        if (!method->has_value()) return NoMethod(user_id, id);
        Result<Statement*> stmt =
            db.Prepare("DELETE FROM contact_methods WHERE user_id = ?1 AND id = ?2");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, user_id);
        q.Bind(2, id);
        LOOM_RETURN_IF_ERROR(q.Run());
        LOOM_RETURN_IF_ERROR(
            Record(db, user_id, actor, kMethodDeleted, id, (**method).type, clock_->Now()));
        return true;
      },
      std::move(done));
}

void SqlStore::SetContactCode(std::string user_id, std::string id, VerificationCode code,
                              Callback<bool> done) {
  Submit<bool>(
      [this, user_id = std::move(user_id), id = std::move(id),
       code = std::move(code)]() -> Result<bool> {
        Result<Statement*> stmt = writer_->connection().Prepare(
            "UPDATE contact_methods SET code_hash = ?3, code_expires_at = ?4, code_attempts = 0"
            " WHERE user_id = ?1 AND id = ?2");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, user_id);
        q.Bind(2, id);
        q.Bind(3, code.hash);
        q.Bind(4, code.expires_at);
        LOOM_RETURN_IF_ERROR(q.Run());
        if (q.Changes() == 0) return NoMethod(user_id, id);
        return true;
      },
      std::move(done));
}

void SqlStore::CheckContactCode(std::string user_id, std::string id, std::string code,
                                TimePoint now, std::string actor, Callback<CodeCheck> done) {
  Submit<CodeCheck>(
      [this, user_id = std::move(user_id), id = std::move(id), code = std::move(code), now,
       actor = std::move(actor)]() -> Result<CodeCheck> {
        Connection& db = writer_->connection();
        Result<std::optional<StoredContactMethod>> method = MethodOf(db, user_id, id);
        if (!method.ok()) return std::move(method).error();
        if (!method->has_value()) return NoMethod(user_id, id);
        if ((**method).verified) return CodeCheck::kVerified;
        const CodeCheck check = CheckVerificationCode((**method).code, code, now);
        const char* sql = nullptr;
        if (check == CodeCheck::kVerified) {
          sql =
              "UPDATE contact_methods SET verified = 1, code_hash = '', code_attempts = 0"
              " WHERE user_id = ?1 AND id = ?2";
        } else if (check == CodeCheck::kWrong) {
          sql =
              "UPDATE contact_methods SET code_attempts = code_attempts + 1"
              " WHERE user_id = ?1 AND id = ?2";
        }
        if (sql == nullptr) return check;
        Result<Statement*> stmt = db.Prepare(sql);
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, user_id);
        q.Bind(2, id);
        LOOM_RETURN_IF_ERROR(q.Run());
        if (check == CodeCheck::kVerified) {
          LOOM_RETURN_IF_ERROR(
              Record(db, user_id, actor, kMethodVerified, id, (**method).type, now));
        }
        return check;
      },
      std::move(done));
}

void SqlStore::SetNotificationRules(StoredNotificationRules rules, std::string actor,
                                    Callback<bool> done) {
  Submit<bool>(
      [this, rules = std::move(rules), actor = std::move(actor)]() -> Result<bool> {
        Connection& db = writer_->connection();
        Result<bool> known = UserKnown(db, rules.user_id);
        if (!known.ok()) return std::move(known).error();
        if (!*known) return Error::NotFound("no user " + rules.user_id);
        Result<Statement*> stmt = db.Prepare(
            "INSERT INTO notification_rules(user_id, high_json, low_json, updated_at)"
            " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(user_id) DO UPDATE SET"
            " high_json = excluded.high_json, low_json = excluded.low_json,"
            " updated_at = excluded.updated_at");
        if (!stmt.ok()) return std::move(stmt).error();
        Query q(*stmt);
        q.Bind(1, rules.user_id);
        q.Bind(2, RulesJson(rules.high));
        q.Bind(3, RulesJson(rules.low));
        const TimePoint now = clock_->Now();
        q.Bind(4, now);
        LOOM_RETURN_IF_ERROR(q.Run());
        LOOM_RETURN_IF_ERROR(Record(db, rules.user_id, actor, kRulesReplaced, "", "", now));
        return true;
      },
      std::move(done));
}

Result<std::vector<StoredContactMethod>> SqlStore::ListContactMethods(const std::string& user_id) {
  auto conn = readers_.Acquire();
  if (user_id.empty()) {
    return ReadRows<StoredContactMethod>(
        *conn, std::string(kMethodColumns) + " ORDER BY user_id, created_at, id", std::nullopt,
        ReadMethod);
  }
  return ReadRows<StoredContactMethod>(
      *conn, std::string(kMethodColumns) + " WHERE user_id = ?1 ORDER BY created_at, id", user_id,
      ReadMethod);
}

Result<std::vector<StoredNotificationRules>> SqlStore::ListNotificationRules() {
  auto conn = readers_.Acquire();
  return ReadRows<StoredNotificationRules>(
      *conn, "SELECT user_id, high_json, low_json FROM notification_rules ORDER BY user_id",
      std::nullopt, [](const Query& q, StoredNotificationRules* r) -> Status {
        r->user_id = q.Text(0);
        LOOM_RETURN_IF_ERROR(ReadRules(q.Text(1), &r->high));
        return ReadRules(q.Text(2), &r->low);
      });
}

Result<std::vector<ContactChange>> SqlStore::ListContactHistory(const std::string& user_id,
                                                                int limit) {
  auto conn = readers_.Acquire();
  return ReadRows<ContactChange>(
      *conn,
      "SELECT id, user_id, actor, action, method_id, method_type, at FROM contact_history"
      " WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2",
      [&](Query& q) {
        q.Bind(1, user_id);
        q.Bind(2, int64_t{limit});
      },
      [](const Query& q, ContactChange* c) {
        c->id = q.Int(0);
        c->user_id = q.Text(1);
        c->actor = q.Text(2);
        c->action = q.Text(3);
        c->method_id = q.Text(4);
        c->method_type = q.Text(5);
        c->at = q.Time(6);
      });
}

}  // namespace loom::sql
