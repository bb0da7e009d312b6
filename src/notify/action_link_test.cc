#include "notify/action_link.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef-link-key";
constexpr char kOtherKey[] = "fedcba9876543210fedcba9876543210-link-key";

class LinkSignerTest : public ::testing::Test {
 protected:
  ActionClaims Claims(const char* action = "ack") const {
    ActionClaims c;
    c.action = action;
    c.incident_number = 12;
    c.recipient = "alice";
    c.via = "email";
    c.expires_at = clock_.Now() + hours(1);
    c.nonce = "9f3c0d6e2a4b5c6d7e8f9a0b1c2d3e4f";
    return c;
  }

  testing::FakeClock clock_;
  LinkSigner signer_{kKey, "https://oncall.example.com/", hours(24)};
};

// The token's two parts: base64url(claims JSON) "." base64url(HMAC-SHA256(key, first part)).
TEST_F(LinkSignerTest, TokenIsDocumentedFormat) {
  const std::string token = signer_.Sign(Claims());
  const size_t dot = token.find('.');
  ASSERT_NE(dot, std::string::npos);
  EXPECT_EQ(Base64UrlDecode(token.substr(0, dot)),
            std::optional<std::string>(
                R"({"act":"ack","inc":12,"sub":"alice","via":"email","exp":1793613600,)"
                R"("nonce":"9f3c0d6e2a4b5c6d7e8f9a0b1c2d3e4f"})"));
  EXPECT_EQ(token.substr(dot + 1), Base64UrlEncode(HmacSha256(kKey, token.substr(0, dot))));
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos);
}

TEST_F(LinkSignerTest, RoundTrip) {
  const ActionClaims in = Claims();
  Result<ActionClaims> out = signer_.Verify(signer_.Sign(in), clock_.Now());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->action, "ack");
  EXPECT_EQ(out->incident_number, 12);
  EXPECT_EQ(out->recipient, "alice");
  EXPECT_EQ(out->via, "email");
  EXPECT_EQ(out->expires_at, in.expires_at);
  EXPECT_EQ(out->nonce, in.nonce);
}

TEST_F(LinkSignerTest, AckAndViewLinksDiffer) {
  LinkSigner::Links links = signer_.For(12, "alice", "slack", clock_.Now());
  const std::string prefix = "https://oncall.example.com/a/";
  ASSERT_TRUE(links.ack_url.starts_with(prefix));
  ASSERT_TRUE(links.open_url.starts_with(prefix));
  Result<ActionClaims> ack = signer_.Verify(links.ack_url.substr(prefix.size()), clock_.Now());
  Result<ActionClaims> view = signer_.Verify(links.open_url.substr(prefix.size()), clock_.Now());
  ASSERT_TRUE(ack.ok() && view.ok());
  EXPECT_EQ(ack->action, "ack");
  EXPECT_EQ(view->action, "view");
  EXPECT_EQ(ack->via, "slack");
  EXPECT_EQ(view->incident_number, 12);
  EXPECT_EQ(ack->nonce.size(), 32u);
  EXPECT_NE(ack->nonce, view->nonce);
  EXPECT_EQ(ack->expires_at, clock_.Now() + hours(24));
  EXPECT_EQ(links.expires_at, ack->expires_at);
  EXPECT_EQ(links.public_url, "https://oncall.example.com");
  // Every call mints a fresh single-use id.
  LinkSigner::Links again = signer_.For(12, "alice", "slack", clock_.Now());
  EXPECT_NE(again.ack_url, links.ack_url);
}

TEST_F(LinkSignerTest, TamperedClaimsAreRefused) {
  const std::string token = signer_.Sign(Claims());
  const size_t dot = token.find('.');
  ActionClaims other = Claims();
  other.incident_number = 13;
  const std::string other_payload = signer_.Sign(other).substr(0, dot);
  // The claims of another incident under this token's MAC.
  Result<ActionClaims> swapped = signer_.Verify(other_payload + token.substr(dot), clock_.Now());
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().code, ErrorCode::kInvalidArgument);
  // One flipped character anywhere.
  for (size_t i = 0; i < token.size(); i += 7) {
    if (i == dot) continue;
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(signer_.Verify(t, clock_.Now()).ok()) << i;
  }
}

TEST_F(LinkSignerTest, WrongKeyIsRefused) {
  LinkSigner other(kOtherKey, "https://oncall.example.com", hours(24));
  Result<ActionClaims> r = signer_.Verify(other.Sign(Claims()), clock_.Now());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LinkSignerTest, ExpiredLinkIsPermissionDeniedAfterTheSignatureCheck) {
  const std::string token = signer_.Sign(Claims());
  EXPECT_TRUE(signer_.Verify(token, clock_.Now() + hours(1) - seconds(1)).ok());
  Result<ActionClaims> r = signer_.Verify(token, clock_.Now() + hours(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().message, "link expired");
  // A forged token is reported as forged even when its claims say it expired.
  LinkSigner other(kOtherKey, "https://oncall.example.com", hours(24));
  Result<ActionClaims> forged = signer_.Verify(other.Sign(Claims()), clock_.Now() + hours(2));
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LinkSignerTest, GarbageAndTruncatedTokensAreRefused) {
  const std::string token = signer_.Sign(Claims());
  const std::string garbage[] = {
      "",
      ".",
      "abc",
      "abc.def",
      token.substr(0, token.size() - 1),
      token.substr(0, token.find('.')),
      token.substr(0, token.find('.') + 1),
      token + ".x",
      token + "A",
      "." + token,
      std::string(5000, 'A') + "." + std::string(43, 'A'),
  };
  for (const std::string& t : garbage) {
    Result<ActionClaims> r = signer_.Verify(t, clock_.Now());
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << t;
  }
}

// Claims that are well signed but not claims of a link (e.g. signed by a broken signer) are
// refused whole, never partly trusted.
TEST_F(LinkSignerTest, SignedNonsenseIsRefused) {
  auto signed_payload = [](const std::string& json) {
    const std::string payload = Base64UrlEncode(json);
    return payload + "." + Base64UrlEncode(HmacSha256(kKey, payload));
  };
  const std::string bad[] = {
      "[]",
      "not json",
      R"({"act":"delete","inc":12,"sub":"alice","via":"email","exp":1893456000,"nonce":"n"})",
      R"({"act":"ack","inc":"12","sub":"alice","via":"email","exp":1893456000,"nonce":"n"})",
      R"({"act":"ack","inc":12,"sub":"alice","via":"email","exp":1893456000,"nonce":""})",
      R"({"act":"view","inc":0,"sub":"alice","via":"email","exp":1893456000,"nonce":""})",
      R"({"act":"ack","inc":12,"via":"email","exp":1893456000,"nonce":"n"})",
  };
  for (const std::string& json : bad) {
    Result<ActionClaims> r = signer_.Verify(signed_payload(json), clock_.Now());
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << json;
  }
  EXPECT_TRUE(
      signer_
          .Verify(
              signed_payload(
                  R"({"act":"view","inc":3,"sub":"bob","via":"slack","exp":1893456000,"nonce":""})"),
              clock_.Now())
          .ok());
}

TEST(LinkSignerDeathTest, ShortKeyStopsTheProcess) {
  EXPECT_DEATH(LinkSigner("too short", "https://x", hours(1)), "32 bytes");
}

}  // namespace
}  // namespace loom
