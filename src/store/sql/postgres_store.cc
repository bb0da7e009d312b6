#include "store/sql/postgres_store.h"

#include <memory>
#include <utility>

#include "store/sql/pg_db.h"
#include "store/sql/sql_store.h"

namespace loom {
namespace {

constexpr int kHealthConnectSeconds = 2;  // libpq's least
constexpr int kHealthStatementMs = 1000;

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options, Clock& clock) {
  using sql::Connection;
  using sql::PgConnection;
  if (options.url.empty()) return Error::Invalid("the PostgreSQL store needs a connection URL");
  Result<std::unique_ptr<PgConnection>> db =
      PgConnection::Open(options.url, options.statement_timeout_ms);
  if (!db.ok()) return std::move(db).error();

  sql::SqlStoreOptions sql_options;
  sql_options.max_queue = options.max_queue;
  sql_options.max_batch = options.max_batch;
  sql_options.read_connections = options.read_connections;
  sql_options.security = options.security;
  if (options.join_cluster) sql_options.cluster_url = options.url;
  sql_options.open_reader =
      [url = options.url,
       timeout = options.statement_timeout_ms]() -> Result<std::unique_ptr<Connection>> {
    Result<std::unique_ptr<PgConnection>> conn = PgConnection::Open(url, timeout);
    if (!conn.ok()) return std::move(conn).error();
    return std::unique_ptr<Connection>(std::move(*conn));
  };
  // /ready follows the database within a moment, with writes or without: `SELECT 1` on a
  // connection of its own, with short timeouts (a session that ended while the database restarted
  // is replaced at once, pg_db.h); after a failure it is opened anew.
  sql_options.health_check = [url = sql::WithConnectTimeout(options.url, kHealthConnectSeconds),
                              conn = std::shared_ptr<PgConnection>()]() mutable -> Status {
    if (!conn) {
      Result<std::unique_ptr<PgConnection>> opened = PgConnection::Open(url, kHealthStatementMs);
      if (!opened.ok()) return std::move(opened).error();
      conn = std::move(*opened);
    }
    Result<sql::Statement*> stmt = conn->Prepare("SELECT 1");
    Status s = stmt.ok() ? sql::Query(*stmt).Run() : Status(stmt.error());
    if (!s.ok()) conn.reset();
    return s;
  };
  return sql::OpenSqlStore(std::move(*db), sql_options, clock);
}

}  // namespace loom
