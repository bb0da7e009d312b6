#include "core/authorization.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/team.h"

namespace loom {
namespace {

// The callers of the role matrix (docs/authentication.md "Teams and roles"). People have the
// global role viewer unless said otherwise; "pay" is their team.
Caller Owner() { return {Role::kOwner, "olive", {}}; }
Caller GlobalAdmin() { return {Role::kAdmin, "ada", {}}; }
Caller TeamAdmin() { return {Role::kViewer, "tara", {{"pay", Role::kAdmin}}}; }
Caller TeamResponder() { return {Role::kViewer, "rita", {{"pay", Role::kResponder}}}; }
Caller OtherResponder() { return {Role::kViewer, "otto", {{"web", Role::kResponder}}}; }
Caller TeamViewer() { return {Role::kViewer, "vera", {{"pay", Role::kViewer}}}; }
Caller Viewer() { return {Role::kViewer, "vic", {}}; }
Caller UnboundToken() { return {Role::kResponder, "", {}}; }
// A responder token bound to rita: the token's role is global, rita's team roles come along.
Caller BoundToken() { return {Role::kResponder, "rita", {{"pay", Role::kResponder}}}; }

const ResourceTeam kNoTeam{};
const ResourceTeam kPay{"pay", false};
const ResourceTeam kPayHidden{"pay", true};

// One caller's answers on a resource without a team, on pay, on pay hidden.
struct Row {
  const char* who;
  Caller caller;
  const char* no_team;
  const char* pay;
  const char* pay_hidden;
};

// One letter per action (R read, A act/respond, M manage, O own); '-' refused.
std::string Answer(const Caller& c, const ResourceTeam& r) {
  std::string out;
  out += Allowed(c, Action::kRead, r) ? 'R' : '-';
  out += Allowed(c, Action::kRespond, r) ? 'A' : '-';
  out += Allowed(c, Action::kManage, r) ? 'M' : '-';
  out += Allowed(c, Action::kOwn, r) ? 'O' : '-';
  return out;
}

TEST(AuthorizationTest, TheRoleMatrix) {
  const std::vector<Row> rows = {
      {"owner", Owner(), "RAMO", "RAMO", "RAMO"},
      {"global admin", GlobalAdmin(), "RAM-", "RAM-", "RAM-"},
      {"team admin", TeamAdmin(), "R---", "RAM-", "RAM-"},
      {"responder of the team", TeamResponder(), "R---", "RA--", "RA--"},
      {"responder of another team", OtherResponder(), "R---", "R---", "----"},
      {"viewer of the team", TeamViewer(), "R---", "R---", "R---"},
      {"viewer", Viewer(), "R---", "R---", "----"},
      {"unbound responder token", UnboundToken(), "RA--", "RA--", "RA--"},
      {"bound responder token", BoundToken(), "RA--", "RA--", "RA--"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Answer(row.caller, kNoTeam), row.no_team) << row.who << " on no team";
    EXPECT_EQ(Answer(row.caller, kPay), row.pay) << row.who << " on team pay";
    EXPECT_EQ(Answer(row.caller, kPayHidden), row.pay_hidden) << row.who << " on hidden pay";
  }
}

TEST(AuthorizationTest, ACalendarTokenReadsNothing) {
  const Caller calendar{Role::kCalendar, "", {}};
  EXPECT_EQ(Answer(calendar, kNoTeam), "----");
  EXPECT_EQ(Answer(calendar, kPay), "----");
}

TEST(AuthorizationTest, TeamRolesCountOnlyForAPerson) {
  // A principal without a user has no teams, whatever its map says.
  const Caller odd{Role::kViewer, "", {{"pay", Role::kAdmin}}};
  EXPECT_EQ(EffectiveRole(odd, "pay"), Role::kViewer);
  EXPECT_EQ(Answer(odd, kPay), "R---");
}

TEST(AuthorizationTest, ATeamRoleNeverMakesAnOwner) {
  const Caller c{Role::kViewer, "x", {{"pay", Role::kOwner}}};
  EXPECT_EQ(EffectiveRole(c, "pay"), Role::kAdmin);
  EXPECT_EQ(EffectiveRole(c, ""), Role::kViewer);
}

TEST(AuthorizationTest, TheHigherOfGlobalAndTeamRoleCounts) {
  const Caller c{Role::kResponder, "x", {{"pay", Role::kViewer}}};
  EXPECT_EQ(EffectiveRole(c, "pay"), Role::kResponder);
  EXPECT_EQ(EffectiveRole(c, "web"), Role::kResponder);
}

TEST(AuthorizationTest, WhoMayRespondSomewhere) {
  EXPECT_TRUE(MayRespondSomewhere(Owner()));
  EXPECT_TRUE(MayRespondSomewhere(GlobalAdmin()));
  EXPECT_TRUE(MayRespondSomewhere(TeamAdmin()));
  EXPECT_TRUE(MayRespondSomewhere(TeamResponder()));
  EXPECT_TRUE(MayRespondSomewhere(UnboundToken()));
  EXPECT_FALSE(MayRespondSomewhere(TeamViewer()));
  EXPECT_FALSE(MayRespondSomewhere(Viewer()));
  EXPECT_FALSE(MayRespondSomewhere(Caller{Role::kViewer, "", {{"pay", Role::kAdmin}}}));
}

// MayChangeShift answers, one letter per change: O the caller's own shifts (the caller in the
// schedule), X someone else's.
std::string Shifts(const Caller& c, const ResourceTeam& s) {
  std::string out;
  out += MayChangeShift(c, s, {true, true}) ? 'O' : '-';
  out += MayChangeShift(c, s, {true, false}) ? 'X' : '-';
  return out;
}

TEST(AuthorizationTest, WhoChangesShifts) {
  const std::vector<Row> rows = {
      {"owner", Owner(), "OX", "OX", "OX"},
      {"global admin", GlobalAdmin(), "OX", "OX", "OX"},
      {"team admin", TeamAdmin(), "--", "OX", "OX"},
      {"responder of the team", TeamResponder(), "--", "O-", "O-"},
      {"responder of another team", OtherResponder(), "--", "--", "--"},
      {"viewer of the team", TeamViewer(), "--", "--", "--"},
      {"viewer", Viewer(), "--", "--", "--"},
      // A global responder: as before teams on a schedule without one; on a team's schedule only
      // its own shifts, and only as a person.
      {"unbound responder token", UnboundToken(), "OX", "--", "--"},
      {"bound responder token", BoundToken(), "OX", "O-", "O-"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Shifts(row.caller, kNoTeam), row.no_team) << row.who << " on no team";
    EXPECT_EQ(Shifts(row.caller, kPay), row.pay) << row.who << " on team pay";
    EXPECT_EQ(Shifts(row.caller, kPayHidden), row.pay_hidden) << row.who << " on hidden pay";
  }
  // Not in the schedule: not even for one's own change.
  EXPECT_FALSE(MayChangeShift(TeamResponder(), kPay, {false, true}));
}

TEST(AuthorizationTest, DescribeNewOverride) {
  // Daily 09:00 UTC handoffs: rita, then otto, from 2026-01-05 (day 20458).
  RotationLayer layer;
  layer.participants = {"rita", "otto"};
  layer.shift_length_minutes = 24 * 60;
  layer.start_days = 20458;
  auto schedule = Schedule::Create("pay-primary", "UTC", {layer}, {});
  ASSERT_TRUE(schedule.ok());
  const TimePoint day0 = TimePoint(std::chrono::hours(24 * 20458 + 9));  // rita's shift
  const TimePoint day1 = day0 + std::chrono::hours(24);                  // otto's shift
  const TimePoint day2 = day1 + std::chrono::hours(24);
  // Taking over otto's shift.
  ShiftChange take = DescribeNewOverride(*schedule, "rita", "rita", day1, day2);
  EXPECT_TRUE(take.caller_in_schedule);
  EXPECT_TRUE(take.own);
  // Giving rita's own shift (or part of it) to otto.
  EXPECT_TRUE(DescribeNewOverride(*schedule, "rita", "otto", day0, day1).own);
  EXPECT_TRUE(
      DescribeNewOverride(*schedule, "rita", "otto", day0 + std::chrono::hours(2), day1).own);
  // Giving otto's shift to someone else, or a window that spans both shifts: not rita's own.
  EXPECT_FALSE(DescribeNewOverride(*schedule, "rita", "vic", day1, day2).own);
  EXPECT_FALSE(DescribeNewOverride(*schedule, "rita", "vic", day0, day2).own);
  EXPECT_TRUE(InSchedule(*schedule, "otto"));
  EXPECT_FALSE(InSchedule(*schedule, "vic"));
  // Someone outside the schedule, and a token bound to nobody.
  ShiftChange outsider = DescribeNewOverride(*schedule, "vic", "vic", day1, day2);
  EXPECT_FALSE(outsider.caller_in_schedule);
  EXPECT_TRUE(outsider.own);
  ShiftChange token = DescribeNewOverride(*schedule, "", "rita", day1, day2);
  EXPECT_FALSE(token.caller_in_schedule);
  EXPECT_FALSE(token.own);
}

TEST(AuthorizationTest, RefusalNamesTheRoleAndTeam) {
  EXPECT_EQ(RefusalDetail(TeamViewer(), Action::kRespond, kPay),
            "this needs role responder on team pay; you have viewer");
  EXPECT_EQ(RefusalDetail(Viewer(), Action::kManage, kNoTeam),
            "this needs role admin; you have viewer");
}

TEST(TeamDirectoryTest, ScopesAndMembers) {
  Team pay{"pay", "Payments", true, {{"rita", Role::kResponder}, {"tara", Role::kAdmin}}};
  Team web{"web", "Web", false, {{"rita", Role::kViewer}}};
  TeamDirectory dir({pay, web}, {{"checkout", "pay"}, {"site", "web"}}, {{"pay-primary", "pay"}});
  EXPECT_FALSE(dir.empty());
  EXPECT_EQ(dir.OfService("checkout").team, "pay");
  EXPECT_TRUE(dir.OfService("checkout").hidden);
  EXPECT_EQ(dir.OfService("site").team, "web");
  EXPECT_FALSE(dir.OfService("site").hidden);
  EXPECT_EQ(dir.OfService("loom").team, "");
  EXPECT_EQ(dir.OfSchedule("pay-primary").team, "pay");
  EXPECT_EQ(dir.OfSchedule("other").team, "");
  EXPECT_EQ(dir.ServicesOf("pay"), std::vector<std::string>{"checkout"});
  EXPECT_EQ(dir.SchedulesOf("web"), std::vector<std::string>{});
  auto roles = dir.RolesOf("rita");
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles["pay"], Role::kResponder);
  EXPECT_EQ(roles["web"], Role::kViewer);
  EXPECT_TRUE(dir.RolesOf("nobody").empty());
  ASSERT_NE(dir.Find("web"), nullptr);
  EXPECT_EQ(dir.Find("web")->name, "Web");
  EXPECT_EQ(dir.Find("ops"), nullptr);
}

}  // namespace
}  // namespace loom
