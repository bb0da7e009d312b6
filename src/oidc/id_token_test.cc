#include "oidc/id_token.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom::oidc {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

class IdTokenTest : public ::testing::Test {
 protected:
  int64_t NowSeconds() const {
    return std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count();
  }
  json Good() const {
    return json{{"iss", "https://idp.example"}, {"sub", "u-1"},        {"aud", "loom"},
                {"exp", NowSeconds() + 300},    {"iat", NowSeconds()}, {"nonce", "n-123"}};
  }
  std::string Refusal(const json& claims) const {
    Status s = CheckIdTokenClaims(claims, expected_, clock_.Now());
    if (s.ok()) return "";
    EXPECT_EQ(s.error().code, ErrorCode::kPermissionDenied);
    return s.error().message;
  }

  testing::FakeClock clock_;
  IdTokenExpectations expected_{"https://idp.example", "loom", "n-123"};
};

TEST_F(IdTokenTest, AcceptsAGoodToken) { EXPECT_EQ(Refusal(Good()), ""); }

TEST_F(IdTokenTest, RefusesAnotherIssuer) {
  json c = Good();
  c["iss"] = "https://evil.example";
  EXPECT_EQ(Refusal(c), "the ID token was not issued by https://idp.example (iss)");
  c.erase("iss");
  EXPECT_NE(Refusal(c), "");
}

TEST_F(IdTokenTest, RefusesAWrongAudience) {
  json c = Good();
  c["aud"] = "another-client";
  EXPECT_EQ(Refusal(c), "the ID token is not meant for client loom (aud)");
  c.erase("aud");
  EXPECT_NE(Refusal(c), "");
}

TEST_F(IdTokenTest, SeveralAudiencesNeedOurAzp) {
  json c = Good();
  c["aud"] = json::array({"other", "loom"});
  EXPECT_EQ(Refusal(c), "the ID token was issued to another party (azp)");
  c["azp"] = "other";
  EXPECT_EQ(Refusal(c), "the ID token was issued to another party (azp)");
  c["azp"] = "loom";
  EXPECT_EQ(Refusal(c), "");
}

TEST_F(IdTokenTest, ExpiryIsCheckedWithTheSkewBound) {
  json c = Good();
  c["exp"] = NowSeconds() - 59;  // within the 60 s skew
  EXPECT_EQ(Refusal(c), "");
  c["exp"] = NowSeconds() - 60;
  EXPECT_EQ(Refusal(c), "the ID token has expired (exp)");
  c.erase("exp");
  EXPECT_EQ(Refusal(c), "the ID token has no expiry (exp)");
}

TEST_F(IdTokenTest, ExpiresAsTheClockMoves) {
  json c = Good();  // exp in 300 s
  clock_.Advance(seconds(300 + 59));
  EXPECT_EQ(Refusal(c), "");
  clock_.Advance(seconds(1));
  EXPECT_EQ(Refusal(c), "the ID token has expired (exp)");
}

TEST_F(IdTokenTest, IssuedAtMustBeNeitherFutureNorOld) {
  json c = Good();
  c["iat"] = NowSeconds() + 60;
  EXPECT_EQ(Refusal(c), "");
  c["iat"] = NowSeconds() + 61;
  EXPECT_EQ(Refusal(c), "the ID token was issued in the future (iat)");
  c["iat"] = NowSeconds() - 11 * 60 - 1;
  c["exp"] = NowSeconds() + 3600;
  EXPECT_EQ(Refusal(c), "the ID token was issued too long ago (iat)");
  c.erase("iat");
  EXPECT_EQ(Refusal(c), "the ID token has no issue time (iat)");
}

TEST_F(IdTokenTest, NotBeforeIsHonoured) {
  json c = Good();
  c["nbf"] = NowSeconds() + 120;
  EXPECT_EQ(Refusal(c), "the ID token is not valid yet (nbf)");
  c["nbf"] = NowSeconds() + 30;
  EXPECT_EQ(Refusal(c), "");
}

TEST_F(IdTokenTest, NonceMustBeThisSignInsOne) {
  json c = Good();
  c["nonce"] = "n-124";
  EXPECT_EQ(Refusal(c), "the ID token does not answer this sign-in (nonce)");
  c.erase("nonce");
  EXPECT_EQ(Refusal(c), "the ID token does not answer this sign-in (nonce)");
  // An empty expected nonce never matches (a caller that lost its nonce refuses).
  expected_.nonce = "";
  c["nonce"] = "";
  EXPECT_EQ(Refusal(c), "the ID token does not answer this sign-in (nonce)");
}

TEST_F(IdTokenTest, NeedsASubjectAndAnObject) {
  json c = Good();
  c["sub"] = "";
  EXPECT_EQ(Refusal(c), "the ID token names no subject (sub)");
  EXPECT_EQ(Refusal(json::array()), "the ID token is not a JSON object");
}

}  // namespace
}  // namespace loom::oidc
