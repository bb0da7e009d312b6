// The store tests' database, on either back end: a SQLite file in a temporary directory, or a
// fresh database on the test PostgreSQL server that ctest starts (scripts/pg_test_server.sh, the
// `postgres` fixture; its URL in the file LOOM_TEST_PG_URL_FILE names). One suite, run twice:
// TEST_P over kBackends.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/pg_db.h"
#include "store/sql/postgres_store.h"
#include "store/sql/sqlite_db.h"
#include "store/sql/sqlite_store.h"
#include "testing/temp_dir.h"

namespace loom::sql {

enum class TestBackend { kSqlite, kPostgres };

inline const auto kBackends = ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres);

// How gtest prints the parameter (in test lists and failures).
inline void PrintTo(TestBackend backend, std::ostream* os) {
  *os << (backend == TestBackend::kSqlite ? "Sqlite" : "Postgres");
}

inline std::string BackendName(const ::testing::TestParamInfo<TestBackend>& info) {
  return info.param == TestBackend::kSqlite ? "Sqlite" : "Postgres";
}

class TestDatabase {
 public:
  explicit TestDatabase(TestBackend backend) : backend_(backend) {
    if (backend_ == TestBackend::kSqlite) return;
    std::ifstream in(LOOM_TEST_PG_URL_FILE);
    std::getline(in, server_url_);
    if (server_url_.empty()) {
      ADD_FAILURE() << "no test PostgreSQL: " << LOOM_TEST_PG_URL_FILE
                    << " is missing (ctest starts one; by hand: scripts/pg_test_server.sh start "
                       "<build>/pg-test)";
      return;
    }
    static std::atomic<int> counter{0};
    name_ = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    Status s = Admin("CREATE DATABASE " + name_);
    EXPECT_TRUE(s.ok()) << s.error().message;
  }
  ~TestDatabase() {
    if (!name_.empty()) (void)Admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  TestBackend backend() const { return backend_; }

  // Opens the store on this database with `options`' tuning (its path is replaced).
  Result<std::unique_ptr<Store>> Open(SqliteOptions options, Clock& clock) {
    if (backend_ == TestBackend::kSqlite) {
      options.path = dir_.File("loom.db");
      return OpenSqliteStore(options, clock);
    }
    PostgresOptions pg;
    pg.url = Url();
    pg.max_queue = options.max_queue;
    pg.max_batch = options.max_batch;
    pg.read_connections = options.read_connections;
    pg.security = options.security;
    return OpenPostgresStore(pg, clock);
  }

  // Runs `sql` on the database behind the store's back (to tamper with it in a test).
  Status Exec(const std::string& sql) {
    Result<std::unique_ptr<Connection>> conn = Connect();
    if (!conn.ok()) return std::move(conn).error();
    return (*conn)->Exec(sql);
  }
  // The first column of the first row of `sql`, as text ("" when no row).
  Result<std::string> QueryText(const std::string& sql) {
    Result<std::unique_ptr<Connection>> conn = Connect();
    if (!conn.ok()) return std::move(conn).error();
    Result<Statement*> stmt = (*conn)->Prepare(sql);
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    return *row ? q.Text(0) : std::string();
  }

  // SQLite: the database file.
  std::string SqlitePath() const { return dir_.File("loom.db"); }
  // PostgreSQL: this database's URL.
  std::string Url() const { return server_url_.substr(0, server_url_.rfind('/') + 1) + name_; }

  // A new connection to this database.
  Result<std::unique_ptr<Connection>> Connect() {
    if (backend_ == TestBackend::kSqlite) {
      Result<std::unique_ptr<SqliteConnection>> c =
          SqliteConnection::Open(dir_.File("loom.db"), /*read_only=*/false);
      if (!c.ok()) return std::move(c).error();
      return std::unique_ptr<Connection>(std::move(*c));
    }
    Result<std::unique_ptr<PgConnection>> c = PgConnection::Open(Url(), 0);
    if (!c.ok()) return std::move(c).error();
    return std::unique_ptr<Connection>(std::move(*c));
  }

 private:
  Status Admin(const std::string& sql) {
    Result<std::unique_ptr<PgConnection>> c = PgConnection::Open(server_url_, 0);
    if (!c.ok()) return std::move(c).error();
    return (*c)->Exec(sql);
  }

  TestBackend backend_;
  testing::TempDir dir_;
  std::string server_url_;
  std::string name_;
};

}  // namespace loom::sql
