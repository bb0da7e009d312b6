// Thin RAII helpers over the SQLite C API for the SQLite store: a Connection that owns its
// prepared statements (prepared once, SQLITE_PREPARE_PERSISTENT, finalized with the
// connection), and Query, one scoped use of a prepared statement (bind, step, read, reset).
//
// Thread safety: a Connection, its statements and any Query on them are used by one thread at a
// time; the caller serialises (the writer thread owns the write connection, the read pool hands
// each read connection to one thread at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

// Returns the error of a Status/Result expression from the enclosing function.
#define LOOM_RETURN_IF_ERROR(expr)                                  \
  do {                                                              \
    auto loom_status_ = (expr);                                     \
    if (!loom_status_.ok()) return std::move(loom_status_).error(); \
  } while (0)

namespace loom::sqlite {

// True when this process runs SQLite with the store's sub-journal spill threshold (256 KiB), i.e.
// SQLite had not been used before the first Connection::Open. When false, the store keeps
// sub-journals in memory with PRAGMA temp_store = MEMORY instead (slower, but no temp files).
bool SubJournalSpillConfigured();

// Maps a SQLite result code to an Error: constraint violations are kConflict, I/O, disk-full,
// busy and locking failures kUnavailable (the caller may retry later), the rest kInternal.
Error ErrorFromSqlite(sqlite3* db, int rc, std::string_view what);

class Connection {
 public:
  // Opens `path` (creating it unless `read_only`). Read-only connections refuse every write.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  // Finalizes every cached statement, then closes the connection.
  ~Connection();

  // Runs one or more SQL statements that return no rows the caller needs (DDL, PRAGMA, BEGIN).
  Status Exec(std::string_view sql);

  // The cached prepared statement for `sql`, prepared on first use. The pointer stays valid for
  // the connection's lifetime; use it through a Query.
  Result<sqlite3_stmt*> Prepare(std::string_view sql);

  // True while a transaction is open (false after COMMIT, ROLLBACK, or an error that made SQLite
  // roll the transaction back by itself, e.g. SQLITE_FULL or SQLITE_IOERR).
  bool InTransaction() const;

  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// One use of a prepared statement. Bind parameters (1-based), Step through rows, read columns
// (0-based); the destructor resets the statement so the next Query can use it. Text is bound as a
// copy (SQLITE_TRANSIENT), so arguments may be temporaries.
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  void Bind(int index, int64_t value);
  void Bind(int index, std::string_view value);
  // Binds without copying. REQUIRES: `value` outlives this Query (the statement reads it until
  // the reset in the destructor). For the writer's hot path, where every bound string lives in the
  // plan being written.
  void BindRef(int index, std::string_view value);
  void Bind(int index, TimePoint value) { Bind(index, ToUnixMicros(value)); }
  void Bind(int index, const std::optional<TimePoint>& value);
  void BindNull(int index);

  // Advances to the next row: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps a statement that returns no rows to completion.
  Status Run();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string_view TextView(int column) const;  // valid until the next Step or the reset
  bool IsNull(int column) const;
  TimePoint Time(int column) const { return FromUnixMicros(Int(column)); }
  std::optional<TimePoint> OptionalTime(int column) const;

 private:
  sqlite3_stmt* stmt_;
  int bind_error_ = 0;  // the first failed bind (a programming error), reported by Step
};

}  // namespace loom::sqlite
