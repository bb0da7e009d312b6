#include "http/route_access.h"

#include <gtest/gtest.h>

#include <string>

namespace loom::http {
namespace {

TEST(RouteAccessTest, TheRouterChecksCallersOnlyOfTheCredentialsItKnows) {
  EXPECT_TRUE(Server(Role::kAdmin).CheckedByRouter());
  EXPECT_TRUE(OnTeam(Role::kResponder).CheckedByRouter());
  EXPECT_TRUE(OfPerson(Role::kResponder).CheckedByRouter());
  EXPECT_TRUE(CalendarFeed().CheckedByRouter());
  EXPECT_TRUE(RouteAccess(Credential::kAdminToken, Role::kAdmin, Scope::kServer).CheckedByRouter());
  for (Credential own :
       {Credential::kIntegrationKey, Credential::kProvider, Credential::kLink, Credential::kSignIn,
        Credential::kSession, Credential::kPassword, Credential::kNone}) {
    EXPECT_FALSE(Own(own).CheckedByRouter()) << CredentialName(own);
  }
}

TEST(RouteAccessTest, OnATeamsResourceTheFloorIsAtMostViewer) {
  // A viewer of the server may be a team's responder or admin: the handler decides on the team.
  EXPECT_EQ(OnTeam(Role::kResponder).Floor(), Role::kViewer);
  EXPECT_EQ(OnTeam(Role::kAdmin).Floor(), Role::kViewer);
  EXPECT_EQ(OnTeam(Role::kViewer).Floor(), Role::kViewer);
  EXPECT_EQ(CalendarFeed().Floor(), Role::kCalendar);
  // A person's own (a team role counts) and a schedule's shifts: the handler decides too.
  EXPECT_EQ(OfPerson(Role::kResponder).Floor(), Role::kViewer);
  EXPECT_EQ(OnShifts().Floor(), Role::kViewer);
  // Server-wide: the role itself.
  EXPECT_EQ(Server(Role::kAdmin).Floor(), Role::kAdmin);
  EXPECT_EQ(Server(Role::kResponder).Floor(), Role::kResponder);
  EXPECT_EQ(Server(Role::kViewer).Floor(), Role::kViewer);
}

TEST(RouteAccessTest, NamesAreDistinct) {
  EXPECT_EQ(std::string(ScopeName(Scope::kServer)), "server");
  EXPECT_EQ(std::string(ScopeName(Scope::kTeam)), "team");
  EXPECT_EQ(std::string(ScopeName(Scope::kPerson)), "person");
  EXPECT_EQ(std::string(ScopeName(Scope::kShifts)), "shifts");
  EXPECT_EQ(std::string(CredentialName(Credential::kIntegrationKey)), "integration key");
  EXPECT_NE(std::string(CredentialName(Credential::kSignIn)),
            std::string(CredentialName(Credential::kSession)));
}

}  // namespace
}  // namespace loom::http
