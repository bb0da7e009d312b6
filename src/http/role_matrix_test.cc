// The role matrix of docs/authentication.md "Teams and roles" beyond single answers: what the lists
// leave out, what the console is told a caller may do, calendar feeds, and the refusals' wording.
// role_matrix_routes_test.cc asks every route of the table; role_matrix_world.h has the world.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "http/role_matrix_world.h"

namespace loom::http::matrix {
namespace {

using nlohmann::json;

class RoleMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override { world_.Build(); }

  Response Call(Who who, Method method, const std::string& target, const std::string& body = "") {
    return world_.Call(who, method, target, body);
  }
  Response Send(const std::string& token, Method method, const std::string& target,
                const std::string& body) {
    return world_.Send(token, method, target, body);
  }

  World world_;
};

TEST_F(RoleMatrixTest, ListsLeaveOutWhatIsHidden) {
  const size_t incidents[kNobody] = {2, 2, 2, 1, 1, 2, 2};
  const size_t services[kNobody] = {3, 3, 3, 2, 2, 3, 3};
  const size_t teams[kNobody] = {2, 2, 2, 1, 1, 2, 2};
  for (int who = 0; who < kNobody; ++who) {
    const Who w = static_cast<Who>(who);
    EXPECT_EQ(json::parse(Call(w, Method::kGet, "/v1/incidents").body)["incidents"].size(),
              incidents[who])
        << kWhoNames[who];
    EXPECT_EQ(json::parse(Call(w, Method::kGet, "/v1/services").body)["services"].size(),
              services[who])
        << kWhoNames[who];
    EXPECT_EQ(json::parse(Call(w, Method::kGet, "/v1/teams").body)["teams"].size(), teams[who])
        << kWhoNames[who];
  }
  std::map<std::string, json> team_of;
  const json listed = json::parse(Call(kOwner, Method::kGet, "/v1/services").body);
  for (const json& s : listed["services"]) {
    team_of[s["id"].get<std::string>()] = s["team"];
  }
  EXPECT_EQ(team_of["checkout"], "payments");
  EXPECT_EQ(team_of["site"], "web");
  ASSERT_EQ(team_of.count("loom"), 1u);
  EXPECT_TRUE(team_of["loom"].is_null());
  EXPECT_EQ(json::parse(Call(kOwner, Method::kGet, "/v1/incidents/INC-1").body)["team"],
            "payments");
}

TEST_F(RoleMatrixTest, AllowedActionsAndCanWriteFollowTheTeamRole) {
  // can_write of GET /ui/session (of the console session a token signs in with, for the
  // tokens): a role of at least responder somewhere.
  const bool can_write[kNobody] = {true, true, true, true, false, true, true};
  for (int who = 0; who < kNobody; ++who) {
    const Who w = static_cast<Who>(who);
    const bool token = w == kUnbound || w == kBound;
    const json session = json::parse(
        token ? Call(w, Method::kPost, "/ui/session",
                     json{{"token", w == kUnbound ? kResponderToken : kBoundToken}}.dump())
                    .body
              : Call(w, Method::kGet, "/ui/session").body);
    EXPECT_EQ(session["can_write"], can_write[who]) << kWhoNames[who] << ": " << session;
  }
  // INC-1 (payments): rita acts; INC-2 (no team): rita only reads.
  json inc1 = json::parse(Call(kTeamResponder, Method::kGet, "/v1/incidents/INC-1").body);
  json inc2 = json::parse(Call(kTeamResponder, Method::kGet, "/v1/incidents/INC-2").body);
  EXPECT_FALSE(inc1["allowed_actions"].empty());
  EXPECT_TRUE(inc2["allowed_actions"].empty());
  json other = json::parse(Call(kOtherResponder, Method::kGet, "/v1/incidents/INC-2").body);
  EXPECT_TRUE(other["allowed_actions"].empty());
}

TEST_F(RoleMatrixTest, HeartbeatListsLeaveOutAHiddenTeamsHeartbeats) {
  // The rows of role_matrix_routes_test.cc ask each heartbeat route; the list's content is here.
  const size_t listed[kNobody] = {2, 2, 2, 1, 1, 2, 2};
  for (int who = 0; who < kNobody; ++who) {
    EXPECT_EQ(
        json::parse(Call(static_cast<Who>(who), Method::kGet, "/v1/heartbeats").body)["heartbeats"]
            .size(),
        listed[who])
        << kWhoNames[who];
  }
}

TEST_F(RoleMatrixTest, MaintenanceWindowsNameOnlyTheServicesTheCallerSees) {
  for (const char* services : {R"(["checkout"])", R"(["checkout","loom"])"}) {
    const std::string body = std::string(R"({"services":)") + services +
                             R"(,"reason":"r","end":"2026-11-02T12:00:00Z"})";
    ASSERT_EQ(Call(kOwner, Method::kPost, "/v1/maintenance", body).status, 201);
  }
  // Windows 1 (checkout) and 2 (checkout, loom): a non-member of payments sees window 2 with loom
  // alone, and not window 1.
  const size_t listed[kNobody] = {2, 2, 2, 1, 1, 2, 2};
  for (int who = 0; who < kNobody; ++who) {
    const json active =
        json::parse(Call(static_cast<Who>(who), Method::kGet, "/v1/maintenance").body)["active"];
    ASSERT_EQ(active.size(), listed[who]) << kWhoNames[who] << ": " << active;
    if (listed[who] == 1) {
      EXPECT_EQ(active[0]["services"], json::array({"loom"})) << kWhoNames[who];
      Response one = Call(static_cast<Who>(who), Method::kGet, "/v1/maintenance/2");
      ASSERT_EQ(one.status, 200) << kWhoNames[who] << ": " << one.body;
      EXPECT_EQ(json::parse(one.body)["services"], json::array({"loom"})) << kWhoNames[who];
    }
  }
}

TEST_F(RoleMatrixTest, DrillListsLeaveOutAHiddenTeamsDrills) {
  // One drill on checkout (payments, hidden) and one on loom: a non-member of payments is shown
  // the loom drill alone.
  for (const char* service : {"checkout", "loom"}) {
    const std::string body =
        std::string(R"({"scenario":"availability","service":")") + service + R"("})";
    Response started = Call(kOwner, Method::kPost, "/v1/drills", body);
    ASSERT_EQ(started.status, 201) << started.body;
  }
  const size_t listed[kNobody] = {2, 2, 2, 1, 1, 2, 2};
  for (int who = 0; who < kNobody; ++who) {
    Response r = Call(static_cast<Who>(who), Method::kGet, "/v1/drills");
    ASSERT_EQ(r.status, 200) << kWhoNames[who] << ": " << r.body;
    const json drills = json::parse(r.body)["drills"];
    ASSERT_EQ(drills.size(), listed[who]) << kWhoNames[who] << ": " << drills;
    if (listed[who] == 1) {
      EXPECT_EQ(drills[0]["service"], "loom") << kWhoNames[who];
    }
  }
}

TEST_F(RoleMatrixTest, ACalendarFeedLeavesOutTheShiftsOfHiddenSchedules) {
  // rita's shifts are all in pay-primary (payments, hidden). The feeds take tokens only: calendar
  // tokens bound to people (what "My work"'s calendar link is subscribed with) and the two of the
  // matrix. A person outside payments gets the feed without her shifts.
  const std::map<std::string, bool> has_shifts = {
      {"tara-cal", true}, {"vic-cal", false}, {"otto-cal", false}};
  for (const auto& [name, expected] : has_shifts) {
    const std::string user = name.substr(0, name.find('-'));
    std::promise<Result<ApiToken>> token;
    world_.store().CreateBoundToken(name, Role::kCalendar, user, Sha256Hex("loo_" + name),
                                    [&](Result<ApiToken> t) { token.set_value(std::move(t)); });
    ASSERT_TRUE(token.get_future().get().ok());
    Response r = Send("", Method::kGet, "/v1/users/rita/calendar.ics?token=loo_" + name, "");
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
    EXPECT_EQ(r.body.find("BEGIN:VEVENT") != std::string::npos, expected) << name;
  }
  for (const char* token : {kResponderToken, kBoundToken}) {
    Response r = Send(token, Method::kGet, "/v1/users/rita/calendar.ics", "");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("BEGIN:VEVENT"), std::string::npos) << token;
  }
}

TEST_F(RoleMatrixTest, RefusalsSayWhatIsNeeded) {
  Response r = Call(kViewer, Method::kPost, "/v1/incidents/INC-2/notes", R"({"note":"x"})");
  ASSERT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(json::parse(r.body)["detail"], "this needs role responder; you have viewer");
  r = Call(kTeamAdmin, Method::kPost, "/v1/schedules/pay-primary/overrides",
           R"({"user":"vic","from":"2026-11-04T09:00:00Z","to":"2026-11-04T12:00:00Z"})");
  EXPECT_EQ(r.status, 201) << r.body;
  r = Call(kTeamResponder, Method::kPost, "/v1/schedules/pay-primary/overrides",
           R"({"user":"vic","from":"2026-11-05T09:00:00Z","to":"2026-11-05T12:00:00Z"})");
  ASSERT_EQ(r.status, 403);
  EXPECT_NE(json::parse(r.body)["detail"].get<std::string>().find(
                "needs role admin on team payments, or role responder and a shift of your own"),
            std::string::npos)
      << r.body;
}

}  // namespace
}  // namespace loom::http::matrix
