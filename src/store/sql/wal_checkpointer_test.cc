#include "store/sql/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <thread>

#include "store/sql/db.h"
#include "testing/temp_dir.h"

namespace loom::sql {
namespace {

constexpr int kPageSize = 4096;

std::unique_ptr<SqliteConnection> OpenWalWriter(const std::string& path) {
  Result<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(path, false);
  EXPECT_TRUE(db.ok()) << db.error().message;
  EXPECT_TRUE((*db)
                  ->Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                         "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
                  .ok());
  return std::move(*db);
}

// One transaction per call, of `pages` rows of half a page each.
void WritePages(Connection& db, int pages) {
  ASSERT_TRUE(db.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                      std::to_string(pages) + ") INSERT INTO t (body) SELECT randomblob(" +
                      std::to_string(kPageSize / 2) + ") FROM n")
                  .ok());
}

// A WAL-mode database in a temporary directory whose writer reports to a checkpointer.
struct CheckpointedDatabase {
  explicit CheckpointedDatabase(WalCheckpointer::Limits limits)
      : path(dir.File("data.db")), writer(OpenWalWriter(path)) {
    Result<std::shared_ptr<WalCheckpointer>> started = WalCheckpointer::Start(path, limits);
    EXPECT_TRUE(started.ok()) << started.error().message;
    checkpointer = *started;
    WalCheckpointer::Install(checkpointer, *writer);
  }

  testing::TempDir dir;
  std::string path;
  std::unique_ptr<SqliteConnection> writer;
  std::shared_ptr<WalCheckpointer> checkpointer;
};

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

TEST(WalCheckpointerTest, ThePassedThresholdWakesTheCheckpointerThread) {
  CheckpointedDatabase db({/*start_frames=*/50, /*finish_frames=*/1, /*writer_frames=*/1000000});
  SqliteConnection* writer = db.writer.get();
  WalCheckpointer* checkpointer = db.checkpointer.get();

  WritePages(*writer, 10);  // below the threshold: nothing asked
  EXPECT_EQ(checkpointer->checkpoints(), 0);
  WritePages(*writer, 120);
  for (int i = 0; i < 1000000 && checkpointer->checkpoints() == 0; ++i) {
    std::this_thread::yield();
  }
  EXPECT_GE(checkpointer->checkpoints(), 1);
  EXPECT_EQ(checkpointer->writer_checkpoints(), 0);
  // The rows are in the database file once checkpointed, and still readable.
  Result<Statement*> count = writer->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  Query q(*count);
  ASSERT_TRUE(q.Step().ok());
  EXPECT_EQ(q.Int(0), 10 + 120);
}

TEST(WalCheckpointerTest, TheWriterCheckpointsItselfWhenTheWalReachesItsBound) {
  // The thread's threshold is never reached; only the writer's own bound checkpoints.
  CheckpointedDatabase db({/*start_frames=*/1000000, /*finish_frames=*/1, /*writer_frames=*/100});
  SqliteConnection* writer = db.writer.get();
  WalCheckpointer* checkpointer = db.checkpointer.get();
  for (int i = 0; i < 100; ++i) WritePages(*writer, 40);  // about 2,000 pages written
  EXPECT_GE(checkpointer->writer_checkpoints(), 10);
  EXPECT_EQ(checkpointer->checkpoints(), 0);
  // Restarted from its beginning after each checkpoint: the WAL never held 2,000 pages.
  EXPECT_LT(FileSize(db.path + "-wal"), 300 * (kPageSize + 24));
}

}  // namespace
}  // namespace loom::sql
