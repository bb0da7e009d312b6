// The PostgreSQL back end of the SQL layer (db.h), over libpqxx: statements are prepared once per
// connection (server-side), parameters travel as text (`?N` in the SQL becomes `$K`, see
// ToPostgresParameters), binary values as bytea's hex text.
//
// A connection that breaks (the server restarted, a failover) is reopened by libpqxx at its next
// use outside a transaction, with its prepared statements; the statement that met the break fails
// with kUnavailable. Every statement runs under the connection's statement timeout.
//
// Statement::Send holds a statement as text — `EXECUTE` of the same statement prepared with SQL
// PREPARE, its values quoted inline (so a failing one shows them in the server's log) — until
// the next statement that runs at once, which sends everything held first, in one round trip.
// The store's writer sends its inserts and updates this way: a write command costs a round trip
// per read (and per insert that returns its id) instead of one per statement.
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
  Status Flush() override;

  // What a statement does to the transaction: BEGIN starts one; COMMIT and ROLLBACK (not
  // ROLLBACK TO) end it, whether they succeed or not; ROLLBACK TO undoes part of it.
  enum class Kind { kOther, kBegin, kCommit, kRollback, kRollbackTo };
  // Adjusts the tracked transaction state after a statement of `kind` ran; a lost connection
  // ends any transaction.
  void Track(Kind kind, bool ok, bool connection_lost);
  pqxx::connection_base& raw() { return *conn_; }

  // Statement::Send: holds `sql` (one statement of text, its values inlined) until the next
  // statement that runs at once, which first sends everything held in one round trip — or, when
  // it is a ROLLBACK, drops it.
  void Hold(std::string sql);
  // Before a statement of `kind` runs at once: flushes (or drops) what is held.
  Status BeforeStatement(Kind kind);
  // Counts reconnections: statements prepared with SQL PREPARE (for Send) are gone after one.
  int64_t session() const { return session_; }

 private:
  explicit PgConnection(std::unique_ptr<pqxx::connection_base> conn);

  std::unique_ptr<pqxx::connection_base> conn_;
  bool in_transaction_ = false;
  int next_statement_ = 0;
  int64_t session_ = 0;
  std::string held_;  // statements held by Hold, separated by ';'
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace loom::sql
