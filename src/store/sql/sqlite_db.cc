#include "store/sql/sqlite_db.h"

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <utility>

namespace loom::sql {
namespace {

std::atomic<bool> spill_configured{false};

// Process-wide settings; they take effect only before SQLite's first use in the process
// (otherwise sqlite3_config answers SQLITE_MISUSE and SQLite keeps its defaults).
void ConfigureProcessOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Memory statistics take a process-wide mutex on every allocation; nothing reads them, and
    // the writer allocates on every statement (Debian's SQLite has no lookaside).
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // The per-command SAVEPOINT copies each page a command first touches into a sub-journal
    // held in memory up to this size, beyond which it spills to a temp file for the rest of the
    // transaction (the batch): two pwrite calls per journaled page. The 64 KiB default is
    // exceeded by an ingest command whose inserts split pages in several b-trees at once.
    spill_configured = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 256 * 1024) == SQLITE_OK;
  });
}

}  // namespace

bool SubJournalSpillConfigured() {
  ConfigureProcessOnce();
  return spill_configured.load();
}

Error ErrorFromSqlite(sqlite3* db, int rc, std::string_view what) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: return DatabaseError(ErrorCode::kConflict, what, message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM: return DatabaseError(ErrorCode::kUnavailable, what, message);
    default: return DatabaseError(ErrorCode::kInternal, what, message);
  }
}

namespace {

// One prepared statement. Text is bound as a copy (SQLITE_TRANSIENT) unless the caller vouches
// for its lifetime (SQLITE_STATIC).
class SqliteStatement final : public Statement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void BindInt(int index, int64_t value) override {
    Check(sqlite3_bind_int64(stmt_, index, value));
  }
  void BindText(int index, std::string_view value, bool copy) override {
    // A non-null pointer even for "" so the column holds '' rather than NULL.
    Check(sqlite3_bind_text(stmt_, index, value.empty() ? "" : value.data(),
                            static_cast<int>(value.size()),
                            copy ? SQLITE_TRANSIENT : SQLITE_STATIC));
  }
  void BindBlob(int index, std::string_view bytes) override {
    // A zero-length blob, not NULL, for empty content.
    Check(bytes.empty()
              ? sqlite3_bind_zeroblob(stmt_, index, 0)
              : sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  }
  void BindNull(int index) override { Check(sqlite3_bind_null(stmt_, index)); }

  Result<bool> Step() override {
    sqlite3* db = sqlite3_db_handle(stmt_);
    if (bind_error_ != 0) return ErrorFromSqlite(db, bind_error_, "bind");
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      changes_ = sqlite3_changes(db);
      return false;
    }
    return ErrorFromSqlite(db, rc, "step");
  }

  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string_view TextView(int column) const override {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    if (text == nullptr) return {};
    return std::string_view(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::string Blob(int column) const override {
    const void* blob = sqlite3_column_blob(stmt_, column);
    const int bytes = sqlite3_column_bytes(stmt_, column);
    if (blob == nullptr || bytes <= 0) return {};
    return std::string(static_cast<const char*>(blob), static_cast<size_t>(bytes));
  }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int ColumnCount() const override { return sqlite3_column_count(stmt_); }
  std::string ColumnName(int column) const override {
    const char* name = sqlite3_column_name(stmt_, column);
    return name != nullptr ? name : "";
  }
  ValueType Type(int column) const override {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_NULL: return ValueType::kNull;
      case SQLITE_INTEGER: return ValueType::kInt;
      case SQLITE_TEXT: return ValueType::kText;
      case SQLITE_BLOB: return ValueType::kBlob;
      default: return ValueType::kOther;
    }
  }
  int64_t Changes() const override { return changes_; }
  void Reset() override {
    sqlite3_reset(stmt_);
    bind_error_ = 0;
    changes_ = 0;
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  }

  sqlite3_stmt* stmt_;
  int bind_error_ = 0;  // the first failed bind (a programming error), reported by Step
  int64_t changes_ = 0;
};

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 bool read_only) {
  ConfigureProcessOnce();
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (see db.h), so SQLite's own
  // per-connection mutex would only cost time.
  int flags = SQLITE_OPEN_NOMUTEX |
              (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = ErrorFromSqlite(db, rc, "open " + path);
    sqlite3_close(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();
  sqlite3_close(db_);
}

Status SqliteConnection::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return ErrorFromSqlite(nullptr, rc, text.substr(0, 60) + ": " + what);
  }
  return OkStatus();
}

Result<Statement*> SqliteConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it != statements_.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorFromSqlite(db_, rc, "prepare");
  auto owned = std::make_unique<SqliteStatement>(stmt);
  Statement* raw = owned.get();
  statements_.emplace(std::string(sql), std::move(owned));
  return raw;
}

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void SqliteConnection::SetWalHook(WalHook hook) {
  wal_hook_ = std::move(hook);
  if (!wal_hook_) {
    sqlite3_wal_hook(db_, nullptr, nullptr);
    return;
  }
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) {
        static_cast<SqliteConnection*>(self)->wal_hook_(frames);
        return SQLITE_OK;
      },
      this);
}

Result<SqliteConnection::CheckpointResult> SqliteConnection::CheckpointPassive() {
  CheckpointResult out;
  int rc = sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_PASSIVE, &out.wal_frames,
                                     &out.checkpointed);
  if ((rc & 0xff) == SQLITE_BUSY) {
    out.busy = true;  // another connection is checkpointing right now
    return out;
  }
  if (rc != SQLITE_OK) return ErrorFromSqlite(db_, rc, "checkpoint");
  return out;
}

}  // namespace loom::sql
