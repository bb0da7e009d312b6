#include "store/sql/pg_db.h"

#include <algorithm>
#include <cctype>
#include <pqxx/pqxx>
#include <utility>
#include <vector>

namespace loom::sql {
namespace {

// Maps a libpqxx exception to an Error (DatabaseError): constraint violations are kConflict; a
// lost connection, a server shutting down, too many connections, a timeout or a serialization
// failure kUnavailable (the caller may retry later); the rest kInternal.
Error ErrorFromPqxx(const std::exception& e, std::string_view what) {
  std::string message = e.what();
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e) != nullptr) {
    return DatabaseError(ErrorCode::kConflict, what, message);
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return DatabaseError(ErrorCode::kUnavailable, what, message);
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    // 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown,
    // statement timeout), 40 transaction rollback (serialization, deadlock).
    if (state.rfind("08", 0) == 0 || state.rfind("53", 0) == 0 || state.rfind("57", 0) == 0 ||
        state.rfind("40", 0) == 0) {
      return DatabaseError(ErrorCode::kUnavailable, what, message);
    }
  }
  return DatabaseError(ErrorCode::kInternal, what, message);
}

// The answer of a statement refused because its transaction's connection broke.
Error TransactionLost() {
  return DatabaseError(ErrorCode::kUnavailable, "statement",
                       "the connection to PostgreSQL was lost; the transaction was rolled back");
}

bool IsConnectionLost(const std::exception& e) {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr;
}

// A SELECT: outside a transaction, the store's are reads (the ones with effects — pg_notify,
// setval, the advisory locks — run inside the writer's transaction or on PgCluster's connection,
// which is never replaced), so it can run again after a break.
bool IsSelect(std::string_view sql) {
  constexpr std::string_view kSelect = "SELECT ";
  if (sql.size() < kSelect.size()) return false;
  for (size_t i = 0; i < kSelect.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[i])) != kSelect[i]) return false;
  }
  return true;
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
        retry_safe_(kind == PgConnection::Kind::kBegin || IsSelect(sql)),
        dense_(std::move(dense)),
        sql_(std::move(sql)),
        prepared_generation_(conn.generation()) {
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
      row_ = -1;
      for (int attempt = 0;; ++attempt) {
        Result<bool> run = conn_.BeforeStatement(kind_);
        if (!run.ok()) return std::move(run).error();
        if (!*run) return false;  // a ROLLBACK of a transaction the break already ended
        const bool idle = !conn_.InTransaction();
        std::vector<const char*> values;
        values.reserve(params_.size());
        for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
        try {
          if (prepared_generation_ != conn_.generation()) {
            conn_.raw().prepare(name_, sql_);  // a new connection: prepared again
            prepared_generation_ = conn_.generation();
          }
          pqxx::nontransaction tx(conn_.raw());
          result_ = tx.exec_prepared(name_, pqxx::prepare::make_dynamic_params(values));
        } catch (const std::exception& e) {
          const bool lost = conn_.Lost(e);
          conn_.Track(kind_, false, lost);
          // Nothing was changed: once more, on a new connection (BeforeStatement replaces it).
          if (lost && attempt == 0 && idle && retry_safe_ && conn_.reconnect_enabled()) continue;
          return ErrorFromPqxx(e, "statement");
        }
        break;
      }
      conn_.Track(kind_, true, false);
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
  // Changes nothing when it runs outside a transaction (BEGIN, SELECT): run again after a break.
  const bool retry_safe_;
  const std::vector<int> dense_;                    // `?N` → $dense_[N-1]; 0: not in the SQL
  const std::string sql_;                           // as prepared ($K parameters)
  int64_t prepared_generation_;                     // conn_.generation() when it was prepared
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

std::string WithConnectTimeout(const std::string& url, int seconds) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  const std::string setting = "connect_timeout=" + std::to_string(seconds);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + setting;
  }
  return url.empty() ? setting : url + " " + setting;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url,
                                                         int statement_timeout_ms, bool reconnect) {
  try {
    auto conn = std::make_unique<pqxx::connection>(WithConnectTimeout(url, kConnectTimeoutSeconds));
    // A session setting, set again on every new connection.
    conn->set_variable("statement_timeout", std::to_string(statement_timeout_ms));
    return std::unique_ptr<PgConnection>(
        new PgConnection(std::move(conn), url, statement_timeout_ms, reconnect));
  } catch (const std::exception& e) {
    // The message of a failed connection names the host, never the password.
    return ErrorFromPqxx(e, "connect to PostgreSQL");
  }
}

