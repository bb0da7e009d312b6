#include "oidc/pkce.h"

#include <gtest/gtest.h>

namespace loom::oidc {
namespace {

TEST(PkceTest, ChallengeMatchesRfc7636AppendixB) {
  EXPECT_EQ(PkceChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(PkceTest, VerifiersAreFreshUnreservedAndLongEnough) {
  const std::string a = NewPkceVerifier();
  const std::string b = NewPkceVerifier();
  EXPECT_NE(a, b);
  // RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
  ASSERT_EQ(a.size(), 43u);
  for (char c : a) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << a;
  }
  EXPECT_EQ(PkceChallengeS256(a).size(), 43u);
}

}  // namespace
}  // namespace loom::oidc
