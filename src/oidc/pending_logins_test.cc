#include "oidc/pending_logins.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom::oidc {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(PendingLoginsTest, BeginGivesFreshSecretsAndTakeReturnsThemOnce) {
  testing::FakeClock clock;
  PendingLogins logins(clock);
  PendingLogin a = logins.Begin("http://loom/cb");
  PendingLogin b = logins.Begin("http://loom/cb");
  EXPECT_EQ(a.state.size(), 64u);
  EXPECT_EQ(a.nonce.size(), 64u);
  EXPECT_NE(a.state, b.state);
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_NE(a.verifier, b.verifier);
  EXPECT_EQ(logins.size(), 2u);

  auto taken = logins.Take(a.state);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->nonce, a.nonce);
  EXPECT_EQ(taken->verifier, a.verifier);
  EXPECT_EQ(taken->redirect_uri, "http://loom/cb");
  // A replayed state finds nothing.
  EXPECT_FALSE(logins.Take(a.state).has_value());
  EXPECT_TRUE(logins.Take(b.state).has_value());
}

TEST(PendingLoginsTest, UnknownAndEmptyStatesFindNothing) {
  testing::FakeClock clock;
  PendingLogins logins(clock);
  PendingLogin a = logins.Begin("cb");
  EXPECT_FALSE(logins.Take("").has_value());
  EXPECT_FALSE(logins.Take(a.nonce).has_value());
  std::string changed = a.state;
  changed[0] = changed[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(logins.Take(changed).has_value());
  EXPECT_TRUE(logins.Take(a.state).has_value());
}

TEST(PendingLoginsTest, ExpiresAfterTheTtl) {
  testing::FakeClock clock;
  PendingLogins logins(clock, minutes(10));
  PendingLogin a = logins.Begin("cb");
  PendingLogin b = logins.Begin("cb");
  clock.Advance(minutes(10) - seconds(1));
  EXPECT_TRUE(logins.Take(a.state).has_value());
  clock.Advance(seconds(1));
  EXPECT_FALSE(logins.Take(b.state).has_value());
}

TEST(PendingLoginsTest, StepsOfTheWallClockDoNotExpireLogins) {
  testing::FakeClock clock;
  PendingLogins logins(clock, minutes(10));
  PendingLogin a = logins.Begin("cb");
  clock.StepWall(std::chrono::hours(5));
  EXPECT_TRUE(logins.Take(a.state).has_value());
}

TEST(PendingLoginsTest, WhenFullTheLoginExpiringFirstIsDropped) {
  testing::FakeClock clock;
  PendingLogins logins(clock, minutes(10), 2);
  PendingLogin a = logins.Begin("cb");
  clock.Advance(seconds(1));
  PendingLogin b = logins.Begin("cb");
  clock.Advance(seconds(1));
  PendingLogin c = logins.Begin("cb");
  EXPECT_EQ(logins.size(), 2u);
  EXPECT_FALSE(logins.Take(a.state).has_value());
  EXPECT_TRUE(logins.Take(b.state).has_value());
  EXPECT_TRUE(logins.Take(c.state).has_value());
}

}  // namespace
}  // namespace loom::oidc
