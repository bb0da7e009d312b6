// oidc_section.cc: `auth.oidc` (single sign-on).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

const FakeEnv kEnv = EnvOf({{"OIDC_SECRET", "client-secret-value"}});

TEST(ParseConfig, OidcIsOffUnlessConfigured) {
  auto r = Parse("users: []\n", kEnv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->auth.oidc.has_value());
  r = Parse("auth:\n  oidc:\n", kEnv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->auth.oidc.has_value());
}

TEST(ParseConfig, OidcMinimalTakesTheDefaults) {
  auto r = Parse(
      "auth:\n  oidc:\n    issuer: https://idp.example/realms/ops\n    client_id: loom\n"
      "    client_secret_env: OIDC_SECRET\n",
      kEnv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->auth.oidc.has_value());
  EXPECT_EQ(r->auth.oidc->issuer, "https://idp.example/realms/ops");
  EXPECT_EQ(r->auth.oidc->client_id, "loom");
  EXPECT_EQ(r->auth.oidc->client_secret, "client-secret-value");
  EXPECT_EQ(r->auth.oidc->client_secret_env, "OIDC_SECRET");
  EXPECT_EQ(r->auth.oidc->scopes, (std::vector<std::string>{"openid", "email", "profile"}));
  EXPECT_EQ(r->auth.oidc->claim_user, "email");
  EXPECT_EQ(r->auth.oidc->claim_groups, "");
  EXPECT_TRUE(r->auth.oidc->group_roles.empty());
}

TEST(ParseConfig, OidcEveryKey) {
  auto r = Parse(R"(teams:
  - { id: payments }
auth:
  oidc:
    issuer: http://127.0.0.1:9000
    client_id: loom
    client_secret_env: OIDC_SECRET
    scopes: [openid, email, groups]
    claim_user: preferred_username
    claim_groups: groups
    name: Keycloak
    group_roles:
      - { group: sre, team: payments, role: responder }
      - { group: oncall-admins, role: admin }
)",
                 kEnv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const OidcConfig& c = *r->auth.oidc;
  EXPECT_EQ(c.scopes, (std::vector<std::string>{"openid", "email", "groups"}));
  EXPECT_EQ(c.claim_user, "preferred_username");
  EXPECT_EQ(c.claim_groups, "groups");
  EXPECT_EQ(c.name, "Keycloak");
  ASSERT_EQ(c.group_roles.size(), 2u);
  EXPECT_EQ(c.group_roles[0].group, "sre");
  EXPECT_EQ(c.group_roles[0].team, "payments");
  EXPECT_EQ(c.group_roles[0].role, Role::kResponder);
  EXPECT_EQ(c.group_roles[1].team, "");
  EXPECT_EQ(c.group_roles[1].role, Role::kAdmin);
}

TEST(ParseConfig, OidcErrors) {
  const std::string head = "auth:\n  oidc:\n";
  const std::string good_client = "    client_id: loom\n    client_secret_env: OIDC_SECRET\n";
  EXPECT_EQ(ErrorOf(head + good_client, kEnv), "loom-oncall.yaml:3: auth.oidc.issuer: is required");
  EXPECT_EQ(ErrorOf(head + "    issuer: http://idp.example\n" + good_client, kEnv),
            "loom-oncall.yaml:3: auth.oidc.issuer: must be an https:// URL (http:// only for a "
            "provider on this host)");
  EXPECT_EQ(ErrorOf(head + "    issuer: idp.example\n" + good_client, kEnv),
            "loom-oncall.yaml:3: auth.oidc.issuer: must be an https:// URL");
  EXPECT_EQ(ErrorOf(head + "    issuer: https://idp.example\n    client_id: loom\n", kEnv),
            "loom-oncall.yaml:3: auth.oidc.client_secret_env: is required (the environment "
            "variable holding the client secret)");
  EXPECT_THAT(ErrorOf(head + "    issuer: https://idp.example\n    client_id: loom\n"
                             "    client_secret_env: MISSING_SECRET\n",
                      kEnv),
              ::testing::HasSubstr("auth.oidc.client_secret_env: environment variable "
                                   "MISSING_SECRET is not set"));
  const std::string base = head + "    issuer: https://idp.example\n" + good_client;
  EXPECT_EQ(ErrorOf(base + "    scopes: [email]\n", kEnv),
            "loom-oncall.yaml:6: auth.oidc.scopes: must include openid");
  EXPECT_EQ(ErrorOf(base + "    group_roles: [{ group: sre, role: responder }]\n", kEnv),
            "loom-oncall.yaml:6: auth.oidc.group_roles: needs claim_groups (the claim that lists "
            "the person's groups)");
  EXPECT_EQ(ErrorOf(base + "    claim_groups: groups\n    group_roles: [{ group: sre, role: "
                           "calendar }]\n",
                    kEnv),
            "loom-oncall.yaml:7: auth.oidc.group_roles[0].role: 'calendar' is not a role "
            "(viewer, responder, admin)");
  EXPECT_EQ(ErrorOf(base + "    claim_groups: groups\n    group_roles: [{ group: ceo, role: "
                           "owner }]\n",
                    kEnv),
            "loom-oncall.yaml:7: auth.oidc.group_roles[0].role: 'owner' is not a role "
            "(viewer, responder, admin)");
  EXPECT_THAT(ErrorOf(base + "    secret: x\n", kEnv),
              ::testing::HasSubstr("auth.oidc.secret: unknown key"));
  EXPECT_THAT(ErrorOf("auth:\n  sso: {}\n", kEnv), ::testing::HasSubstr("auth.sso: unknown key"));
}

// A group that maps to a role in a team names a configured team (teams: is parsed before auth:).
TEST(ParseConfig, OidcGroupRolesNameConfiguredTeams) {
  const std::string oidc =
      "auth:\n  oidc:\n    issuer: https://idp.example\n    client_id: loom\n"
      "    client_secret_env: OIDC_SECRET\n    claim_groups: groups\n    group_roles:\n"
      "      - { group: sre, team: payments, role: responder }\n";
  EXPECT_EQ(ErrorOf(oidc, kEnv),
            "loom-oncall.yaml:8: auth.oidc.group_roles[0].team: unknown team 'payments' (not in "
            "teams:)");
  EXPECT_EQ(ErrorOf("teams:\n  - { id: web }\n" + oidc, kEnv),
            "loom-oncall.yaml:10: auth.oidc.group_roles[0].team: unknown team 'payments' (not in "
            "teams:)");
  auto r = Parse("teams:\n  - { id: payments }\n" + oidc, kEnv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->auth.oidc->group_roles[0].team, "payments");
}

}  // namespace
}  // namespace loom::config_test
