#include "store/sql/wal_sync.h"

#include <gtest/gtest.h>

#include <string>

#include "store/sql/sqlite_db.h"
#include "testing/temp_dir.h"

namespace loom::sql {
namespace {

TEST(WalSyncTest, SyncsTheWalAndReopensItAfterTheFileWasReplaced) {
  testing::TempDir dir;
  const std::string path = dir.File("data.db");
  WalSync sync(path);
  // No WAL yet: a clear error naming the file, not a crash.
  Status missing = sync.Sync();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(missing.error().message.find(path + "-wal"), std::string::npos)
      << missing.error().message;

  {
    Result<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(path, false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                           "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)")
                    .ok());
    EXPECT_TRUE(sync.Sync().ok());
  }  // the last connection closes: SQLite checkpoints and deletes the WAL
  EXPECT_FALSE(sync.Sync().ok());

  Result<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(path, false);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES (2)").ok());  // a new WAL file
  EXPECT_TRUE(sync.Sync().ok()) << "the new WAL file is opened";
}

}  // namespace
}  // namespace loom::sql
