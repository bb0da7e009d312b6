#include "notify/twilio/twilio_signature.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

// The example of Twilio's webhook security documentation (and of its helper libraries' tests):
// Auth Token 12345, a call's key press posted to https://mycompany.com/myapp.php?foo=1&bar=2.
const FormParams kDocsParams = {
    {"CallSid", "CA1234567890ABCDE"}, {"Caller", "+14158675309"}, {"Digits", "1234"},
    {"From", "+14158675309"},         {"To", "+18005551212"},
};
constexpr char kDocsUrl[] = "https://mycompany.com/myapp.php?foo=1&bar=2";
constexpr char kDocsSignature[] = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

TEST(TwilioSignatureTest, MatchesTheDocumentedExample) {
  EXPECT_EQ(TwilioSignature("12345", kDocsUrl, kDocsParams), kDocsSignature);
  EXPECT_TRUE(VerifyTwilioSignature("12345", kDocsSignature, kDocsUrl, kDocsParams));
}

TEST(TwilioSignatureTest, ParametersAreSortedByName) {
  FormParams shuffled(kDocsParams.rbegin(), kDocsParams.rend());
  EXPECT_EQ(TwilioSignature("12345", kDocsUrl, shuffled), kDocsSignature);
}

TEST(TwilioSignatureTest, AnyChangeBreaksIt) {
  FormParams digits = kDocsParams;
  digits[2].second = "1";
  EXPECT_FALSE(VerifyTwilioSignature("12345", kDocsSignature, kDocsUrl, digits));
  EXPECT_FALSE(VerifyTwilioSignature("12346", kDocsSignature, kDocsUrl, kDocsParams));
  EXPECT_FALSE(VerifyTwilioSignature("12345", kDocsSignature,
                                     "https://mycompany.com/myapp.php?foo=1&bar=3", kDocsParams));
  EXPECT_FALSE(VerifyTwilioSignature("12345", "", kDocsUrl, kDocsParams));
  EXPECT_FALSE(VerifyTwilioSignature("", kDocsSignature, kDocsUrl, kDocsParams));
}

}  // namespace
}  // namespace loom
