// auth_section.cc: `auth:` (local sign-in, session expiry, reset links) and users[].role.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;

TEST(ParseAuth, DefaultsAreLocalSignInEightHoursIdleSevenDaysAbsolute) {
  auto r = Parse("");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->auth.local);
  EXPECT_EQ(r->auth.session.idle, hours(8));
  EXPECT_EQ(r->auth.session.absolute, hours(24 * 7));
  EXPECT_EQ(r->auth.reset_ttl, minutes(30));
}

TEST(ParseAuth, ReadsEveryKeyAndHandsOidcToSingleSignOn) {
  auto r = Parse(
      "auth:\n  local: false\n  session: { idle: 30m, absolute: 12h }\n  reset_ttl: 15m\n"
      "  oidc: { issuer: https://id.example.com, client_id: loom, client_secret_env: S }\n",
      EnvOf({{"S", "client-secret"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->auth.local);
  EXPECT_EQ(r->auth.session.idle, minutes(30));
  EXPECT_EQ(r->auth.session.absolute, hours(12));
  EXPECT_EQ(r->auth.reset_ttl, minutes(15));
  ASSERT_TRUE(r->auth.oidc.has_value());
  EXPECT_EQ(r->auth.oidc->issuer, "https://id.example.com");
}

TEST(ParseAuth, Errors) {
  EXPECT_EQ(ErrorOf("auth:\n  local: maybe\n"),
            "loom-oncall.yaml:2: auth.local: must be true or false");
  EXPECT_THAT(ErrorOf("auth:\n  session: { idle: 9h, absolute: 8h }\n"),
              HasSubstr("auth.session.idle: must not be longer than auth.session.absolute"));
  EXPECT_THAT(ErrorOf("auth:\n  session: { idle: 0s }\n"), HasSubstr("auth.session.idle"));
  EXPECT_THAT(ErrorOf("auth:\n  passwords: yes\n"), HasSubstr("auth.passwords"));
}

TEST(ParseAuth, UserRoleIsAPersonsRole) {
  auto r = Parse(
      "users:\n  - { id: alice }\n  - { id: root, role: admin }\n  - { id: sam, role: viewer }\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->users[0].user.role.has_value());
  EXPECT_EQ(r->users[1].user.role, Role::kAdmin);
  EXPECT_EQ(r->users[2].user.role, Role::kViewer);
  EXPECT_THAT(ErrorOf("users:\n  - { id: cal, role: calendar }\n"),
              HasSubstr("users[0].role: 'calendar' is not a role of a person"));
}

}  // namespace
}  // namespace loom::config_test
