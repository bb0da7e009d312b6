#include "oidc/sign_on.h"

#include <gtest/gtest.h>

#include <map>

#include "common/crypto.h"
#include "oidc/fake_provider.h"
#include "oidc/pkce.h"
#include "oidc/test_tokens.h"
#include "testing/fake_clock.h"

namespace loom::oidc {
namespace {

using nlohmann::json;
using testing::FakeProvider;
using testing::kIssuer;
using testing::kRedirect;
using testing::QueryOf;

class SignOnTest : public ::testing::Test {
 protected:
  SignOnTest() {
    idp_.clock = &clock_;
    OidcConfig config;
    config.issuer = kIssuer;
    config.client_id = "loom";
    config.client_secret = "s3cret!";
    sign_on_ = std::make_unique<SignOn>(config, kRedirect, clock_, idp_.Call());
  }

  // Start, the provider's side, then the callback with the provider's code.
  Result<json> SignIn(const std::string& code = "the-code") {
    auto started = sign_on_->Start();
    EXPECT_TRUE(started.ok()) << started.error().message;
    if (!started.ok()) return started.error();
    idp_.Authorize(started->url);
    state_ = started->state;
    return sign_on_->Finish({code, started->state, "", started->state});
  }
  std::string Refusal(const Result<json>& r) {
    if (r.ok()) return "(signed in)";
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied) << r.error().message;
    return r.error().message;
  }

  ::loom::testing::FakeClock clock_;
  FakeProvider idp_;
  std::unique_ptr<SignOn> sign_on_;
  std::string state_;
};

TEST_F(SignOnTest, StartSendsTheBrowserWithPkceStateAndNonce) {
  auto started = sign_on_->Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_TRUE(started->url.starts_with("https://idp.test/auth?"));
  auto q = QueryOf(started->url);
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["client_id"], "loom");
  EXPECT_EQ(q["redirect_uri"], kRedirect);
  EXPECT_EQ(q["scope"], "openid email profile");
  EXPECT_EQ(q["state"], started->state);
  EXPECT_EQ(q["nonce"].size(), 64u);
  EXPECT_EQ(q["code_challenge_method"], "S256");
  EXPECT_EQ(q["code_challenge"].size(), 43u);
  EXPECT_EQ(q.count("client_secret"), 0u);
}

TEST_F(SignOnTest, AGoodSignInGivesTheVerifiedClaims) {
  auto claims = SignIn();
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ((*claims)["email"], "a@x.test");
  EXPECT_EQ(sign_on_->DisplayName(), "idp.test");
}

TEST_F(SignOnTest, AReplayedStateIsRefused) {
  ASSERT_TRUE(SignIn().ok());
  auto again = sign_on_->Finish({"the-code", state_, "", state_});
  EXPECT_EQ(Refusal(again),
            "this sign-in answer was already used or has expired (state): start again");
  EXPECT_EQ(idp_.token_calls, 1);
}

TEST_F(SignOnTest, AStateOfAnotherBrowserOrNoneIsRefusedBeforeTheCodeIsUsed) {
  auto started = sign_on_->Start();
  ASSERT_TRUE(started.ok());
  idp_.Authorize(started->url);
  EXPECT_EQ(Refusal(sign_on_->Finish({"the-code", started->state, "", "other"})),
            "this sign-in was not started in this browser (state does not match): start again");
  EXPECT_EQ(Refusal(sign_on_->Finish({"the-code", "", "", ""})),
            "the sign-in answer has no state: start again");
  EXPECT_EQ(idp_.token_calls, 0);
  // The pending login is still there for the right browser.
  EXPECT_TRUE(sign_on_->Finish({"the-code", started->state, "", started->state}).ok());
}

TEST_F(SignOnTest, AnExpiredPendingLoginIsRefused) {
  auto started = sign_on_->Start();
  ASSERT_TRUE(started.ok());
  idp_.Authorize(started->url);
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_EQ(Refusal(sign_on_->Finish({"the-code", started->state, "", started->state})),
            "this sign-in answer was already used or has expired (state): start again");
}

