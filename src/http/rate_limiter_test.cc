#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom::http {
namespace {

using std::chrono::seconds;

TEST(RateLimiterTest, ZeroMeansUnlimited) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.Allow(1, 0));
}

TEST(RateLimiterTest, BurstOfOneMinuteThenSteadyRate) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  for (int i = 0; i < 120; ++i) ASSERT_TRUE(limiter.Allow(1, 120)) << i;
  int64_t retry_us = 0;
  EXPECT_FALSE(limiter.Allow(1, 120, &retry_us));
  EXPECT_EQ(retry_us, 500'000);  // one event every 0.5 s at 120/min
  clock.Advance(std::chrono::milliseconds(499));
  EXPECT_FALSE(limiter.Allow(1, 120));
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(limiter.Allow(1, 120));
  EXPECT_FALSE(limiter.Allow(1, 120));
}

TEST(RateLimiterTest, RefillsCompletelyAfterAMinute) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.Allow(1, 10));
  EXPECT_FALSE(limiter.Allow(1, 10));
  clock.Advance(seconds(60));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.Allow(1, 10)) << i;
  EXPECT_FALSE(limiter.Allow(1, 10));
}

TEST(RateLimiterTest, IdleTimeDoesNotAccumulateBeyondTheBurst) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  clock.Advance(seconds(3600));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Allow(1, 5));
  EXPECT_FALSE(limiter.Allow(1, 5));
}

TEST(RateLimiterTest, KeysAreIndependent) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  ASSERT_TRUE(limiter.Allow(1, 1));
  EXPECT_FALSE(limiter.Allow(1, 1));
  EXPECT_TRUE(limiter.Allow(2, 1));
  EXPECT_EQ(limiter.BucketFor(1), limiter.BucketFor(1));
  EXPECT_NE(limiter.BucketFor(1), limiter.BucketFor(2));
}

TEST(RateLimiterTest, OnePerMinute) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  ASSERT_TRUE(limiter.Allow(7, 1));
  int64_t retry_us = 0;
  EXPECT_FALSE(limiter.Allow(7, 1, &retry_us));
  EXPECT_EQ(retry_us, 60'000'000);
  clock.Advance(seconds(59));
  EXPECT_FALSE(limiter.Allow(7, 1));
  clock.Advance(seconds(1));
  EXPECT_TRUE(limiter.Allow(7, 1));
}

}  // namespace
}  // namespace loom::http
