#include "accounts/sign_in_limiter.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class SignInLimiterTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_;
};

TEST_F(SignInLimiterTest, FifthFailureOfAUserLocksThatUserUntilTheWindowPasses) {
  SignInLimiter limiter(clock_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limiter.Check("alice", "10.0.0.1").ok()) << i;
    limiter.RecordFailure("alice", "10.0.0.1");
    clock_.Advance(seconds(10));
  }
  int retry = 0;
  Status refused = limiter.Check("alice", "10.0.0.2", &retry);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  // The first failure was 50 s ago; it leaves the 15 min window in 14 min 10 s.
  EXPECT_EQ(retry, 15 * 60 - 50);
  // The same name in other case is the same user; another user is not affected.
  EXPECT_FALSE(limiter.Check("ALICE", "10.0.0.3").ok());
  EXPECT_TRUE(limiter.Check("bob", "10.0.0.3").ok());
  clock_.Advance(seconds(15 * 60 - 50));
  EXPECT_TRUE(limiter.Check("alice", "10.0.0.2").ok());
}

TEST_F(SignInLimiterTest, OneAddressTryingManyNamesIsLockedPerAddress) {
  SignInLimiter limiter(clock_, SignInLimits{.per_user = 5, .per_address = 3});
  limiter.RecordFailure("a", "192.0.2.9");
  limiter.RecordFailure("b", "192.0.2.9");
  EXPECT_TRUE(limiter.Check("c", "192.0.2.9").ok());
  limiter.RecordFailure("c", "192.0.2.9");
  EXPECT_FALSE(limiter.Check("d", "192.0.2.9").ok());
  EXPECT_TRUE(limiter.Check("d", "192.0.2.10").ok());
  clock_.Advance(minutes(15));
  EXPECT_TRUE(limiter.Check("d", "192.0.2.9").ok());
}

TEST_F(SignInLimiterTest, SuccessClearsTheUsersCountButNotTheAddresss) {
  SignInLimiter limiter(clock_, SignInLimits{.per_user = 2, .per_address = 3});
  limiter.RecordFailure("alice", "10.0.0.1");
  limiter.RecordSuccess("alice");
  limiter.RecordFailure("alice", "10.0.0.1");
  EXPECT_TRUE(limiter.Check("alice", "10.0.0.9").ok());  // 1 failure since the success
  limiter.RecordFailure("alice", "10.0.0.1");
  EXPECT_FALSE(limiter.Check("alice", "10.0.0.9").ok());
  EXPECT_FALSE(limiter.Check("zed", "10.0.0.1").ok());  // the address has 3
}

TEST_F(SignInLimiterTest, TrackedKeysAreBounded) {
  SignInLimiter limiter(clock_, SignInLimits{.per_user = 1, .per_address = 100, .max_keys = 2});
  limiter.RecordFailure("u1", "x");
  clock_.Advance(seconds(1));
  limiter.RecordFailure("u2", "x");
  clock_.Advance(seconds(1));
  limiter.RecordFailure("u3", "x");  // drops u1, the stalest
  EXPECT_TRUE(limiter.Check("u1", "y").ok());
  EXPECT_FALSE(limiter.Check("u2", "y").ok());
  EXPECT_FALSE(limiter.Check("u3", "y").ok());
}

}  // namespace
}  // namespace loom