TEST_F(SignOnTest, TheProvidersErrorAndABadCodeAreRefused) {
  auto started = sign_on_->Start();
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(Refusal(sign_on_->Finish({"", started->state, "access_denied", started->state})),
            "the identity provider did not sign you in (access_denied)");
  EXPECT_EQ(Refusal(SignIn("wrong-code")),
            "the identity provider did not accept the sign-in code (invalid_grant): start again");
}

TEST_F(SignOnTest, ATamperedIdTokenIsRefused) {
  idp_.mint = [](json claims, const testing::TestKey& key) {
    std::string token = testing::SignJwt(key, claims);
    claims["email"] = "mallory@x.test";
    const size_t dot1 = token.find('.'), dot2 = token.find('.', dot1 + 1);
    return token.substr(0, dot1 + 1) + Base64UrlEncode(claims.dump()) + token.substr(dot2);
  };
  EXPECT_EQ(Refusal(SignIn()), "the ID token's signature does not verify");
}

TEST_F(SignOnTest, AWrongAudienceIsRefused) {
  idp_.mint = [](json claims, const testing::TestKey& key) {
    claims["aud"] = "another-app";
    return testing::SignJwt(key, claims);
  };
  EXPECT_EQ(Refusal(SignIn()), "the ID token is not meant for client loom (aud)");
}

TEST_F(SignOnTest, AnExpiredIdTokenIsRefused) {
  idp_.mint = [](json claims, const testing::TestKey& key) {
    claims["iat"] = claims["iat"].get<int64_t>() - 600;
    claims["exp"] = claims["iat"].get<int64_t>() + 300;  // expired 5 minutes ago
    return testing::SignJwt(key, claims);
  };
  EXPECT_EQ(Refusal(SignIn()), "the ID token has expired (exp)");
}

TEST_F(SignOnTest, AWrongNonceIsRefused) {
  idp_.mint = [](json claims, const testing::TestKey& key) {
    claims["nonce"] = RandomHex(32);
    return testing::SignJwt(key, claims);
  };
  EXPECT_EQ(Refusal(SignIn()), "the ID token does not answer this sign-in (nonce)");
}

TEST_F(SignOnTest, ARotatedKeyIsFetchedAndAForeignKeyRefused) {
  ASSERT_TRUE(SignIn().ok());
  EXPECT_EQ(sign_on_->jwks_fetches(), 1);
  idp_.key_ = testing::MakeEcKey("k2");  // the provider rotates
  ASSERT_TRUE(SignIn().ok());
  EXPECT_EQ(sign_on_->jwks_fetches(), 2);
  clock_.Advance(JwksCache::kMinRefresh);
  testing::TestKey foreign = testing::MakeEcKey("elsewhere");
  idp_.mint = [&foreign](json claims, const testing::TestKey&) {
    claims["iss"] = "https://other-issuer.test";
    return testing::SignJwt(foreign, claims);
  };
  EXPECT_EQ(Refusal(SignIn()),
            "the ID token is signed with a key the provider does not publish (kid elsewhere)");
}

TEST_F(SignOnTest, AProviderThatIsDownIsUnavailable) {
  idp_.down = true;
  auto started = sign_on_->Start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(started.error().message,
            "the identity provider cannot be reached (discovery): Couldn't connect to server "
            "(https://idp.test:443)");
  // Not retried for a few seconds, then tried again.
  idp_.down = false;
  EXPECT_FALSE(sign_on_->Start().ok());
  clock_.Advance(SignOn::kRetryAfterFailure);
  EXPECT_TRUE(sign_on_->Start().ok());
  // Down between start and callback: the token exchange fails as unavailable.
  auto started2 = sign_on_->Start();
  ASSERT_TRUE(started2.ok());
  idp_.Authorize(started2->url);
  idp_.down = true;
  auto finished = sign_on_->Finish({"the-code", started2->state, "", started2->state});
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace loom::oidc
