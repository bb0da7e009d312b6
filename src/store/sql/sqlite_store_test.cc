#include "store/sql/sqlite_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// A clean close leaves one file: the writer's connection closes last, so SQLite checkpoints the
// WAL into the database and removes it (a read-only connection closing last cannot).
TEST(SqliteStoreTest, ACleanCloseLeavesNoWalFileBehind) {
  testing::TempDir dir;
  testing::FakeClock clock;
  SqliteOptions options;
  options.path = dir.File("loom-oncall.db");
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(options, clock);
    ASSERT_TRUE(store.ok()) << store.error().message;
    // A read on every read connection keeps them busy with the WAL until they close.
    for (int i = 0; i < options.read_connections; ++i) {
      ASSERT_TRUE((*store)->ListOverrides().ok());
    }
    EXPECT_TRUE(Exists(options.path + "-wal"));
  }
  EXPECT_TRUE(Exists(options.path));
  EXPECT_FALSE(Exists(options.path + "-wal"));
  EXPECT_FALSE(Exists(options.path + "-shm"));
}

}  // namespace
}  // namespace loom