PgConnection::PgConnection(std::unique_ptr<pqxx::connection_base> conn, std::string url,
                           int statement_timeout_ms, bool reconnect)
    : conn_(std::move(conn)),
      url_(std::move(url)),
      statement_timeout_ms_(statement_timeout_ms),
      reconnect_(reconnect) {}

PgConnection::~PgConnection() {
  statements_.clear();
  try {
    conn_->disconnect();
  } catch (const std::exception&) {
    // Nothing to do: the connection is going away.
  }
}

Status PgConnection::Reconnect() {
  try {
    auto fresh =
        std::make_unique<pqxx::connection>(WithConnectTimeout(url_, kConnectTimeoutSeconds));
    fresh->set_variable("statement_timeout", std::to_string(statement_timeout_ms_));
    try {
      conn_->disconnect();
    } catch (const std::exception&) {
      // It is broken already.
    }
    conn_ = std::move(fresh);
  } catch (const std::exception& e) {
    return ErrorFromPqxx(e, "reconnect to PostgreSQL");
  }
  lost_ = false;
  held_.clear();
  ++generation_;
  ++session_;
  return OkStatus();
}

bool PgConnection::Lost(const std::exception& e) const {
  return IsConnectionLost(e) || !conn_->is_open();
}

Status PgConnection::Exec(std::string_view sql) {
  const Kind kind = KindOf(sql);
  for (int attempt = 0;; ++attempt) {
    Result<bool> run = BeforeStatement(kind);
    if (!run.ok()) return std::move(run).error();
    if (!*run) return OkStatus();
    const bool idle = !in_transaction_;
    try {
      pqxx::nontransaction tx(*conn_);
      tx.exec(std::string(sql));
    } catch (const std::exception& e) {
      const bool lost = Lost(e);
      Track(kind, false, lost);
      if (lost && attempt == 0 && idle && kind == Kind::kBegin && reconnect_) continue;
      return ErrorFromPqxx(e, std::string(sql.substr(0, 60)));
    }
    Track(kind, true, false);
    return OkStatus();
  }
}

Result<Statement*> PgConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it != statements_.end()) return it->second.get();
  std::string name = "s" + std::to_string(++next_statement_);
  PgParameters translated = ToPostgresParameters(sql);
  try {
    // Registers the statement; it is prepared on the server at its first use.
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

Result<bool> PgConnection::BeforeStatement(Kind kind) {
  if (doomed_) {
    // The transaction died with its connection: only its ROLLBACK is answered (there is nothing
    // left to roll back), and every other statement of it is refused.
    held_.clear();
    if (kind != Kind::kRollback) return TransactionLost();
    doomed_ = false;
    in_transaction_ = false;
    return false;
  }
  if (lost_) {
    held_.clear();
    if (!reconnect_) return DatabaseError(ErrorCode::kUnavailable, "statement", "no connection");
    LOOM_RETURN_IF_ERROR(Reconnect());
  }
  if (kind == Kind::kRollback) {
    held_.clear();  // they would be undone
    return true;
  }
  if (kind == Kind::kRollbackTo) {
    // Undone too, but the SAVEPOINT it returns to may be among them: run them, whatever they
    // answer (an error leaves the transaction in the state the ROLLBACK TO repairs).
    (void)Flush();
    return true;
  }
  LOOM_RETURN_IF_ERROR(Flush());
  return true;
}

Status PgConnection::Flush() {
  if (held_.empty()) return OkStatus();
  if (doomed_ || lost_) {
    held_.clear();
    return TransactionLost();
  }
  std::string sql = std::move(held_);
  held_.clear();
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec(sql);
  } catch (const std::exception& e) {
    Track(Kind::kOther, false, Lost(e));
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
    held_.clear();
    ++session_;
    lost_ = true;
    // A transaction the break cut short stays open for its caller, who must roll it back; a
    // COMMIT or ROLLBACK that met the break ended it (a COMMIT's outcome is unknown: kUnavailable).
    if (in_transaction_ && kind != Kind::kCommit && kind != Kind::kRollback) {
      doomed_ = true;
    } else {
      in_transaction_ = false;
    }
    return;
  }
  if (kind == Kind::kBegin && ok) in_transaction_ = true;
  if (kind == Kind::kCommit || kind == Kind::kRollback) in_transaction_ = false;
}

}  // namespace loom::sql
