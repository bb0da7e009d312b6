// The SQL layer's Send (statements held and sent together on PostgreSQL), on both back ends.
#include "store/sql/db.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sql/test_database.h"

namespace loom::sql {
namespace {

class SendTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Connection>> conn = db_.Connect();
    ASSERT_TRUE(conn.ok()) << conn.error().message;
    conn_ = std::move(*conn);
    ASSERT_TRUE(conn_
                    ->Exec(GetParam() == TestBackend::kSqlite
                               ? "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)"
                               : "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, data BYTEA)")
                    .ok());
  }

  Status SendRow(int64_t id, std::optional<std::string> name, std::string data = "") {
    Result<Statement*> insert =
        conn_->Prepare("INSERT INTO t (id, name, data) VALUES (?1, ?2, ?3)");
    if (!insert.ok()) return std::move(insert).error();
    Query q(*insert);
    q.Bind(1, id);
    if (name) {
      q.Bind(2, std::string_view(*name));
    } else {
      q.BindNull(2);
    }
    q.BindBlob(3, data);
    return q.Send();
  }

  int64_t Count() {
    Result<Statement*> count = conn_->Prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(count.ok());
    Query q(*count);
    Result<bool> row = q.Step();
    EXPECT_TRUE(row.ok() && *row) << (row.ok() ? "" : row.error().message);
    return row.ok() && *row ? q.Int(0) : -1;
  }

  TestDatabase db_{GetParam()};
  std::unique_ptr<Connection> conn_;
};

TEST_P(SendTest, SentRowsAreThereForTheNextStatementWithTheirValues) {
  const std::string awkward = "it's a \\ 'quoted' ; name";
  const std::string bytes("\x00\xff\x27 end", 6);
  ASSERT_TRUE(SendRow(1, awkward, bytes).ok());
  ASSERT_TRUE(SendRow(2, std::nullopt).ok());
  EXPECT_EQ(Count(), 2);
  Result<Statement*> read = conn_->Prepare("SELECT name, data FROM t ORDER BY id");
  ASSERT_TRUE(read.ok());
  Query q(*read);
  ASSERT_TRUE(q.Step().value());
  EXPECT_EQ(q.Text(0), awkward);
  EXPECT_EQ(q.Blob(1), bytes);
  ASSERT_TRUE(q.Step().value());
  EXPECT_TRUE(q.IsNull(0));
}

TEST_P(SendTest, AnErrorSurfacesByTheFlushAtTheLatest) {
  ASSERT_TRUE(conn_->Exec("BEGIN").ok());
  ASSERT_TRUE(SendRow(1, "first").ok());
  Status sent = SendRow(1, "same key");
  Status flushed = conn_->Flush();
  // SQLite runs it at once, PostgreSQL when flushed: one of the two reports the conflict.
  ASSERT_NE(sent.ok(), flushed.ok());
  EXPECT_EQ((sent.ok() ? flushed : sent).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(conn_->Exec("ROLLBACK").ok());
  EXPECT_EQ(Count(), 0);
}

TEST_P(SendTest, ARollbackDropsWhatIsHeldAndARollbackToKeepsItsSavepoint) {
  ASSERT_TRUE(conn_->Exec("BEGIN").ok());
  ASSERT_TRUE(SendRow(1, "kept").ok());
  Result<Statement*> savepoint = conn_->Prepare("SAVEPOINT command");
  ASSERT_TRUE(savepoint.ok());
  ASSERT_TRUE(Query(*savepoint).Send().ok());
  ASSERT_TRUE(SendRow(2, "undone").ok());
  // The savepoint was only held: ROLLBACK TO must find it.
  ASSERT_TRUE(conn_->Exec("ROLLBACK TO command").ok());
  ASSERT_TRUE(conn_->Exec("COMMIT").ok());
  EXPECT_EQ(Count(), 1);

  ASSERT_TRUE(conn_->Exec("BEGIN").ok());
  ASSERT_TRUE(SendRow(3, "dropped").ok());
  ASSERT_TRUE(conn_->Exec("ROLLBACK").ok());
  EXPECT_EQ(Count(), 1);
  EXPECT_FALSE(conn_->InTransaction());
}

INSTANTIATE_TEST_SUITE_P(Backends, SendTest, kBackends, BackendName);

}  // namespace
}  // namespace loom::sql
