#include "accounts/password_hash.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

TEST(PasswordHashTest, HashIsArgon2idWithTheInteractiveParametersAndVerifies) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  // The documented parameters (docs/authentication.md): 64 MiB, 2 passes, 1 lane.
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
}

TEST(PasswordHashTest, SaltsDifferSoTwoHashesOfOnePasswordDiffer) {
  auto a = HashPassword("same password here");
  auto b = HashPassword("same password here");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*b, "same password here"));
}

TEST(PasswordHashTest, EmptyOrMalformedStoredHashNeverVerifies) {
  EXPECT_FALSE(VerifyPassword("", "anything at all"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "anything at all"));
  EXPECT_FALSE(VerifyPassword(std::string(500, 'x'), "anything at all"));
}

TEST(PasswordHashTest, RulesRefuseShortLongAndNulPasswords) {
  EXPECT_TRUE(CheckPasswordRules("ten chars!").ok());
  Status short_one = CheckPasswordRules("nine char");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(short_one.error().fields.size(), 1u);
  EXPECT_EQ(short_one.error().fields[0].pointer, "/password");
  EXPECT_FALSE(CheckPasswordRules(std::string(kMaxPasswordLength + 1, 'a')).ok());
  EXPECT_FALSE(CheckPasswordRules(std::string("abcdefghij\0k", 12)).ok());
}

}  // namespace
}  // namespace loom
