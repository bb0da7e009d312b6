// The SQL layer the store is written against, with one implementation per back end (SQLite in
// sqlite_db.h, PostgreSQL in pg_db.h): a Connection that owns its prepared statements, and Query,
// one scoped use of a prepared statement (bind, step, read, reset).
//
// SQL text is written once for both back ends: parameters are `?N` (1-based, reusable), inserts
// that need the new id say `RETURNING id`, upserts say `ON CONFLICT ... DO ...`. The back end
// translates what it must (PostgreSQL: `?N` → `$N`). Where the two dialects differ (JSON
// functions, DDL), the caller asks `dialect()`.
//
// Thread safety: a Connection, its statements and any Query on them are used by one thread at a
// time; the caller serialises (the writer thread owns the write connection, the read pool hands
// each read connection to one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error_context.h"
#include "common/result.h"
#include "store/database_error.h"

namespace loom::sql {

enum class Dialect { kSqlite, kPostgres };

// An error with `code` whose message is `what` and the database's own `message`, marked as the
// database's (store/database_error.h: a client is never shown it).
Error DatabaseError(ErrorCode code, std::string_view what, std::string_view message);

// The type of a column's value in the current row, for code that copies rows it does not know
// (the table copy of export/import, transfer.h). kOther: a type the schema does not use (REAL).
enum class ValueType { kNull, kInt, kText, kBlob, kOther };

// A prepared statement with its bound parameters and, while stepping, its current row. Used
// through a Query, which resets it when done.
class Statement {
 public:
  virtual ~Statement() = default;

  // Parameters are 1-based. `copy` false: the text is read until the reset, so it must live
  // that long.
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindText(int index, std::string_view value, bool copy) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindNull(int index) = 0;

  // Advances to the next row: true when a row is available, false when the statement is done.
  virtual Result<bool> Step() = 0;
  // Columns are 0-based, of the current row.
  virtual int64_t Int(int column) const = 0;
  virtual std::string_view TextView(int column) const = 0;  // valid until the next Step or reset
  virtual std::string Blob(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
  // The result's columns: how many, their names, and the current row's value types.
  virtual int ColumnCount() const = 0;
  virtual std::string ColumnName(int column) const = 0;
  virtual ValueType Type(int column) const = 0;
  // Rows inserted, updated or deleted by the statement once it is done.
  virtual int64_t Changes() const = 0;
  // Clears the bindings' effect and the rows, so the statement can run again.
  virtual void Reset() = 0;
  // Runs a statement that returns no rows and whose changes the caller does not look at; the
  // back end may hold it and send it with the statements after it (PostgreSQL: one round trip
  // for many). Its error then surfaces at the next statement that is not sent this way, or at
  // Connection::Flush. Default: runs it at once.
  virtual Status Send();
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one or more SQL statements that return no rows the caller needs (DDL, BEGIN).
  virtual Status Exec(std::string_view sql) = 0;
  // The cached prepared statement for `sql`, prepared on first use. The pointer stays valid for
  // the connection's lifetime; use it through a Query.
  virtual Result<Statement*> Prepare(std::string_view sql) = 0;
  // True while a transaction is open (false after COMMIT, ROLLBACK, or an error that made the
  // database roll the transaction back by itself).
  virtual bool InTransaction() const = 0;
  virtual Dialect dialect() const = 0;
  // Runs every statement held by Statement::Send, answering the first error. A ROLLBACK drops
  // them instead. Default: nothing is ever held.
  virtual Status Flush() { return OkStatus(); }
};

// One use of a prepared statement; the destructor resets it so the next Query can use it.
class Query {
 public:
  explicit Query(Statement* stmt) : stmt_(stmt) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() { stmt_->Reset(); }

  void Bind(int index, int64_t value) { stmt_->BindInt(index, value); }
  void Bind(int index, std::string_view value) { stmt_->BindText(index, value, /*copy=*/true); }
  // Binds without copying. REQUIRES: `value` outlives this Query. For the writer's hot path,
  // where every bound string lives in the plan being written.
  void BindRef(int index, std::string_view value) { stmt_->BindText(index, value, /*copy=*/false); }
  void BindBlob(int index, std::string_view bytes) { stmt_->BindBlob(index, bytes); }
  void Bind(int index, TimePoint value) { Bind(index, ToUnixMicros(value)); }
  void Bind(int index, const std::optional<TimePoint>& value) {
    if (value) {
      Bind(index, *value);
    } else {
      BindNull(index);
    }
  }
  void BindNull(int index) { stmt_->BindNull(index); }

  Result<bool> Step() { return stmt_->Step(); }
  // Steps a statement that returns no rows the caller needs to completion.
  Status Run();
  // Statement::Send: for statements whose outcome the caller only needs by the end of the
  // write command (group_commit.h), which flushes what is held.
  Status Send() { return stmt_->Send(); }
  // Steps a statement that returns one row with one integer (`RETURNING id`) and answers it.
  Result<int64_t> RunReturningInt();
  int64_t Changes() const { return stmt_->Changes(); }

  int64_t Int(int column) const { return stmt_->Int(column); }
  std::string Text(int column) const { return std::string(TextView(column)); }
  std::string_view TextView(int column) const { return stmt_->TextView(column); }
  std::string Blob(int column) const { return stmt_->Blob(column); }
  bool IsNull(int column) const { return stmt_->IsNull(column); }
  TimePoint Time(int column) const { return FromUnixMicros(Int(column)); }
  std::optional<TimePoint> OptionalTime(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Time(column);
  }

 private:
  Statement* stmt_;
};

}  // namespace loom::sql
