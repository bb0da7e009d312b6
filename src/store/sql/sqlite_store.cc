#include "store/sql/sqlite_store.h"

#include <memory>
#include <utility>

#include "store/sql/sql_store.h"
#include "store/sql/sqlite_db.h"
#include "store/sql/wal_checkpointer.h"
#include "store/sql/wal_sync.h"

namespace loom {

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options, Clock& clock) {
  using sql::Connection;
  using sql::Query;
  using sql::SqliteConnection;
  using sql::Statement;
  if (options.path.empty()) return Error::Invalid("the SQLite store needs a file path");
  Result<std::unique_ptr<SqliteConnection>> db =
      SqliteConnection::Open(options.path, /*read_only=*/false);
  if (!db.ok()) return std::move(db).error();
  {
    // WAL: readers never block the writer.
    Result<Statement*> wal = (*db)->Prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) return std::move(wal).error();
    Query q(*wal);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row || q.TextView(0) != "wal") {
      return Error::Unavailable("cannot switch " + options.path + " to WAL journal mode");
    }
  }
  // synchronous=NORMAL: a commit is not fsynced by the writer thread; the group-commit writer's
  // sync thread fdatasyncs the WAL (WalSync) before any write is answered, so an accepted event
  // still survives a power cut, and the writer runs the next batch meanwhile.
  Status s = (*db)->Exec(
      "PRAGMA synchronous = NORMAL;"
      "PRAGMA foreign_keys = ON;"
      "PRAGMA busy_timeout = 5000;"
      "PRAGMA cache_size = -32768;"
      // After a burst, checkpoints truncate the WAL back to this size instead of keeping it.
      "PRAGMA journal_size_limit = 67108864;");
  if (!s.ok()) return s.error();
  // Savepoint journals stay in memory: once one outgrows the spill threshold, SQLite moves it
  // to a temp file for the rest of the batch, and on this platform writes to that file failed
  // with "database or disk is full" (a delivery record of 500 bundled rows hit it). Memory is
  // bounded by the batch, which the group commit caps.
  s = (*db)->Exec("PRAGMA temp_store = MEMORY");
  if (!s.ok()) return s.error();

  // Checkpoints run on a thread of their own (wal_checkpointer.h).
  Result<std::shared_ptr<sql::WalCheckpointer>> checkpointer =
      sql::WalCheckpointer::Start(options.path, {});
  if (!checkpointer.ok()) return std::move(checkpointer).error();
  sql::WalCheckpointer::Install(*checkpointer, **db);

  sql::SqlStoreOptions sql_options;
  sql_options.max_queue = options.max_queue;
  sql_options.max_batch = options.max_batch;
  sql_options.read_connections = options.read_connections;
  sql_options.security = options.security;
  sql_options.sync = [wal = std::make_shared<sql::WalSync>(options.path)] { return wal->Sync(); };
  // Read-only connections to the same file; in WAL mode they never block the writer.
  sql_options.open_reader = [path = options.path]() -> Result<std::unique_ptr<Connection>> {
    Result<std::unique_ptr<SqliteConnection>> conn =
        SqliteConnection::Open(path, /*read_only=*/true);
    if (!conn.ok()) return std::move(conn).error();
    Status busy = (*conn)->Exec("PRAGMA busy_timeout = 5000");
    if (!busy.ok()) return std::move(busy).error();
    return std::unique_ptr<Connection>(std::move(*conn));
  };
  return sql::OpenSqlStore(std::move(*db), sql_options, clock);
}

}  // namespace loom
