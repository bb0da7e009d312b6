#include "accounts/person_principal.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

TEST(PersonPrincipalTest, APersonIsAResponderUnlessTheirRoleSaysOtherwise) {
  Principal alice = PersonPrincipal({"alice", std::nullopt});
  EXPECT_EQ(alice.name, "alice");
  EXPECT_EQ(alice.user, "alice");
  EXPECT_EQ(alice.role, Role::kResponder);
  EXPECT_EQ(alice.actor(), "user:alice");
  EXPECT_TRUE(alice.team_roles.empty());
  EXPECT_EQ(PersonPrincipal({"root", Role::kAdmin}).role, Role::kAdmin);
  EXPECT_EQ(PersonPrincipal({"sam", Role::kViewer}).role, Role::kViewer);
}

TEST(PersonPrincipalTest, ABoundTokenActsAsItsUserWithTheNarrowerRole) {
  Principal ci = BoundTokenPrincipal("ci", Role::kAdmin, {"alice", std::nullopt});
  EXPECT_EQ(ci.actor(), "user:alice");
  EXPECT_EQ(ci.name, "ci");
  EXPECT_EQ(ci.role, Role::kResponder);  // an admin token cannot lift a responder
  EXPECT_EQ(BoundTokenPrincipal("dash", Role::kViewer, {"root", Role::kAdmin}).role, Role::kViewer);
  EXPECT_EQ(BoundTokenPrincipal("ops", Role::kAdmin, {"root", Role::kAdmin}).role, Role::kAdmin);
}

TEST(PersonPrincipalTest, AnUnboundTokenStaysTokenName) {
  Principal token{"deploy", Role::kResponder};
  EXPECT_EQ(token.actor(), "token:deploy");
}

}  // namespace
}  // namespace loom
