#include "oidc/jwks.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "oidc/test_tokens.h"

namespace loom::oidc {
namespace {

using nlohmann::json;
using testing::JwksOf;
using testing::MakeEcKey;
using testing::MakeRsaKey;
using testing::SignJwt;
using Outcome = JwkSet::Outcome;

const json kClaims = {{"iss", "https://idp.example"}, {"sub", "u-1"}, {"email", "a@x.test"}};

TEST(JwkSetTest, VerifiesRsaAndEcTokensByKid) {
  testing::TestKey rsa = MakeRsaKey("r1");
  testing::TestKey ec = MakeEcKey("e1");
  auto set = JwkSet::Parse(JwksOf({&rsa, &ec}));
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->KeyIds(), (std::vector<std::string>{"r1", "e1"}));
  for (const testing::TestKey* key : {&rsa, &ec}) {
    JwkSet::Verification v = set->Verify(SignJwt(*key, kClaims));
    EXPECT_EQ(v.outcome, Outcome::kVerified) << v.reason;
    EXPECT_EQ(v.claims, kClaims);
  }
}

TEST(JwkSetTest, ATokenWithoutKidIsTriedWithEveryKeyOfItsType) {
  testing::TestKey a = MakeRsaKey("a");
  testing::TestKey b = MakeRsaKey("b");
  auto set = JwkSet::Parse(JwksOf({&a, &b}));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Verify(SignJwt(b, kClaims, "", /*with_kid=*/false)).outcome, Outcome::kVerified);
}

TEST(JwkSetTest, ATamperedPayloadDoesNotVerify) {
  testing::TestKey key = MakeRsaKey("r1");
  auto set = JwkSet::Parse(JwksOf({&key}));
  ASSERT_TRUE(set.ok());
  std::string token = SignJwt(key, kClaims);
  // Replace the payload with another one (a different e-mail), keeping header and signature.
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  json forged = kClaims;
  forged["email"] = "mallory@x.test";
  token = token.substr(0, dot1 + 1) + Base64UrlEncode(forged.dump()) + token.substr(dot2);
  JwkSet::Verification v = set->Verify(token);
  EXPECT_EQ(v.outcome, Outcome::kInvalid);
  EXPECT_EQ(v.reason, "the ID token's signature does not verify");
}

TEST(JwkSetTest, AnUnknownKidIsReportedAsSuch) {
  testing::TestKey published = MakeRsaKey("r1");
  testing::TestKey foreign = MakeRsaKey("r2");
  auto set = JwkSet::Parse(JwksOf({&published}));
  ASSERT_TRUE(set.ok());
  JwkSet::Verification v = set->Verify(SignJwt(foreign, kClaims));
  EXPECT_EQ(v.outcome, Outcome::kUnknownKey);
  EXPECT_EQ(v.reason, "the ID token is signed with a key the provider does not publish (kid r2)");
}

TEST(JwkSetTest, AForeignKeyReusingAPublishedKidDoesNotVerify) {
  testing::TestKey published = MakeRsaKey("r1");
  testing::TestKey forger = MakeRsaKey("r1");
  auto set = JwkSet::Parse(JwksOf({&published}));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Verify(SignJwt(forger, kClaims)).outcome, Outcome::kInvalid);
}

TEST(JwkSetTest, RefusesNoneAndHmacAndAlgorithmsOfTheWrongKeyType) {
  testing::TestKey key = MakeRsaKey("r1");
  auto set = JwkSet::Parse(JwksOf({&key}));
  ASSERT_TRUE(set.ok());
  // alg none: header and payload with an empty signature.
  const std::string none =
      Base64UrlEncode(R"({"alg":"none","kid":"r1"})") + "." + Base64UrlEncode(kClaims.dump()) + ".";
  EXPECT_EQ(set->Verify(none).outcome, Outcome::kInvalid);
  // HS256 keyed with the RSA public key's modulus (the algorithm-confusion forgery).
  const std::string n = key.PublicJwk()["n"].get<std::string>();
  const std::string signing_input =
      Base64UrlEncode(R"({"alg":"HS256","kid":"r1"})") + "." + Base64UrlEncode(kClaims.dump());
  const std::string hs256 = signing_input + "." + Base64UrlEncode(HmacSha256(n, signing_input));
  JwkSet::Verification v = set->Verify(hs256);
  EXPECT_EQ(v.outcome, Outcome::kInvalid);
  EXPECT_EQ(v.reason, "the ID token is signed with algorithm HS256, which is not accepted");
  // An EC algorithm with only an RSA key published.
  testing::TestKey ec = MakeEcKey("r1");
  EXPECT_EQ(set->Verify(SignJwt(ec, kClaims)).outcome, Outcome::kUnknownKey);
}

TEST(JwkSetTest, GarbageIsNotASignedJwt) {
  testing::TestKey key = MakeEcKey("e1");
  auto set = JwkSet::Parse(JwksOf({&key}));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Verify("not-a-jwt").outcome, Outcome::kInvalid);
  EXPECT_EQ(set->Verify("").outcome, Outcome::kInvalid);
}

TEST(JwkSetTest, ParseSkipsEncryptionAndSymmetricKeysAndRefusesAnEmptySet) {
  testing::TestKey sig = MakeEcKey("sig");
  json enc = MakeRsaKey("enc").PublicJwk();
  enc["use"] = "enc";
  json doc = {{"keys", json::array({enc, {{"kty", "oct"}, {"k", "c2VjcmV0"}}, sig.PublicJwk()})}};
  auto set = JwkSet::Parse(doc.dump());
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->KeyIds(), (std::vector<std::string>{"sig"}));
  doc["keys"] = json::array({enc});
  EXPECT_FALSE(JwkSet::Parse(doc.dump()).ok());
  EXPECT_FALSE(JwkSet::Parse("{}").ok());
  EXPECT_FALSE(JwkSet::Parse("not json").ok());
}

}  // namespace
}  // namespace loom::oidc
