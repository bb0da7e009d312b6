// The role matrix of docs/authentication.md "Teams and roles", route by route, on the real
// SQLite store: each caller (owner, team admin, responder of the team, responder of another team,
// viewer, a token bound to nobody, a token bound to a person) gets the documented answer.
//
// People are console sessions of the configured users created with SessionStore::Create (what a
// password or single sign-on sign-in creates): every request rebuilds their principal from the
// stored user and the teams of the roster (accounts/person_principal.h), so none of them is
// given a role here. The tokens are real stored tokens sent as bearer tokens: one of role
// responder bound to nobody, one of role responder bound to rita.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "config/oncall_snapshot.h"
#include "core/heartbeat.h"
#include "http/api.h"
#include "store/sql/sqlite_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom::http {
namespace {

using nlohmann::json;

// payments (hidden from non-members) owns the checkout service and the pay-primary schedule; web
// owns site; loom has no team. Rotation of pay-primary: rita from 2026-11-02 09:00 UTC (the fake
// clock's start), tara from 2026-11-03 09:00.
constexpr char kYaml[] = R"(users:
  - { id: olive, role: owner }
  - { id: tara }
  - { id: rita }
  - { id: otto }
  - { id: vic }
teams:
  - id: payments
    visibility: team
    members: [ { user: tara, role: admin }, { user: rita, role: responder } ]
  - id: web
    members: [ { user: otto, role: responder } ]
schedules:
  - id: pay-primary
    team: payments
    layers: [ { participants: [rita, tara], shift: 1d, handoff: "09:00", start: 2026-11-02 } ]
services:
  - { id: checkout, team: payments }
  - { id: site, team: web }
  - { id: loom }
)";

constexpr char kResponderToken[] = "loo_matrix_responder";
constexpr char kBoundToken[] = "loo_matrix_bound_to_rita";

// The callers, in the order of the table's columns.
enum Who {
  kOwner,
  kTeamAdmin,
  kTeamResponder,
  kOtherResponder,
  kViewer,
  kUnbound,
  kBound,
  kWhoCount
};
constexpr const char* kWhoNames[kWhoCount] = {
    "owner",         "team admin", "responder of the team", "responder of another team", "viewer",
    "unbound token", "bound token"};

// A person as a sign-in hands them to SessionStore::Create (which stores only the user id).
Principal Person(const std::string& user) {
  Principal p;
  p.name = user;
  p.user = user;
  return p;
}

class PromisedReply final : public ResponseSink {
 public:
  void Send(Response r) override { promise.set_value(std::move(r)); }
  std::promise<Response> promise;
};

class RoleMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = ParseConfig(kYaml, "teams.yaml", nullptr);
    ASSERT_TRUE(config.ok()) << config.error().message;
    config_ = std::make_shared<Config>(std::move(*config));
    SqliteOptions options;
    options.path = dir_.File("loom.db");
    auto store = OpenSqliteStore(options, clock_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    for (const ServiceConfig& s : config_->services) {
      ASSERT_TRUE(
          store_->UpsertConfiguredService(s.service, {Sha256Hex("key-" + s.service.id)}).ok());
    }
    auto snapshot = BuildOnCallSnapshot(*config_, {});
    ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
    OnCallDeps oncall;
    oncall.roster = std::make_shared<Roster>(*snapshot);
    oncall.rebuild = [config = config_](const std::vector<ScheduleOverride>& overrides) {
      return BuildOnCallSnapshot(*config, overrides);
    };
    api_ = std::make_unique<Api>(*store_, clock_, "", ApiOptions{}, nullptr, std::move(oncall));

    std::vector<User> users;
    for (const UserConfig& u : config_->users) users.push_back(u.user);
    ASSERT_TRUE(store_->UpsertConfiguredUsers(users).ok());

    std::promise<Result<ApiToken>> token, bound;
    store_->CreateToken("ci", Role::kResponder, Sha256Hex(kResponderToken),
                        [&](Result<ApiToken> t) { token.set_value(std::move(t)); });
    ASSERT_TRUE(token.get_future().get().ok());
    store_->CreateBoundToken("rita-ci", Role::kResponder, "rita", Sha256Hex(kBoundToken),
                             [&](Result<ApiToken> t) { bound.set_value(std::move(t)); });
    ASSERT_TRUE(bound.get_future().get().ok());
    ASSERT_EQ(Trigger("checkout"), 1);                  // INC-1: payments
    ASSERT_EQ(Trigger("loom"), 2);                      // INC-2: no team
    for (const char* service : {"checkout", "loom"}) {  // hb-checkout (payments), hb-loom
      Heartbeat hb;
      hb.id = std::string("hb-") + service;
      hb.name = hb.id;
      hb.service_id = service;
      std::promise<Result<Heartbeat>> created;
      store_->CreateHeartbeat(hb, [&](Result<Heartbeat> h) { created.set_value(std::move(h)); });
      Result<Heartbeat> got = created.get_future().get();
      ASSERT_TRUE(got.ok()) << got.error().message;
    }

    for (const char* user : {"olive", "tara", "rita", "otto", "vic"}) {
      auto created = api_->sessions().Create(Person(user));
      ASSERT_TRUE(created.ok()) << created.error().message;
      sessions_.push_back(std::move(*created));
    }
  }

  int64_t Trigger(const std::string& service) {
    auto key = store_->FindIntegrationKey(Sha256Hex("key-" + service));
    EXPECT_TRUE(key.ok() && key->has_value());
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = service;
    r.integration_key_id = (*key)->id;
    r.dedup_key = service + "-down";
    r.title = service + " is down";
    AlertUpdate a;
    a.action = AlertAction::kTrigger;
    a.summary = r.title;
    a.severity = Severity::kSev2;
    r.alerts.push_back(a);
    std::promise<Result<IngestOutcome>> out;
    store_->Ingest(r, [&](Result<IngestOutcome> o) { out.set_value(std::move(o)); });
    Result<IngestOutcome> got = out.get_future().get();
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got.ok() ? got->incident_number : 0;
  }

  // `who` calls `method target` with `body`: people through their console session (cookie,
  // same origin, CSRF token), the tokens as bearer tokens.
  Response Call(Who who, Method method, const std::string& target, const std::string& body = "") {
    if (who == kUnbound || who == kBound) {
      return Send(who == kUnbound ? kResponderToken : kBoundToken, method, target, body);
    }
    const SessionStore::Created& s = sessions_[who];
    return Send("", method, target, body, std::string(kSessionCookieName) + "=" + s.id,
                s.session.csrf_token);
  }

  // One request with bearer token `token` ("" for none), or with a session's cookie and CSRF
  // token.
  Response Send(const std::string& token, Method method, const std::string& target,
                const std::string& body, const std::string& cookie = "",
                const std::string& csrf = "") {
    const std::string path = target.substr(0, target.find('?'));
    const std::string query =
        target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
    const std::string authorization = token.empty() ? "" : "Bearer " + token;
    Request req;
    req.method = method;
    req.target = target;
    req.path = path;
    req.query = query;
    req.body = body;
    req.authorization = authorization;
    req.cookie = cookie;
    req.csrf_token = csrf;
    req.host = "127.0.0.1:8080";
    req.origin = "http://127.0.0.1:8080";
    auto reply = std::make_shared<PromisedReply>();
    auto answer = reply->promise.get_future();
    api_->Handle(api_->Match(method, path), req, reply);
    EXPECT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready) << target;
    return answer.get();
  }

  // Checks one row of the matrix: the status each caller gets.
  void ExpectRow(Method method, const std::string& target, const std::string& body,
                 const std::vector<int>& statuses) {
    ASSERT_EQ(statuses.size(), static_cast<size_t>(kWhoCount));
    for (int who = 0; who < kWhoCount; ++who) {
      Response r = Call(static_cast<Who>(who), method, target, body);
      EXPECT_EQ(r.status, statuses[who])
          << MethodName(method) << " " << target << " as " << kWhoNames[who] << ": " << r.body;
      if (r.status == 403) {
        EXPECT_NE(json::parse(r.body).value("detail", "").find("needs role"), std::string::npos)
            << r.body;
      }
    }
  }

  loom::testing::TempDir dir_;
  loom::testing::FakeClock clock_;
  std::shared_ptr<Config> config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Api> api_;
  std::vector<SessionStore::Created> sessions_;  // by Who, the people's
};

