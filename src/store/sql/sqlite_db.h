// The SQLite back end of the SQL layer (db.h): a connection over the SQLite C API whose
// statements are prepared once (SQLITE_PREPARE_PERSISTENT) and finalized with the connection.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "store/sql/db.h"

struct sqlite3;

namespace loom::sql {

// True when this process runs SQLite with the store's sub-journal spill threshold (256 KiB), i.e.
// SQLite had not been used before the first SqliteConnection::Open. When false, the store keeps
// sub-journals in memory with PRAGMA temp_store = MEMORY instead (slower, but no temp files).
bool SubJournalSpillConfigured();

// Maps a SQLite result code to an Error: constraint violations are kConflict, I/O, disk-full,
// busy and locking failures kUnavailable (the caller may retry later), the rest kInternal.
Error ErrorFromSqlite(sqlite3* db, int rc, std::string_view what);

class SqliteConnection final : public Connection {
 public:
  // Opens `path` (creating it unless `read_only`). Read-only connections refuse every write.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool read_only);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  // Finalizes every cached statement, then closes the connection.
  ~SqliteConnection() override;

  Status Exec(std::string_view sql) override;
  Result<Statement*> Prepare(std::string_view sql) override;
  bool InTransaction() const override;
  Dialect dialect() const override { return Dialect::kSqlite; }

  // WAL mode: `hook(frames)` runs after each commit on the committing thread, with the WAL's
  // length in frames (sqlite3_wal_hook). It replaces SQLite's automatic checkpoint.
  using WalHook = std::function<void(int frames)>;
  void SetWalHook(WalHook hook);
  // A PASSIVE checkpoint: copies into the database as much of the WAL as no reader still needs,
  // without waiting for anyone. Answers the WAL's frames and how many of them are checkpointed,
  // or `busy` when another connection was checkpointing (nothing done).
  struct CheckpointResult {
    int wal_frames = 0;
    int checkpointed = 0;
    bool busy = false;
  };
  Result<CheckpointResult> CheckpointPassive();

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  WalHook wal_hook_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace loom::sql
