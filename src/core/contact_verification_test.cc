#include "core/contact_verification.h"

#include <gtest/gtest.h>

#include <set>

#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::FakeClock;

VerificationCode Sent(const std::string& code, TimePoint now) {
  return VerificationCode{HashVerificationCode(code), now + kCodeTtl, 0};
}

TEST(ContactVerificationTest, CodesAreSixDigitsAndVary) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string code = NewVerificationCode();
    ASSERT_EQ(code.size(), 6u) << code;
    for (char c : code) EXPECT_TRUE(c >= '0' && c <= '9') << code;
    seen.insert(code);
  }
  EXPECT_GT(seen.size(), 40u);
}

TEST(ContactVerificationTest, HashIsSaltedAndNeverTheCode) {
  const std::string a = HashVerificationCode("123456");
  const std::string b = HashVerificationCode("123456");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find("123456"), std::string::npos);
  EXPECT_TRUE(VerificationCodeMatches(a, "123456"));
  EXPECT_TRUE(VerificationCodeMatches(b, "123456"));
  EXPECT_FALSE(VerificationCodeMatches(a, "123457"));
  EXPECT_FALSE(VerificationCodeMatches("no-colon", "123456"));
}

TEST(ContactVerificationTest, RightCodeInTimeVerifies) {
  FakeClock clock;
  const VerificationCode state = Sent("042001", clock.Now());
  clock.Advance(kCodeTtl - std::chrono::seconds(1));
  EXPECT_EQ(CheckVerificationCode(state, "042001", clock.Now()), CodeCheck::kVerified);
  EXPECT_EQ(CheckVerificationCode(state, "042002", clock.Now()), CodeCheck::kWrong);
}

TEST(ContactVerificationTest, ExpiresAfterFifteenMinutes) {
  FakeClock clock;
  const VerificationCode state = Sent("111111", clock.Now());
  clock.Advance(std::chrono::minutes(15));
  EXPECT_EQ(CheckVerificationCode(state, "111111", clock.Now()), CodeCheck::kExpired);
}

TEST(ContactVerificationTest, FiveWrongTriesNeedANewCode) {
  FakeClock clock;
  VerificationCode state = Sent("222222", clock.Now());
  state.attempts = kMaxCodeAttempts - 1;
  EXPECT_EQ(CheckVerificationCode(state, "222222", clock.Now()), CodeCheck::kVerified);
  state.attempts = kMaxCodeAttempts;
  EXPECT_EQ(CheckVerificationCode(state, "222222", clock.Now()), CodeCheck::kTooManyTries);
}

TEST(ContactVerificationTest, NoCodeSent) {
  FakeClock clock;
  EXPECT_EQ(CheckVerificationCode(VerificationCode{}, "000000", clock.Now()), CodeCheck::kNoCode);
}

}  // namespace
}  // namespace loom
