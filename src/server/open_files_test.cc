#include "server/open_files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

namespace loom {
namespace {

TEST(HttpConnectionBudgetTest, KeepsWhatIsOpenAndAReserveBelowTheLimit) {
  // 1024 descriptors, 40 open, 4 delivery workers: 40 + 64 + 32 kept, the rest for clients.
  ConnectionBudget b = HttpConnectionBudget(1024, 40, 4, 10000);
  EXPECT_EQ(b.reserved, 136u);
  EXPECT_EQ(b.max_connections, 1024 - 136);
  // More workers keep more.
  EXPECT_EQ(HttpConnectionBudget(1024, 40, 64, 10000).max_connections, 1024 - 40 - 64 - 512);
}

TEST(HttpConnectionBudgetTest, NeverAboveTheConfiguredCapNorBelowSixteen) {
  EXPECT_EQ(HttpConnectionBudget(1048576, 40, 4, 10000).max_connections, 10000);
  EXPECT_EQ(HttpConnectionBudget(100, 40, 4, 10000).max_connections, 16);
  EXPECT_EQ(HttpConnectionBudget(0, 40, 4, 10000).max_connections, 16);
}

TEST(OpenFileLimitTest, RaisesTheSoftLimitToTheHardLimit) {
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max != RLIM_INFINITY && original.rlim_max <= 64) {
    GTEST_FAIL() << "the hard open-file limit is " << original.rlim_max << ", too low to test";
  }
  rlimit lowered = original;
  lowered.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

  OpenFileLimit got = RaiseOpenFileLimit();
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);

  EXPECT_EQ(got.error, "");
  EXPECT_EQ(got.before, 64u);
  EXPECT_EQ(got.hard, original.rlim_max);
  EXPECT_EQ(got.soft, now.rlim_cur);
  EXPECT_GT(now.rlim_cur, 64u);
  if (original.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(now.rlim_cur, original.rlim_max);
  }
}

TEST(OpenFileLimitTest, CountsOpenDescriptors) {
  std::optional<uint64_t> before = CountOpenFiles();
  ASSERT_TRUE(before.has_value());
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::optional<uint64_t> after = CountOpenFiles();
  close(fds[0]);
  close(fds[1]);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after, *before + 2);
}

}  // namespace
}  // namespace loom
