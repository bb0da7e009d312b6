// teams_section.cc and what refers to it: `teams:` with members and visibility, the `team:` of
// services and schedules, a user's global `role:`, and the team directory the on-call snapshot
// carries.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_test_util.h"
#include "config/oncall_snapshot.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

constexpr char kTeamsYaml[] = R"(users:
  - { id: olive, role: owner }
  - { id: tara }
  - { id: rita, role: responder }
teams:
  - id: payments
    name: Payments
    visibility: team
    members:
      - { user: tara, role: admin }
      - { user: rita, role: responder }
  - id: web
    members: [ { user: rita, role: viewer } ]
schedules:
  - id: pay-primary
    team: payments
    layers: [ { participants: [rita], shift: 1w, start: 2026-01-05 } ]
  - id: spare
    layers: [ { participants: [tara], shift: 1w, start: 2026-01-05 } ]
services:
  - { id: checkout, team: payments, roles: { primary: pay-primary } }
  - { id: site, team: web }
  - { id: loom }
)";

TEST(ParseConfig, TeamsMembersVisibilityAndTheTeamsOfServicesAndSchedules) {
  auto r = Parse(kTeamsYaml);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Config& c = *r;
  ASSERT_EQ(c.teams.size(), 2u);
  const Team& pay = c.teams[0];
  EXPECT_EQ(pay.id, "payments");
  EXPECT_EQ(pay.name, "Payments");
  EXPECT_TRUE(pay.hidden);
  ASSERT_EQ(pay.members.size(), 2u);
  EXPECT_EQ(pay.members[0].user, "tara");
  EXPECT_EQ(pay.members[0].role, Role::kAdmin);
  EXPECT_EQ(pay.members[1].role, Role::kResponder);
  EXPECT_EQ(c.teams[1].name, "web");  // the id when no name is given
  EXPECT_FALSE(c.teams[1].hidden);    // visibility: all by default
  EXPECT_EQ(c.services[0].team, "payments");
  EXPECT_EQ(c.services[2].team, "");
  EXPECT_EQ(c.schedules[0].team, "payments");
  EXPECT_EQ(c.schedules[1].team, "");
  // users[].role: the global role (nullopt: not given).
  EXPECT_EQ(c.users[0].user.role, Role::kOwner);
  EXPECT_EQ(c.users[1].user.role, std::nullopt);
  EXPECT_EQ(c.users[2].user.role, Role::kResponder);
}

TEST(ParseConfig, TeamErrorsNameFileLineAndKey) {
  const std::string m = ErrorOf(R"(users:
  - { id: tara }
  - { id: vic, role: calendar }
  - { id: val, role: boss }
teams:
  - id: payments
    visibility: private
    members:
      - { user: tara, role: admin }
      - { user: tara, role: viewer }
      - { user: nobody, role: viewer }
      - { user: vic, role: owner }
      - { user: val }
  - id: payments
  - id: Bad Id
schedules:
  - id: s
    team: ops
    layers: [ { participants: [tara], shift: 1w, start: 2026-01-05 } ]
services:
  - { id: loom, team: web }
)");
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:3: users[1].role: 'calendar' is not a role of a person (owner, admin, "
      "responder or viewer)",
      "loom-oncall.yaml:4: users[2].role: 'boss' is not a role",
      "loom-oncall.yaml:7: teams[0].visibility: 'private' is not a visibility (all or team)",
      "loom-oncall.yaml:10: teams[0].members[1].user: duplicate member id 'tara' (first at line 9)",
      "loom-oncall.yaml:11: teams[0].members[2].user: unknown user 'nobody' (not in users:)",
      "loom-oncall.yaml:12: teams[0].members[3].role: 'owner' is not a team role (admin, "
      "responder or viewer)",
      "loom-oncall.yaml:13: teams[0].members[4].role: is required",
      "loom-oncall.yaml:14: teams[1].id: duplicate team id 'payments'",
      "loom-oncall.yaml:15: teams[2].id: 'Bad Id' is not a valid team id",
      "loom-oncall.yaml:18: schedules[0].team: unknown team 'ops' (not in teams:)",
      "loom-oncall.yaml:21: services[0].team: unknown team 'web' (not in teams:)",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
}

TEST(BuildOnCallSnapshot, CarriesTheTeamDirectory) {
  auto r = Parse(kTeamsYaml);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto snapshot = BuildOnCallSnapshot(*r, {});
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  const TeamDirectory& teams = (*snapshot)->teams;
  EXPECT_EQ(teams.teams().size(), 2u);
  EXPECT_EQ(teams.OfService("checkout").team, "payments");
  EXPECT_TRUE(teams.OfService("checkout").hidden);
  EXPECT_EQ(teams.OfService("site").team, "web");
  EXPECT_EQ(teams.OfService("loom").team, "");
  EXPECT_EQ(teams.OfSchedule("pay-primary").team, "payments");
  EXPECT_EQ(teams.SchedulesOf("payments"), std::vector<std::string>{"pay-primary"});
  EXPECT_EQ(teams.RolesOf("rita").size(), 2u);
}

// users[].role not given: responder without teams (as before teams), viewer once `teams:` exist
// (then the teams give the rights). What a person signs in with (accounts/person_principal.h).
TEST(BuildOnCallSnapshot, APersonWithoutARoleIsAResponderWithoutTeamsAndAViewerWithTeams) {
  auto with_teams = Parse(kTeamsYaml);
  ASSERT_TRUE(with_teams.ok()) << with_teams.error().message;
  auto snapshot = BuildOnCallSnapshot(*with_teams, {});
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  const User& tara = with_teams->users[1].user;
  ASSERT_EQ(tara.id, "tara");
  EXPECT_EQ(tara.role.value_or((*snapshot)->teams.DefaultPersonRole()), Role::kViewer);
  const User& olive = with_teams->users[0].user;
  EXPECT_EQ(olive.role.value_or((*snapshot)->teams.DefaultPersonRole()), Role::kOwner);

  auto without = Parse("users:\n  - { id: tara }\n  - { id: sam, role: viewer }\n");
  ASSERT_TRUE(without.ok()) << without.error().message;
  auto plain = BuildOnCallSnapshot(*without, {});
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_TRUE((*plain)->teams.empty());
  EXPECT_EQ(without->users[0].user.role.value_or((*plain)->teams.DefaultPersonRole()),
            Role::kResponder);
  EXPECT_EQ(without->users[1].user.role.value_or((*plain)->teams.DefaultPersonRole()),
            Role::kViewer);
}

}  // namespace
}  // namespace loom::config_test
