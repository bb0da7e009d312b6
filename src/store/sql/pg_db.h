// The PostgreSQL back end of the SQL layer (db.h), over libpqxx: statements are prepared once per
// connection (server-side), parameters travel as text (`?N` in the SQL becomes `$K`, see
// ToPostgresParameters), binary values as bytea's hex text.
//
// A connection found broken (the server restarted, a failover, the network) is replaced by a new
// one before its next statement outside a transaction; its prepared statements are prepared
// again on first use. A statement that cannot change anything — BEGIN, or a SELECT outside a
// transaction — and meets the break is run once more on the new connection, so a read on a pooled
// connection that went stale while the database was away answers as if nothing happened. Any other
// statement that meets the break fails with kUnavailable, and so does every statement after it
// until the transaction is over (the caller rolls back: nothing of it was kept). Connections are
// opened with a connect timeout (kConnectTimeoutSeconds) unless the URL sets one. Every statement
// runs under the connection's statement timeout.
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

// `url` (a libpq URI or key=value string) with `connect_timeout=seconds` added, unless it sets
// one: a database that does not answer fails the connection instead of hanging it.
std::string WithConnectTimeout(const std::string& url, int seconds);

class PgConnection final : public Connection {
 public:
  static constexpr int kConnectTimeoutSeconds = 5;

  // Connects to `url` (a libpq connection URI or key=value string). `statement_timeout_ms`
  // bounds every statement (0: no bound). `reconnect` false: a broken connection stays broken
  // (for a caller that holds libpqxx objects tied to it, pg_cluster.h), every statement fails.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& url,
                                                    int statement_timeout_ms,
                                                    bool reconnect = true);

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
  // Before a statement of `kind` runs at once: replaces a broken connection (outside a
  // transaction), then flushes (or drops) what is held. False: the statement must not run (the
  // ROLLBACK of a transaction that died with its connection; it succeeds). kUnavailable for a
  // statement of a transaction that died with its connection.
  Result<bool> BeforeStatement(Kind kind);
  // Counts reconnections: statements prepared with SQL PREPARE (for Send) are gone after one.
  int64_t session() const { return session_; }
  // Counts replacements of the libpqxx connection: its prepared statements are gone after one.
  int64_t generation() const { return generation_; }
  // Whether `e`, thrown by a statement, means the connection is gone.
  bool Lost(const std::exception& e) const;
  // Replaces the connection with a new one (after a break). kUnavailable when it cannot connect.
  Status Reconnect();
  bool reconnect_enabled() const { return reconnect_; }

 private:
  PgConnection(std::unique_ptr<pqxx::connection_base> conn, std::string url,
               int statement_timeout_ms, bool reconnect);

  std::unique_ptr<pqxx::connection_base> conn_;
  const std::string url_;  // never logged (it may hold a password)
  const int statement_timeout_ms_;
  const bool reconnect_;
  bool lost_ = false;    // the connection broke: replaced before the next statement
  bool doomed_ = false;  // the open transaction died with it: refused until its ROLLBACK
  int64_t generation_ = 0;
  bool in_transaction_ = false;
  int next_statement_ = 0;
  int64_t session_ = 0;
  std::string held_;  // statements held by Hold, separated by ';'
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace loom::sql
