// The Api without sockets (api_test_support.h): on-call, schedules, overrides, users, calendar
// feeds.
#include <gtest/gtest.h>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

// ---- on-call, schedules, overrides, users, calendar feeds ----

constexpr char kCalendarToken[] = "loo_calendar";

OnCallDeps TestOnCall() {
  auto config = ParseConfig(R"(users:
  - { id: alice, name: Alice Example, email: alice@example.com }
  - { id: bob }
schedules:
  - id: primary
    time_zone: Europe/Berlin
    layers: [ { participants: [alice, bob], shift: 1d, handoff: "09:00", start: 2026-03-27 } ]
services:
  - id: loom
    roles: { primary: primary }
)",
                            "oncall.yaml", nullptr);
  EXPECT_TRUE(config.ok()) << config.error().message;
  auto shared = std::make_shared<const Config>(std::move(config).value());
  OnCallDeps deps;
  deps.roster = std::make_shared<Roster>(BuildOnCallSnapshot(*shared, {}).value());
  deps.rebuild = [shared](const std::vector<ScheduleOverride>& overrides) {
    return BuildOnCallSnapshot(*shared, overrides);
  };
  return deps;
}

// On the real store, INC-1 open, with a calendar token.
class OnCallApiTest : public StoreApiTest {
 protected:
  void SetUp() override {
    clock_.Set(*ParseRfc3339("2026-03-28T12:00:00Z"));
    StoreApiTest::SetUp();
    ASSERT_EQ(Trigger("disk-full", Severity::kSev2), 1);
    Result<ApiToken> token = AwaitWrite<ApiToken>([&](auto done) {
      store_->CreateToken("cal", Role::kCalendar, Sha256Hex(kCalendarToken), done);
    });
    ASSERT_TRUE(token.ok()) << token.error().message;
  }
  OnCallDeps OnCall() const override { return TestOnCall(); }
};

