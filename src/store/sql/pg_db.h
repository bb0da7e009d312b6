// The PostgreSQL back end of the SQL layer (db.h), over libpqxx: statements are prepared once per
// connection (server-side), parameters travel as text (`?N` in the SQL becomes `$K`, see
// ToPostgresParameters), binary values as bytea's hex text.
//
// A connection that breaks (the server restarted, a failover) is reopened by libpqxx at its next
// use outside a transaction, with its prepared statements; the statement that met the break fails
// with kUnavailable. Every statement runs under the connection's statement timeout.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/sql/db.h"

namespace pqxx {
class connection_base;  // NOLINT(readability-identifier-naming)
}

namespace loom::sql {

// `sql` with its `?N` parameters (outside quotes; a bare `?` is one more than the largest before
// it) numbered densely as `$1..$K` in the order of N — PostgreSQL must infer the type of every
// number up to the largest, and queries built from optional filters skip some — and the map.
struct PgParameters {
  std::string sql;
  std::vector<int> dense;  // dense[N - 1]: the $ number of ?N, 0 when ?N is not used
};
PgParameters ToPostgresParameters(std::string_view sql);

class PgConnection final : public Connection {
 public:
  // Connects to `url` (a libpq connection URI or key=value string). `statement_timeout_ms`
  // bounds every statement (0: no bound).
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url,
                                                    int statement_timeout_ms);

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() override;

  Status Exec(std::string_view sql) override;
  Result<Statement*> Prepare(std::string_view sql) override;
  bool InTransaction() const override { return in_transaction_; }
  Dialect dialect() const override { return Dialect::kPostgres; }

  // What a statement does to the transaction: BEGIN starts one; COMMIT and ROLLBACK (not
  // ROLLBACK TO) end it, whether they succeed or not.
  enum class Kind { kOther, kBegin, kEnd };
  // Adjusts the tracked transaction state after a statement of `kind` ran; a lost connection
  // ends any transaction.
  void Track(Kind kind, bool ok, bool connection_lost);
  pqxx::connection_base& raw() { return *conn_; }

 private:
  explicit PgConnection(std::unique_ptr<pqxx::connection_base> conn);

  std::unique_ptr<pqxx::connection_base> conn_;
  bool in_transaction_ = false;
  int next_statement_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace loom::sql
