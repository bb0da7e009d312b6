#include "store/sql/pg_db.h"

#include <algorithm>
#include <cctype>
#include <pqxx/pqxx>
#include <utility>
#include <vector>

namespace loom::sql {
namespace {

// Maps a libpqxx exception to an Error: constraint violations are kConflict; a lost connection,
// a server shutting down, too many connections, a timeout or a serialization failure
// kUnavailable (the caller may retry later); the rest kInternal.
Error ErrorFromPqxx(const std::exception& e, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += e.what();
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e) != nullptr) {
    return Error::Conflict(std::move(message));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Error::Unavailable(std::move(message));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    // 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown,
    // statement timeout), 40 transaction rollback (serialization, deadlock).
    if (state.rfind("08", 0) == 0 || state.rfind("53", 0) == 0 || state.rfind("57", 0) == 0 ||
        state.rfind("40", 0) == 0) {
      return Error::Unavailable(std::move(message));
    }
  }
  return Error::Internal(std::move(message));
}

bool IsConnectionLost(const std::exception& e) {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr;
}

PgConnection::Kind KindOf(std::string_view sql) {
  auto starts = [&](std::string_view word) {
    if (sql.size() < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(sql[i])) != word[i]) return false;
    }
    return sql.size() == word.size() || !std::isalpha(static_cast<unsigned char>(sql[word.size()]));
  };
  if (starts("BEGIN")) return PgConnection::Kind::kBegin;
  if (starts("COMMIT")) return PgConnection::Kind::kCommit;
  if (starts("ROLLBACK")) {
    return sql.find(" TO ") == std::string_view::npos ? PgConnection::Kind::kRollback
                                                      : PgConnection::Kind::kRollbackTo;
  }
  return PgConnection::Kind::kOther;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A prepared statement of a PgConnection. Parameters are collected as text; the statement runs
// at the first Step and its whole result is kept until the reset.
class PgStatement final : public Statement {
 public:
  PgStatement(PgConnection& conn, std::string name, PgConnection::Kind kind, std::vector<int> dense,
              std::string sql)
      : conn_(conn),
        name_(std::move(name)),
        kind_(kind),
        dense_(std::move(dense)),
        sql_(std::move(sql)) {
    int count = 0;
    for (int d : dense_) count = std::max(count, d);
    params_.resize(static_cast<size_t>(count));
  }

  void BindInt(int index, int64_t value) override { Slot(index) = std::to_string(value); }
  void BindText(int index, std::string_view value, bool /*copy*/) override {
    Slot(index) = std::string(value);
  }
  void BindBlob(int index, std::string_view bytes) override {
    // bytea's hex input format.
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex = "\\x";
    hex.reserve(2 + bytes.size() * 2);
    for (unsigned char c : bytes) {
      hex += kDigits[c >> 4];
      hex += kDigits[c & 0xf];
    }
    Slot(index) = std::move(hex);
  }
  void BindNull(int index) override { Slot(index).reset(); }

  Result<bool> Step() override {
    if (!executed_) {
      executed_ = true;
      Status ready = conn_.BeforeStatement(kind_);
      if (!ready.ok()) return std::move(ready).error();
      std::vector<const char*> values;
      values.reserve(params_.size());
      for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
      try {
        pqxx::nontransaction tx(conn_.raw());
        result_ = tx.exec_prepared(name_, pqxx::prepare::make_dynamic_params(values));
      } catch (const std::exception& e) {
        conn_.Track(kind_, false, IsConnectionLost(e));
        return ErrorFromPqxx(e, "statement");
      }
      conn_.Track(kind_, true, false);
      row_ = -1;
    }
    ++row_;
    return row_ < static_cast<int64_t>(result_.size());
  }

