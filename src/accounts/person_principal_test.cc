#include "accounts/person_principal.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace loom {
namespace {

using TeamRoles = std::map<std::string, Role, std::less<>>;

// payments: tara admin, rita responder; web: rita viewer. checkout belongs to payments.
TeamDirectory Teams() {
  Team payments{"payments", "Payments", true, {{"tara", Role::kAdmin}, {"rita", Role::kResponder}}};
  Team web{"web", "Web", false, {{"rita", Role::kViewer}}};
  return TeamDirectory({payments, web}, {{"checkout", "payments"}}, {});
}

TEST(PersonPrincipalTest, WithoutTeamsAPersonIsAResponderUnlessTheirRoleSaysOtherwise) {
  const TeamDirectory none;
  Principal alice = PersonPrincipal({"alice", std::nullopt}, none);
  EXPECT_EQ(alice.name, "alice");
  EXPECT_EQ(alice.user, "alice");
  EXPECT_EQ(alice.role, Role::kResponder);
  EXPECT_EQ(alice.actor(), "user:alice");
  EXPECT_TRUE(alice.team_roles.empty());
  EXPECT_EQ(PersonPrincipal({"root", Role::kAdmin}, none).role, Role::kAdmin);
  EXPECT_EQ(PersonPrincipal({"sam", Role::kViewer}, none).role, Role::kViewer);
}

TEST(PersonPrincipalTest, WithTeamsAPersonIsAViewerWithTheRolesOfTheirTeams) {
  const TeamDirectory teams = Teams();
  Principal rita = PersonPrincipal({"rita", std::nullopt}, teams);
  EXPECT_EQ(rita.role, Role::kViewer);  // rights come from the teams
  EXPECT_EQ(rita.team_roles, (TeamRoles{{"payments", Role::kResponder}, {"web", Role::kViewer}}));
  Principal tara = PersonPrincipal({"tara", Role::kResponder}, teams);
  EXPECT_EQ(tara.role, Role::kResponder);  // a given role stays
  EXPECT_EQ(tara.team_roles, (TeamRoles{{"payments", Role::kAdmin}}));
  // Someone in no team: the default global role only.
  Principal vic = PersonPrincipal({"vic", std::nullopt}, teams);
  EXPECT_EQ(vic.role, Role::kViewer);
  EXPECT_TRUE(vic.team_roles.empty());
  EXPECT_EQ(PersonPrincipal({"olive", Role::kOwner}, teams).role, Role::kOwner);
}

TEST(PersonPrincipalTest, ABoundTokenActsAsItsUserWithTheNarrowerRole) {
  const TeamDirectory none;
  Principal ci = BoundTokenPrincipal("ci", Role::kAdmin, {"alice", std::nullopt}, none);
  EXPECT_EQ(ci.actor(), "user:alice");
  EXPECT_EQ(ci.name, "ci");
  EXPECT_EQ(ci.role, Role::kResponder);  // an admin token cannot lift a responder
  EXPECT_EQ(BoundTokenPrincipal("dash", Role::kViewer, {"root", Role::kAdmin}, none).role,
            Role::kViewer);
  EXPECT_EQ(BoundTokenPrincipal("ops", Role::kAdmin, {"root", Role::kAdmin}, none).role,
            Role::kAdmin);
}

TEST(PersonPrincipalTest, ABoundTokenHasItsUsersTeamsAtMostAtTheTokensRole) {
  const TeamDirectory teams = Teams();
  Principal ci = BoundTokenPrincipal("rita-ci", Role::kResponder, {"rita", std::nullopt}, teams);
  EXPECT_EQ(ci.actor(), "user:rita");
  EXPECT_EQ(ci.role, Role::kViewer);  // the person's default, not the token's responder
  EXPECT_EQ(ci.team_roles, (TeamRoles{{"payments", Role::kResponder}, {"web", Role::kViewer}}));
  // A viewer token of a team admin only reads there too.
  Principal dash = BoundTokenPrincipal("dash", Role::kViewer, {"tara", std::nullopt}, teams);
  EXPECT_EQ(dash.team_roles, (TeamRoles{{"payments", Role::kViewer}}));
}

TEST(PersonPrincipalTest, AnUnboundTokenStaysTokenName) {
  Principal token{"deploy", Role::kResponder};
  EXPECT_EQ(token.actor(), "token:deploy");
}

}  // namespace
}  // namespace loom
