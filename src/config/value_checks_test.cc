#include "config/value_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace loom::config {
namespace {

using ::testing::HasSubstr;

TEST(ValueChecks, ListenIsHostColonPort) {
  for (const char* ok :
       {"127.0.0.1:8080", "localhost:80", "[::1]:8080", "[::]:0", "oncall.example.com:443"}) {
    EXPECT_EQ(ListenProblem(ok), "") << ok;
  }
  EXPECT_EQ(ListenProblem("localhost"),
            "'localhost' has no port; expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080");
  EXPECT_THAT(ListenProblem(":8080"), HasSubstr("has no host"));
  EXPECT_THAT(ListenProblem("[::1:8080"), HasSubstr("has a malformed IPv6 address"));
  EXPECT_THAT(ListenProblem("::1:8080"), HasSubstr("has an invalid host (IPv6 addresses go in"));
  EXPECT_THAT(ListenProblem("127.0.0.1:99999"), HasSubstr("has an invalid port (0-65535)"));
  EXPECT_THAT(ListenProblem("127.0.0.1:"), HasSubstr("has an invalid port"));
}

TEST(ValueChecks, HttpUrlsNeedSchemeHostAndAValidPort) {
  for (const char* ok : {"http://127.0.0.1:9000/a", "https://hooks.slack.com/services/T/B/x",
                         "http://[::1]:8081/x", "https://user@h.example.com/p?q#f"}) {
    EXPECT_EQ(HttpUrlProblem(ok), "") << ok;
  }
  EXPECT_EQ(HttpUrlProblem("ftp://x"), "must start with http:// or https://");
  EXPECT_EQ(HttpUrlProblem("https://:443/x"), "has no host");
  EXPECT_EQ(HttpUrlProblem("https://h.example.com:99999/"), "has an invalid port (1-65535)");
  EXPECT_EQ(HttpUrlProblem("https://h.example.com:0/"), "has an invalid port (1-65535)");
  EXPECT_EQ(HttpUrlProblem("https://[::1/x"), "has a malformed IPv6 address");
  EXPECT_EQ(HttpUrlProblem("https://h x.example.com"),
            "must not contain spaces or control characters");
  EXPECT_EQ(HttpUrlProblem("https://h!.example.com"), "has an invalid host");
}

TEST(ValueChecks, ReasonsNeverRepeatTheUrl) {
  for (const char* url :
       {"https://:443/secret-path-123", "https://h.example.com:99999/secret-path-123",
        "ftp://x/secret-path-123"}) {
    EXPECT_THAT(HttpUrlProblem(url), ::testing::Not(HasSubstr("secret-path-123")));
  }
}

TEST(ValueChecks, SmtpUrlsAreHostAndPortWithoutCredentialsOrPath) {
  EXPECT_EQ(SmtpUrlProblem("smtp://mail.example.com:587"), "");
  EXPECT_EQ(SmtpUrlProblem("smtps://mail.example.com:465/"), "");
  EXPECT_EQ(SmtpUrlProblem("http://mail.example.com:25"), "must start with smtp:// or smtps://");
  EXPECT_EQ(SmtpUrlProblem("smtp://mail.example.com"),
            "needs a port, e.g. smtp://mail.example.com:587");
  EXPECT_EQ(SmtpUrlProblem("smtps://u:pw@mail.example.com:465"),
            "must not contain credentials (use username and password_env)");
  EXPECT_EQ(SmtpUrlProblem("smtp://mail.example.com:25/x"),
            "must not have a path (smtp://HOST:PORT)");
}

TEST(ValueChecks, EmailAddressesAreSafeInAHeader) {
  EXPECT_TRUE(IsEmailAddress("alice@example.com"));
  EXPECT_TRUE(IsEmailAddress("a@b"));
  for (const char* bad : {"not an address", "@example.com", "alice@", "a@b@c", "Oncall <o@x.com>",
                          "a@b,c@d", "a@b;x", "\"a\"@b"}) {
    EXPECT_FALSE(IsEmailAddress(bad)) << bad;
  }
}

TEST(ValueChecks, WebhookSecretsAreWhsecAndBase64) {
  EXPECT_TRUE(IsWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_TRUE(IsWebhookSecret("whsec_b2xkIHNlY3JldA=="));
  EXPECT_FALSE(IsWebhookSecret("whsec_"));
  EXPECT_FALSE(IsWebhookSecret("plain-secret"));
  EXPECT_FALSE(IsWebhookSecret("whsec_not base64"));
}

TEST(ValueChecks, UserIdsAndHex) {
  EXPECT_TRUE(IsValidUserId("carol.c"));
  EXPECT_TRUE(IsValidUserId("0-ops_team"));
  EXPECT_FALSE(IsValidUserId(""));
  EXPECT_FALSE(IsValidUserId(".alice"));
  EXPECT_FALSE(IsValidUserId("Bad!"));
  EXPECT_FALSE(IsValidUserId(std::string(64, 'a')));
  EXPECT_TRUE(IsValidUserId(std::string(63, 'a')));
  EXPECT_TRUE(IsHex("0123456789abcdefABCDEF"));
  EXPECT_TRUE(IsHex(""));
  EXPECT_FALSE(IsHex("0x12"));
}

}  // namespace
}  // namespace loom::config