  int64_t Int(int column) const override {
    const pqxx::field f = Field(column);
    if (f.is_null()) return 0;
    return f.as<int64_t>();
  }
  std::string_view TextView(int column) const override {
    const pqxx::field f = Field(column);
    if (f.is_null()) return {};
    return std::string_view(f.c_str(), f.size());
  }
  std::string Blob(int column) const override {
    std::string_view hex = TextView(column);
    if (hex.substr(0, 2) != "\\x") return std::string(hex);
    std::string out;
    out.reserve((hex.size() - 2) / 2);
    for (size_t i = 2; i + 1 < hex.size(); i += 2) {
      out += static_cast<char>(HexValue(hex[i]) * 16 + HexValue(hex[i + 1]));
    }
    return out;
  }
  bool IsNull(int column) const override { return Field(column).is_null(); }
  int ColumnCount() const override { return static_cast<int>(result_.columns()); }
  std::string ColumnName(int column) const override {
    return result_.column_name(static_cast<pqxx::row::size_type>(column));
  }
  ValueType Type(int column) const override {
    if (Field(column).is_null()) return ValueType::kNull;
    // The built-in type oids (pg_type.dat): the schema uses BIGINT, TEXT and BYTEA.
    switch (result_.column_type(static_cast<pqxx::row::size_type>(column))) {
      case 20:  // int8
      case 21:  // int2
      case 23:  // int4
        return ValueType::kInt;
      case 25:    // text
      case 1043:  // varchar
        return ValueType::kText;
      case 17:  // bytea
        return ValueType::kBlob;
      default: return ValueType::kOther;
    }
  }
  int64_t Changes() const override {
    return executed_ ? static_cast<int64_t>(result_.affected_rows()) : 0;
  }
  Status Send() override {
    if (kind_ != PgConnection::Kind::kOther) return Statement::Send();
    if (params_.empty()) {  // as it is (SAVEPOINT and RELEASE cannot be prepared in SQL)
      conn_.Hold(sql_);
      return OkStatus();
    }
    // Held as text: EXECUTE of the same statement prepared with SQL PREPARE (the protocol's
    // prepared statements cannot be named in SQL), with its values as quoted literals, which
    // PostgreSQL casts to the parameter types it inferred.
    if (held_name_.empty() || held_session_ != conn_.session()) {
      // First use in this session (a reconnection dropped the earlier one).
      std::string name = "h" + name_;
      LOOM_RETURN_IF_ERROR(conn_.Exec("PREPARE " + name + " AS " + sql_));
      held_name_ = std::move(name);
      held_session_ = conn_.session();
    }
    std::string text = "EXECUTE " + held_name_;
    try {
      // Quoting asks libpq, which needs the connection (it may have broken meanwhile).
      for (size_t i = 0; i < params_.size(); ++i) {
        text += i == 0 ? "(" : ", ";
        text += params_[i] ? conn_.raw().quote(*params_[i]) : "NULL";
      }
    } catch (const std::exception& e) {
      conn_.Track(kind_, false, IsConnectionLost(e));
      return ErrorFromPqxx(e, "statement");
    }
    text += ")";
    conn_.Hold(std::move(text));
    return OkStatus();
  }
  void Reset() override {
    for (auto& p : params_) p.reset();
    result_ = pqxx::result();
    executed_ = false;
    row_ = -1;
  }

 private:
  // The parameter the SQL calls `?index`; binds to a number the SQL does not use go nowhere.
  std::optional<std::string>& Slot(int index) {
    if (index < 1 || static_cast<size_t>(index) > dense_.size() ||
        dense_[static_cast<size_t>(index - 1)] == 0) {
      return unused_;
    }
    return params_[static_cast<size_t>(dense_[static_cast<size_t>(index - 1)] - 1)];
  }
  pqxx::field Field(int column) const {
    return result_[static_cast<pqxx::result::size_type>(row_)][column];
  }

  PgConnection& conn_;
  const std::string name_;
  const PgConnection::Kind kind_;
  const std::vector<int> dense_;                    // `?N` → $dense_[N-1]; 0: not in the SQL
  const std::string sql_;                           // as prepared ($K parameters)
  std::string held_name_;                           // prepared with SQL PREPARE, for Send
  int64_t held_session_ = -1;                       // conn_.session() when it was
  std::vector<std::optional<std::string>> params_;  // by $ number - 1
  std::optional<std::string> unused_;
  pqxx::result result_;
  bool executed_ = false;
  int64_t row_ = -1;
};

}  // namespace