// The documented answers (docs/authentication.md "Teams and roles"), column order:
// owner, team admin, responder of the team, responder of another team, viewer, unbound token,
// bound token.
TEST_F(RoleMatrixTest, IncidentsOfAHiddenTeam) {
  ExpectRow(Method::kGet, "/v1/incidents/INC-1", "", {200, 200, 200, 404, 404, 200, 200});
  ExpectRow(Method::kGet, "/v1/incidents/INC-1/alerts", "", {200, 200, 200, 404, 404, 200, 200});
  ExpectRow(Method::kPost, "/v1/incidents/INC-1/notes", R"({"note":"looking"})",
            {200, 200, 200, 404, 404, 200, 200});
  ExpectRow(Method::kPost, "/v1/incidents/INC-1/evidence",
            R"({"kind":"reference","name":"dashboard","uri":"https://grafana.example/d/1"})",
            {201, 201, 201, 404, 404, 201, 201});
  ExpectRow(Method::kGet, "/v1/incidents/INC-1/evidence/export", "",
            {200, 200, 200, 404, 404, 200, 200});
  ExpectRow(Method::kPost, "/v1/followups",
            R"({"title":"t","owner":"rita","due":"2026-12-01","service":"checkout"})",
            {201, 201, 201, 404, 404, 201, 201});
}

TEST_F(RoleMatrixTest, IncidentsWithoutATeamFollowTheGlobalRole) {
  ExpectRow(Method::kGet, "/v1/incidents/INC-2", "", {200, 200, 200, 200, 200, 200, 200});
  // The bound token acts as rita, whose global role is viewer: a responder token does not lift
  // her.
  ExpectRow(Method::kPost, "/v1/incidents/INC-2/notes", R"({"note":"looking"})",
            {200, 403, 403, 403, 403, 200, 403});
  ExpectRow(Method::kPost, "/v1/followups", R"({"title":"t","owner":"rita","due":"2026-12-01"})",
            {201, 403, 403, 403, 403, 201, 403});
}

TEST_F(RoleMatrixTest, TeamsAndServices) {
  ExpectRow(Method::kGet, "/v1/teams/payments", "", {200, 200, 200, 404, 404, 200, 200});
  ExpectRow(Method::kGet, "/v1/teams/web", "", {200, 200, 200, 200, 200, 200, 200});
  ExpectRow(Method::kGet, "/v1/teams", "", {200, 200, 200, 200, 200, 200, 200});
  ExpectRow(Method::kPost, "/v1/services", R"({"id":"new"})", {201, 403, 403, 403, 403, 403, 403});
  ExpectRow(Method::kPost, "/v1/tokens", R"({"name":"o","role":"owner"})",
            {201, 403, 403, 403, 403, 403, 403});
}

TEST_F(RoleMatrixTest, SchedulesAndOverrides) {
  ExpectRow(Method::kGet, "/v1/schedules/pay-primary/shifts", "",
            {200, 200, 200, 404, 404, 200, 200});
  // Taking over tara's shift: rita's own change (and the bound token's, acting as rita).
  ExpectRow(Method::kPost, "/v1/schedules/pay-primary/overrides",
            R"({"user":"rita","from":"2026-11-03T09:00:00Z","to":"2026-11-03T12:00:00Z"})",
            {201, 201, 201, 404, 404, 403, 201});
  // Giving tara's shift to vic: the team admin's (tara's own, too); not rita's.
  ExpectRow(Method::kPost, "/v1/schedules/pay-primary/overrides",
            R"({"user":"vic","from":"2026-11-03T12:00:00Z","to":"2026-11-03T15:00:00Z"})",
            {201, 201, 403, 404, 404, 403, 403});
}

