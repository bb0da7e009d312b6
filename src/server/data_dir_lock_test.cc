#include "server/data_dir_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "testing/temp_dir.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

TEST(DataDirLockTest, ASecondHolderIsRefusedNamingTheDirectoryAndThePid) {
  TempDir tmp;
  Result<DataDirLock> first = DataDirLock::Acquire(tmp.path());
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->held());
  EXPECT_EQ(testing::ReadFileOrDie(tmp.File(kDataDirLockFile)), std::to_string(getpid()) + "\n");

  // flock(2) locks belong to the open file description: a second open conflicts even in this
  // process, as it would in another one.
  Result<DataDirLock> second = DataDirLock::Acquire(tmp.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_THAT(second.error().message,
              HasSubstr("data directory '" + tmp.path() + "' is in use by another loom-oncall " +
                        "process (PID " + std::to_string(getpid()) + ")"));
}

TEST(DataDirLockTest, ReleasedWhenTheHolderGoesAway) {
  TempDir tmp;
  {
    Result<DataDirLock> first = DataDirLock::Acquire(tmp.path());
    ASSERT_TRUE(first.ok()) << first.error().message;
    DataDirLock moved = std::move(first).value();  // the lock moves with its owner
    EXPECT_TRUE(moved.held());
    EXPECT_FALSE(DataDirLock::Acquire(tmp.path()).ok());
  }
  // The lock file stays behind; only the lock counts.
  Result<DataDirLock> again = DataDirLock::Acquire(tmp.path());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->held());
}

TEST(DataDirLockTest, AProcessKilledWhileHoldingLeavesNoStaleLock) {
  TempDir tmp;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    Result<DataDirLock> held = DataDirLock::Acquire(tmp.path());
    const char ok = held.ok() ? '1' : '0';
    (void)!write(ready[1], &ok, 1);
    pause();  // until killed
    _exit(0);
  }
  // The child never outlives the test, whichever assertion stops it.
  struct KillOnExit {
    pid_t pid;
    ~KillOnExit() {
      if (pid > 0 && kill(pid, SIGKILL) == 0) waitpid(pid, nullptr, 0);
    }
  } guard{child};
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  ASSERT_EQ(ok, '1');

  Result<DataDirLock> refused = DataDirLock::Acquire(tmp.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("(PID " + std::to_string(child) + ")"));

  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  guard.pid = 0;
  Result<DataDirLock> taken = DataDirLock::Acquire(tmp.path());
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_EQ(testing::ReadFileOrDie(tmp.File(kDataDirLockFile)), std::to_string(getpid()) + "\n");
}

TEST(DataDirLockTest, AnEmptyLockHoldsNothing) {
  DataDirLock none;
  EXPECT_FALSE(none.held());
}

}  // namespace
}  // namespace loom