PgParameters ToPostgresParameters(std::string_view sql) {
  // Two passes: find the parameter numbers used (a bare `?` is one more than the largest so far,
  // as in SQLite), then write each as its rank among them.
  struct Use {
    size_t begin, end;  // the `?N` text
    int number;
  };
  std::vector<Use> uses;
  int largest = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c != '?') continue;
    size_t j = i + 1;
    while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
    const int number =
        j == i + 1 ? largest + 1 : std::stoi(std::string(sql.substr(i + 1, j - i - 1)));
    largest = std::max(largest, number);
    uses.push_back({i, j, number});
    i = j - 1;
  }
  PgParameters out;
  out.dense.assign(static_cast<size_t>(largest), 0);
  for (const Use& use : uses) out.dense[static_cast<size_t>(use.number - 1)] = 1;
  int next = 0;
  for (int& d : out.dense) {
    if (d != 0) d = ++next;
  }
  size_t at = 0;
  for (const Use& use : uses) {
    out.sql.append(sql.substr(at, use.begin - at));
    out.sql += '$' + std::to_string(out.dense[static_cast<size_t>(use.number - 1)]);
    at = use.end;
  }
  out.sql.append(sql.substr(at));
  return out;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url,
                                                         int statement_timeout_ms) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    std::unique_ptr<PgConnection> pg(new PgConnection(std::move(conn)));
    // A session setting, restored by libpqxx when it reconnects.
    pg->conn_->set_variable("statement_timeout", std::to_string(statement_timeout_ms));
    return pg;
  } catch (const std::exception& e) {
    // The message of a failed connection names the host, never the password.
    return ErrorFromPqxx(e, "connect to PostgreSQL");
  }
}

PgConnection::PgConnection(std::unique_ptr<pqxx::connection_base> conn) : conn_(std::move(conn)) {}

PgConnection::~PgConnection() {
  statements_.clear();
  try {
    conn_->disconnect();
  } catch (const std::exception&) {
    // Nothing to do: the connection is going away.
  }
}

Status PgConnection::Exec(std::string_view sql) {
  const Kind kind = KindOf(sql);
  LOOM_RETURN_IF_ERROR(BeforeStatement(kind));
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec(std::string(sql));
  } catch (const std::exception& e) {
    Track(kind, false, IsConnectionLost(e));
    return ErrorFromPqxx(e, std::string(sql.substr(0, 60)));
  }
  Track(kind, true, false);
  return OkStatus();
}

Result<Statement*> PgConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it != statements_.end()) return it->second.get();
  std::string name = "s" + std::to_string(++next_statement_);
  PgParameters translated = ToPostgresParameters(sql);
  try {
    conn_->prepare(name, translated.sql);
  } catch (const std::exception& e) {
    return ErrorFromPqxx(e, "prepare");
  }
  auto owned = std::make_unique<PgStatement>(*this, std::move(name), KindOf(sql),
                                             std::move(translated.dense), translated.sql);
  Statement* raw = owned.get();
  statements_.emplace(std::string(sql), std::move(owned));
  return raw;
}

void PgConnection::Hold(std::string sql) {
  if (!held_.empty()) held_ += ";\n";
  held_ += sql;
}

Status PgConnection::BeforeStatement(Kind kind) {
  if (kind == Kind::kRollback) {
    held_.clear();  // they would be undone
    return OkStatus();
  }
  if (kind == Kind::kRollbackTo) {
    // Undone too, but the SAVEPOINT it returns to may be among them: run them, whatever they
    // answer (an error leaves the transaction in the state the ROLLBACK TO repairs).
    (void)Flush();
    return OkStatus();
  }
  return Flush();
}

Status PgConnection::Flush() {
  if (held_.empty()) return OkStatus();
  std::string sql = std::move(held_);
  held_.clear();
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec(sql);
  } catch (const std::exception& e) {
    Track(Kind::kOther, false, IsConnectionLost(e));
    const auto* sql_error = dynamic_cast<const pqxx::sql_error*>(&e);
    // 26000: a held statement's PREPARE is gone (a reconnection libpqxx did not report):
    // prepare them again at their next use.
    if (sql_error != nullptr && sql_error->sqlstate() == "26000") ++session_;
    return ErrorFromPqxx(e, "statement");
  }
  return OkStatus();
}

void PgConnection::Track(Kind kind, bool ok, bool connection_lost) {
  if (connection_lost) {
    in_transaction_ = false;
    held_.clear();
    ++session_;
    return;
  }
  if (kind == Kind::kBegin && ok) in_transaction_ = true;
  if (kind == Kind::kCommit || kind == Kind::kRollback) in_transaction_ = false;
}

}  // namespace loom::sql
