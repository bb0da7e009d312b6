#include "oidc/jwks_cache.h"

#include <gtest/gtest.h>

#include "oidc/test_tokens.h"
#include "testing/fake_clock.h"

namespace loom::oidc {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::JwksOf;
using testing::MakeEcKey;
using testing::SignJwt;

const json kClaims = {{"sub", "u-1"}};

// A provider whose published keys the test changes.
struct FakeProvider {
  std::string jwks;
  bool down = false;
  JwksCache::Fetch Fetch() {
    return [this]() -> Result<std::string> {
      if (down) return Error::Unavailable("the identity provider cannot be reached");
      return jwks;
    };
  }
};

TEST(JwksCacheTest, FetchesOnceAndVerifiesFromTheCache) {
  ::loom::testing::FakeClock clock;
  testing::TestKey k1 = MakeEcKey("k1");
  FakeProvider idp{JwksOf({&k1})};
  JwksCache cache(clock, idp.Fetch());
  EXPECT_EQ(cache.fetches(), 0);
  for (int i = 0; i < 3; ++i) {
    auto claims = cache.Verify(SignJwt(k1, kClaims));
    ASSERT_TRUE(claims.ok()) << claims.error().message;
    EXPECT_EQ(*claims, kClaims);
  }
  EXPECT_EQ(cache.fetches(), 1);
}

TEST(JwksCacheTest, ARotatedKeyIsFetchedAndAccepted) {
  ::loom::testing::FakeClock clock;
  testing::TestKey k1 = MakeEcKey("k1");
  testing::TestKey k2 = MakeEcKey("k2");
  FakeProvider idp{JwksOf({&k1})};
  JwksCache cache(clock, idp.Fetch());
  ASSERT_TRUE(cache.Verify(SignJwt(k1, kClaims)).ok());
  idp.jwks = JwksOf({&k2});  // the provider rotates
  auto claims = cache.Verify(SignJwt(k2, kClaims));
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(cache.fetches(), 2);
}

TEST(JwksCacheTest, AKeyTheProviderNeverPublishedIsRefusedAfterOneRefresh) {
  ::loom::testing::FakeClock clock;
  testing::TestKey k1 = MakeEcKey("k1");
  testing::TestKey foreign = MakeEcKey("other-issuer");
  FakeProvider idp{JwksOf({&k1})};
  JwksCache cache(clock, idp.Fetch());
  auto claims = cache.Verify(SignJwt(foreign, kClaims));
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(claims.error().message,
            "the ID token is signed with a key the provider does not publish (kid other-issuer)");
  EXPECT_EQ(cache.fetches(), 2);  // the first fetch, then one refresh for the unknown kid
}

TEST(JwksCacheTest, RefreshesForUnknownKeysAreRateLimited) {
  ::loom::testing::FakeClock clock;
  testing::TestKey k1 = MakeEcKey("k1");
  testing::TestKey k2 = MakeEcKey("k2");
  testing::TestKey foreign = MakeEcKey("x");
  FakeProvider idp{JwksOf({&k1})};
  JwksCache cache(clock, idp.Fetch(), seconds(30));
  ASSERT_FALSE(cache.Verify(SignJwt(foreign, kClaims)).ok());
  EXPECT_EQ(cache.fetches(), 2);
  ASSERT_FALSE(cache.Verify(SignJwt(foreign, kClaims)).ok());
  EXPECT_EQ(cache.fetches(), 2);  // inside the window: no fetch
  idp.jwks = JwksOf({&k2});
  clock.Advance(seconds(29));
  EXPECT_FALSE(cache.Verify(SignJwt(k2, kClaims)).ok());  // still inside: refused, not fetched
  EXPECT_EQ(cache.fetches(), 2);
  clock.Advance(seconds(1));
  EXPECT_TRUE(cache.Verify(SignJwt(k2, kClaims)).ok());
  EXPECT_EQ(cache.fetches(), 3);
}

TEST(JwksCacheTest, AnOldSetIsFetchedAgainSoWithdrawnKeysStopWorking) {
  ::loom::testing::FakeClock clock;
  testing::TestKey k1 = MakeEcKey("k1");
  testing::TestKey k2 = MakeEcKey("k2");
  FakeProvider idp{JwksOf({&k1, &k2})};
  JwksCache cache(clock, idp.Fetch(), seconds(30), minutes(60));
  ASSERT_TRUE(cache.Verify(SignJwt(k1, kClaims)).ok());
  idp.jwks = JwksOf({&k2});  // k1 withdrawn
  clock.Advance(minutes(59));
  EXPECT_TRUE(cache.Verify(SignJwt(k1, kClaims)).ok());  // the cached set still has it
  clock.Advance(minutes(1));
  EXPECT_FALSE(cache.Verify(SignJwt(k1, kClaims)).ok());
  EXPECT_TRUE(cache.Verify(SignJwt(k2, kClaims)).ok());
}

TEST(JwksCacheTest, AProviderThatIsDownIsUnavailableAndAStaleSetIsKept) {
  ::loom::testing::FakeClock clock;
  testing::TestKey k1 = MakeEcKey("k1");
  FakeProvider idp{JwksOf({&k1})};
  idp.down = true;
  JwksCache cache(clock, idp.Fetch(), seconds(30), minutes(60));
  auto claims = cache.Verify(SignJwt(k1, kClaims));
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().code, ErrorCode::kUnavailable);
  idp.down = false;
  ASSERT_TRUE(cache.Verify(SignJwt(k1, kClaims)).ok());
  idp.down = true;
  clock.Advance(minutes(61));
  EXPECT_TRUE(cache.Verify(SignJwt(k1, kClaims)).ok());
}

}  // namespace
}  // namespace loom::oidc