TEST_F(OnCallApiTest, OnCallAnswersTheHolderAndUntil) {
  auto r = Call(Method::kGet, "/v1/oncall?service=loom", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json j = Body(*r);
  EXPECT_EQ(j["service"], "loom");
  EXPECT_EQ(j["at"], "2026-03-28T12:00:00.000Z");
  EXPECT_EQ(j["roles"]["primary"]["user"], "bob");
  EXPECT_EQ(j["roles"]["primary"]["schedule"], "primary");
  EXPECT_EQ(j["roles"]["primary"]["until"], "2026-03-29T07:00:00.000Z");  // 09:00 CEST
  EXPECT_TRUE(j["roles"]["secondary"]["user"].is_null());
  EXPECT_TRUE(j["roles"]["secondary"]["schedule"].is_null());

  r = Call(Method::kGet, "/v1/oncall?service=loom&at=2026-03-29T07:00:00Z", {}, kViewerToken);
  EXPECT_EQ(Body(*r)["roles"]["primary"]["user"], "alice");
  EXPECT_EQ(Body(*r)["roles"]["primary"]["name"], "Alice Example");
  // The only service with roles is the default.
  EXPECT_EQ(Body(*Call(Method::kGet, "/v1/oncall", {}, kViewerToken))["service"], "loom");
  EXPECT_EQ(Call(Method::kGet, "/v1/oncall?service=nope", {}, kViewerToken)->response->status, 404);
  EXPECT_EQ(Call(Method::kGet, "/v1/oncall?at=yesterday", {}, kViewerToken)->response->status, 400);
  EXPECT_EQ(Call(Method::kGet, "/v1/oncall")->response->status, 401);
}

TEST_F(OnCallApiTest, TheCommanderIsAConfiguredUserOrTheCallerTakingCommand) {
  // Like reassign: free text that names nobody is refused before anything is stored.
  for (const char* commander : {"alcie", "Alice Example", "token:someone-else"}) {
    auto r = Call(Method::kPost, "/v1/incidents/INC-1/commander",
                  json{{"commander", commander}}.dump(), kResponderToken);
    ASSERT_EQ(r->response->status, 400) << commander;
    json j = Body(*r);
    EXPECT_EQ(j["detail"], std::string("unknown user '") + commander + "'");
    EXPECT_EQ(j["errors"][0]["pointer"], "/commander");
    EXPECT_EQ(j["errors"][0]["detail"], "is not a configured user");
  }
  EXPECT_TRUE(writes_->commands.empty());

  auto r = Call(Method::kPost, "/v1/incidents/INC-1/commander", R"({"commander":"alice"})",
                kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  // The console's "Take command": the caller's own actor.
  r = Call(Method::kPost, "/v1/incidents/INC-1/commander", R"({"commander":"token:ci"})",
           kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  ASSERT_EQ(writes_->commands.size(), 2u);
  EXPECT_EQ(writes_->commands[0].commander, "alice");
  EXPECT_EQ(writes_->commands[1].commander, "token:ci");
  Result<std::optional<IncidentDetail>> detail = store_->GetIncident(1);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->incident.commander, "token:ci");

  // A drill's commander likewise.
  r = Call(Method::kPost, "/v1/drills", R"({"scenario":"security","commander":"alcie"})",
           kResponderToken);
  ASSERT_EQ(r->response->status, 400) << r->response->body;
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/commander");
}

TEST_F(OnCallApiTest, SchedulesAndShifts) {
  auto r = Call(Method::kGet, "/v1/schedules", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200);
  json s = Body(*r)["schedules"][0];
  EXPECT_EQ(s["id"], "primary");
  EXPECT_EQ(s["time_zone"], "Europe/Berlin");
  EXPECT_EQ(s["layers"][0]["shift"], "1d");
  EXPECT_EQ(s["layers"][0]["handoff"], "09:00");
  EXPECT_EQ(s["layers"][0]["start"], "2026-03-27");

  r = Call(Method::kGet,
           "/v1/schedules/primary/shifts?from=2026-03-28T00:00:00Z&to=2026-03-30T00:00:00Z", {},
           kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json shifts = Body(*r)["shifts"];
  ASSERT_EQ(shifts.size(), 3u);
  EXPECT_EQ(shifts[0]["user"], "alice");
  EXPECT_EQ(shifts[1]["user"], "bob");
  EXPECT_EQ(shifts[1]["start"], "2026-03-28T08:00:00.000Z");  // 09:00 CET
  EXPECT_EQ(shifts[1]["end"], "2026-03-29T07:00:00.000Z");    // 09:00 CEST: 23 hours
  EXPECT_EQ(shifts[1]["override"], false);

  // Before the rotation starts nobody is on call: the gap is listed with user null.
  r = Call(Method::kGet,
           "/v1/schedules/primary/shifts?from=2026-03-26T00:00:00Z&to=2026-03-28T00:00:00Z", {},
           kViewerToken);
  EXPECT_TRUE(Body(*r)["shifts"][0]["user"].is_null());

  EXPECT_EQ(Call(Method::kGet, "/v1/schedules/nope/shifts", {}, kViewerToken)->response->status,
            404);
  for (const char* q : {"from=2026-03-28T00:00:00Z&to=2026-03-28T00:00:00Z",
                        "from=2026-01-01T00:00:00Z&to=2027-02-01T00:00:00Z", "from=soon"}) {
    r = Call(Method::kGet, std::string("/v1/schedules/primary/shifts?") + q, {}, kViewerToken);
    EXPECT_EQ(r->response->status, 400) << q;
    EXPECT_EQ(r->response->content_type, "application/problem+json");
  }
}

TEST_F(OnCallApiTest, OverridesChangeWhoIsOnCall) {
  const std::string body =
      R"({"user":"alice","from":"2026-03-28T11:00:00Z","to":"2026-03-28T13:00:00Z"})";
  EXPECT_EQ(
      Call(Method::kPost, "/v1/schedules/primary/overrides", body, kViewerToken)->response->status,
      403);
  auto r = Call(Method::kPost, "/v1/schedules/primary/overrides", body, kResponderToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  json created = Body(*r);
  EXPECT_EQ(created["user"], "alice");
  EXPECT_EQ(created["created_by"], "token:ci");
  const int64_t id = created["id"];

  EXPECT_EQ(Body(*Call(Method::kGet, "/v1/oncall?service=loom", {},
                       kViewerToken))["roles"]["primary"]["user"],
            "alice");
  r = Call(Method::kGet, "/v1/schedules/primary/overrides", {}, kViewerToken);
  ASSERT_EQ(Body(*r)["overrides"].size(), 1u);

  r = Call(Method::kDelete, "/v1/schedules/primary/overrides/" + std::to_string(id), {},
           kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(Body(*Call(Method::kGet, "/v1/oncall?service=loom", {},
                       kViewerToken))["roles"]["primary"]["user"],
            "bob");
  EXPECT_EQ(Call(Method::kDelete, "/v1/schedules/primary/overrides/" + std::to_string(id), {},
                 kResponderToken)
                ->response->status,
            404);
}

TEST_F(OnCallApiTest, OverrideValidation) {
  auto post = [&](const std::string& schedule, const std::string& body) {
    return Call(Method::kPost, "/v1/schedules/" + schedule + "/overrides", body, kResponderToken);
  };
  auto r = post("primary",
                R"({"user":"mallory","from":"2026-03-28T11:00:00Z","to":"2026-03-28T13:00:00Z"})");
  EXPECT_EQ(r->response->status, 400);
  EXPECT_NE(r->response->body.find("unknown user"), std::string::npos);
  r = post("primary",
           R"({"user":"alice","from":"2026-03-28T13:00:00Z","to":"2026-03-28T13:00:00Z"})");
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(r->response->content_type, "application/problem+json");
  EXPECT_EQ(post("primary", R"({"user":"alice"})")->response->status, 400);
  EXPECT_EQ(
      post("nope", R"({"user":"alice","from":"2026-03-28T11:00:00Z","to":"2026-03-28T13:00:00Z"})")
          ->response->status,
      404);
  Result<std::vector<ScheduleOverride>> stored = store_->ListOverrides();
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_TRUE(stored->empty());
}

TEST_F(OnCallApiTest, UsersListHasNoSecrets) {
  auto r = Call(Method::kGet, "/v1/users", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200);
  json users = Body(*r)["users"];
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0]["id"], "alice");
  EXPECT_EQ(users[0]["email"], "alice@example.com");
  EXPECT_FALSE(users[0].contains("contact_methods"));
}

TEST_F(OnCallApiTest, CalendarFeedsAndTheCalendarRole) {
  clock_.Set(*ParseRfc3339("2026-04-05T12:00:00Z"));  // the feed starts a week before
  auto r =
      Call(Method::kGet, std::string("/v1/schedules/primary/calendar.ics?token=") + kCalendarToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(r->response->content_type, "text/calendar; charset=utf-8");
  const std::string& ics = r->response->body;
  EXPECT_EQ(ics.rfind("BEGIN:VCALENDAR\r\n", 0), 0u);
  EXPECT_NE(ics.find("SUMMARY:On call: Alice Example (primary)"), std::string::npos);
  // The first event keeps the real start of the shift in progress a week ago (09:00 CEST), not
  // the window's start, so that its UID stays the same from one fetch to the next.
  EXPECT_NE(ics.find("DTSTART:20260329T070000Z"), std::string::npos);
  EXPECT_EQ(ics.find("DTSTART:20260329T120000Z"), std::string::npos);

  // A viewer token works as header or query; the calendar token reads nothing else.
  EXPECT_EQ(
      Call(Method::kGet, "/v1/schedules/primary/calendar.ics", {}, kViewerToken)->response->status,
      200);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents", {}, kCalendarToken)->response->status, 403);
  EXPECT_EQ(Call(Method::kGet, "/v1/oncall", {}, kCalendarToken)->response->status, 403);
  EXPECT_EQ(Call(Method::kGet, "/v1/schedules/primary/calendar.ics")->response->status, 401);
  EXPECT_EQ(Call(Method::kGet, "/v1/schedules/primary/calendar.ics?token=wrong")->response->status,
            401);

  r = Call(Method::kGet, std::string("/v1/users/bob/calendar.ics?token=") + kCalendarToken);
  ASSERT_EQ(r->response->status, 200);
  EXPECT_NE(r->response->body.find("On call: bob (primary)"), std::string::npos);
  EXPECT_EQ(r->response->body.find("Alice"), std::string::npos);
  EXPECT_EQ(Call(Method::kGet, std::string("/v1/users/nope/calendar.ics?token=") + kCalendarToken)
                ->response->status,
            404);
}

// The Api on the real store without a roster.
class NoRosterApiTest : public StoreApiTest {};

TEST_F(NoRosterApiTest, OnCallRoutesWithoutARosterAre503) {
  EXPECT_EQ(Call(Method::kGet, "/v1/oncall?service=loom", {}, kViewerToken)->response->status, 503);
}

TEST_F(NoRosterApiTest, CalendarTokensCanBeCreated) {
  auto r = Call(Method::kPost, "/v1/tokens", R"({"name":"cal","role":"calendar"})", kAdminToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  EXPECT_EQ(Body(*r)["role"], "calendar");
}

}  // namespace
}  // namespace loom::http
