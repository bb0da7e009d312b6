#include "oidc/identity.h"

#include <gtest/gtest.h>

namespace loom::oidc {
namespace {

using nlohmann::json;

std::map<std::string, User> Users() {
  User alice;
  alice.id = "alice";
  alice.email = "Alice@Example.com";
  User bob;
  bob.id = "bob";
  ContactMethod mail;
  mail.id = "mail";
  mail.type = "email";
  mail.address = "bob@example.com";
  ContactMethod hook;
  hook.id = "hook";
  hook.type = "webhook";
  hook.address = "carol@example.com";
  bob.contact_methods = {mail, hook};
  User carol;
  carol.id = "carol";
  return {{"alice", alice}, {"bob", bob}, {"carol", carol}};
}

TEST(MatchUserTest, MatchesEmailCaseInsensitively) {
  auto id = MatchUser(json{{"email", "alice@example.COM"}}, "email", Users());
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "alice");
}

TEST(MatchUserTest, MatchesAnEmailContactMethodButNotOtherMethods) {
  EXPECT_EQ(*MatchUser(json{{"email", "bob@example.com"}}, "email", Users()), "bob");
  auto other = MatchUser(json{{"email", "carol@example.com"}}, "email", Users());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message, "no user of this loom-oncall matches email carol@example.com");
}

TEST(MatchUserTest, MatchesTheUserIdThroughAnotherClaim) {
  EXPECT_EQ(*MatchUser(json{{"preferred_username", "carol"}}, "preferred_username", Users()),
            "carol");
  EXPECT_FALSE(
      MatchUser(json{{"preferred_username", "Carol"}}, "preferred_username", Users()).ok());
}

TEST(MatchUserTest, RefusesMissingUnverifiedAndAmbiguousClaims) {
  auto missing = MatchUser(json{{"sub", "x"}}, "email", Users());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(missing.error().message,
            "the identity provider sent no email claim to match a user by");
  auto unverified =
      MatchUser(json{{"email", "alice@example.com"}, {"email_verified", false}}, "email", Users());
  ASSERT_FALSE(unverified.ok());
  EXPECT_EQ(unverified.error().message,
            "the identity provider has not verified the e-mail address alice@example.com");
  auto users = Users();
  users["carol"].email = "alice@example.com";
  auto ambiguous = MatchUser(json{{"email", "alice@example.com"}}, "email", users);
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.error().message.find("matches several users"), std::string::npos);
}

TEST(ClaimStringsTest, StringOrList) {
  json c = {{"groups", {"a", 1, "b"}}, {"g", "solo"}, {"n", 3}};
  EXPECT_EQ(ClaimStrings(c, "groups"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ClaimStrings(c, "g"), (std::vector<std::string>{"solo"}));
  EXPECT_TRUE(ClaimStrings(c, "n").empty());
  EXPECT_TRUE(ClaimStrings(c, "none").empty());
}

TEST(GrantsForGroupsTest, MapsGroupsToGlobalAndTeamRolesMostPrivilegedWins) {
  const std::vector<OidcGroupRole> rules = {
      {"sre", "payments", Role::kResponder}, {"sre-leads", "payments", Role::kAdmin},
      {"web", "web", Role::kViewer},         {"web-oncall", "web", Role::kResponder},
      {"oncall-admins", "", Role::kAdmin},   {"everyone", "", Role::kViewer},
  };
  Grants g = GrantsForGroups({"sre-leads", "sre", "web-oncall", "web", "everyone"}, rules);
  EXPECT_EQ(g.role, Role::kViewer);
  EXPECT_EQ(g.team_roles.size(), 2u);
  EXPECT_EQ(g.team_roles.at("payments"), Role::kAdmin);
  EXPECT_EQ(g.team_roles.at("web"), Role::kResponder);

  Grants admin = GrantsForGroups({"oncall-admins"}, rules);
  EXPECT_EQ(admin.role, Role::kAdmin);
  EXPECT_TRUE(admin.team_roles.empty());

  Grants none = GrantsForGroups({"unrelated"}, rules);
  EXPECT_EQ(none.role, Role::kViewer);
  EXPECT_TRUE(none.team_roles.empty());
}

}  // namespace
}  // namespace loom::oidc