TEST_F(RoleMatrixTest, ListsLeaveOutWhatIsHidden) {
  const size_t incidents[kWhoCount] = {2, 2, 2, 1, 1, 2, 2};
  const size_t services[kWhoCount] = {3, 3, 3, 2, 2, 3, 3};
  const size_t teams[kWhoCount] = {2, 2, 2, 1, 1, 2, 2};
  for (int who = 0; who < kWhoCount; ++who) {
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
  const bool can_write[kWhoCount] = {true, true, true, true, false, true, true};
  for (int who = 0; who < kWhoCount; ++who) {
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

// Routes that came with the accounts, heartbeats and Twilio work ask the same rule.
TEST_F(RoleMatrixTest, EscalateAndNotificationsFollowTheIncidentsTeam) {
  ExpectRow(Method::kPost, "/v1/incidents/INC-1/escalate", "", {200, 200, 200, 404, 404, 200, 200});
  ExpectRow(Method::kPost, "/v1/incidents/INC-2/escalate", "", {200, 403, 403, 403, 403, 200, 403});
  ExpectRow(Method::kGet, "/v1/incidents/INC-1/notifications", "",
            {200, 200, 200, 404, 404, 200, 200});
}

TEST_F(RoleMatrixTest, HeartbeatsAreManagedByTheirServicesTeam) {
  ExpectRow(Method::kGet, "/v1/heartbeats/hb-checkout", "", {200, 200, 200, 404, 404, 200, 200});
  ExpectRow(Method::kGet, "/v1/heartbeats/hb-loom", "", {200, 200, 200, 200, 200, 200, 200});
  // Managing needs admin: the team's admin on payments' heartbeat, a global admin elsewhere.
  ExpectRow(Method::kPatch, "/v1/heartbeats/hb-checkout", R"({"grace":"5m"})",
            {200, 200, 403, 404, 404, 403, 403});
  ExpectRow(Method::kPatch, "/v1/heartbeats/hb-loom", R"({"grace":"5m"})",
            {200, 403, 403, 403, 403, 403, 403});
  const size_t listed[kWhoCount] = {2, 2, 2, 1, 1, 2, 2};
  for (int who = 0; who < kWhoCount; ++who) {
    EXPECT_EQ(
        json::parse(Call(static_cast<Who>(who), Method::kGet, "/v1/heartbeats").body)["heartbeats"]
            .size(),
        listed[who])
        << kWhoNames[who];
  }
  // Creating one for checkout: a hidden service is unknown to non-members (422, as for a
  // service that does not exist).
  const int created[kWhoCount] = {201, 201, 403, 400, 400, 403, 403};
  for (int who = 0; who < kWhoCount; ++who) {
    const std::string body = json{
        {"id", "hb-new-" + std::to_string(who)},
        {"service", "checkout"},
        {"interval", "1h"}}.dump();
    Response r = Call(static_cast<Who>(who), Method::kPost, "/v1/heartbeats", body);
    EXPECT_EQ(r.status, created[who]) << kWhoNames[who] << ": " << r.body;
  }
  EXPECT_EQ(Call(kTeamResponder, Method::kDelete, "/v1/heartbeats/hb-checkout").status, 403);
  EXPECT_EQ(Call(kOtherResponder, Method::kDelete, "/v1/heartbeats/hb-checkout").status, 404);
  EXPECT_EQ(Call(kTeamAdmin, Method::kDelete, "/v1/heartbeats/hb-checkout").status, 200);
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
    store_->CreateBoundToken(name, Role::kCalendar, user, Sha256Hex("loo_" + name),
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
}  // namespace loom::http
