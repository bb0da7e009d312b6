// The role matrix over the WHOLE route table (docs/authentication.md "Route by route"): every
// route of Api::RouteTable() has at least one row here, and every row is a route of the table, so
// a new route without a row fails. Each row is one request and the answer each caller gets
// (role_matrix_world.h: owner, team admin, responder of the team, responder of another team,
// viewer, unbound token, bound token, and nobody). A request that may change something is sent
// to a fresh world for each caller, so that each answer is that caller's alone.
//
// Team-scoped routes are exercised on a resource of team payments (hidden: `visibility: team`)
// unless the row says otherwise: its admin and responder act, the responder of team web and the
// viewer get 404. Below the route's role: 403. Above it: the handler's answer for the row's input
// (200/201, or a 4xx of the input such as 409 for an illegal transition: never 401 or 403).
// Routes with their own credential answer the callers' API tokens and sessions as that credential
// does (an API token is no integration key).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "http/role_matrix_world.h"

namespace loom::http::matrix {
namespace {

using nlohmann::json;
using Statuses = std::array<int, kWhoCount>;

// What a row's request may need first, made by the owner in the row's world.
enum class Before {
  kNone,
  kFollowup,
  kMaintenance,
  kLaterMaintenance,
  kCheckoutMaintenance,
  kOverride,
  kReview,
  kContactMethod
};

struct Row {
  const char* route;   // "METHOD pattern" as in the table
  const char* target;  // the request's path and query
  const char* body;
  Statuses expect;  // by Who
  Before setup = Before::kNone;
};

// Columns: owner, team admin, responder of the team, responder of another team, viewer, unbound
// token, bound token, nobody.
constexpr Statuses kRead = {200, 200, 200, 404, 404, 200, 200, 401};        // a payments read
constexpr Statuses kReadAll = {200, 200, 200, 200, 200, 200, 200, 401};     // any reader
constexpr Statuses kRespond = {200, 200, 200, 404, 404, 200, 200, 401};     // a payments write
constexpr Statuses kNoTeam = {200, 403, 403, 403, 403, 200, 403, 401};      // responder, global
constexpr Statuses kManage = {200, 200, 403, 404, 404, 403, 403, 401};      // admin of payments
constexpr Statuses kAdminOnly = {201, 403, 403, 403, 403, 403, 403, 401};   // global admin
constexpr Statuses kRefused401 = {401, 401, 401, 401, 401, 401, 401, 401};  // not its credential
// PagerDuty's answer to a routing key of no service.
constexpr Statuses kRefused400 = {400, 400, 400, 400, 400, 400, 400, 400};
constexpr Statuses kRefused403 = {403, 403, 403, 403, 403, 403, 403, 403};  // a bad signature
// The handler's own answer to the row's input for everyone who may ask (404: a missing part, as
// for an incident that is not a drill; the hidden incident's 404 looks the same).
constexpr Statuses kAll404 = {404, 404, 404, 404, 404, 404, 404, 401};
// rita's own (she responds in payments; the bound token acts as her), or an admin's.
constexpr Statuses kSelf200 = {200, 403, 200, 403, 403, 403, 200, 401};
constexpr Statuses kForged404 = {404, 404, 404, 404, 404, 404, 404, 404};  // a link not ours
constexpr Statuses kInput409 = {409, 409, 409, 404, 404, 409, 409, 401};   // an illegal transition

const Row kRows[] = {
    // ---- ingest: an integration key, never an API token or a session ----
    {"POST /v2/enqueue", "/v2/enqueue",
     R"({"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"error"}})",
     kRefused400},
    {"POST /v2/change/enqueue", "/v2/change/enqueue",
     R"({"routing_key":"0123456789abcdef0123456789abcdef","payload":{"summary":"s","source":"x"}})",
     kRefused400},
    {"POST /v1/integrations/alertmanager", "/v1/integrations/alertmanager", R"({"alerts":[]})",
     kRefused401},
    {"POST /v1/integrations/generic", "/v1/integrations/generic", R"({"title":"t"})", kRefused401},
    // ---- incidents of payments (INC-1), and without a team (INC-2) ----
    {"GET /v1/incidents", "/v1/incidents", "", kReadAll},
    {"GET /v1/incidents/{id}", "/v1/incidents/INC-1", "", kRead},
    {"GET /v1/incidents/{id}", "/v1/incidents/INC-2", "", kReadAll},
    {"POST /v1/incidents/{id}/acknowledge", "/v1/incidents/INC-1/acknowledge", "", kRespond},
    {"POST /v1/incidents/{id}/acknowledge", "/v1/incidents/INC-2/acknowledge", "", kNoTeam},
    {"POST /v1/incidents/{id}/mitigate",
     "/v1/incidents/INC-1/mitigate",
     "",
     {409, 409, 409, 404, 404, 409, 409, 401}},
    {"POST /v1/incidents/{id}/resolve", "/v1/incidents/INC-1/resolve", "", kRespond},
    {"POST /v1/incidents/{id}/close",
     "/v1/incidents/INC-1/close",
     "",
     {409, 409, 409, 404, 404, 409, 409, 401}},
    {"POST /v1/incidents/{id}/commander", "/v1/incidents/INC-1/commander",
     R"({"commander":"rita"})", kRespond},
    {"POST /v1/incidents/{id}/severity", "/v1/incidents/INC-1/severity", R"({"severity":"sev3"})",
     kRespond},
    {"POST /v1/incidents/{id}/notes", "/v1/incidents/INC-1/notes", R"({"note":"looking"})",
     kRespond},
    {"POST /v1/incidents/{id}/notes", "/v1/incidents/INC-2/notes", R"({"note":"looking"})",
     kNoTeam},
    {"POST /v1/incidents/{id}/unacknowledge",
     "/v1/incidents/INC-1/unacknowledge",
     "",
     {409, 409, 409, 404, 404, 409, 409, 401}},
    {"POST /v1/incidents/{id}/reassign", "/v1/incidents/INC-1/reassign", R"({"user":"tara"})",
     kRespond},
    {"POST /v1/incidents/{id}/escalate", "/v1/incidents/INC-1/escalate", "", kRespond},
    {"POST /v1/incidents/{id}/escalate", "/v1/incidents/INC-2/escalate", "", kNoTeam},
    {"POST /v1/incidents/{id}/updates", "/v1/incidents/INC-1/updates",
     R"({"impact":"i","scope":"s","mitigation":"m","next_update_at":"2026-11-02T09:20:00Z"})",
     kRespond},
    {"GET /v1/incidents/{id}/notifications", "/v1/incidents/INC-1/notifications", "", kRead},
    {"GET /v1/incidents/{id}/alerts", "/v1/incidents/INC-1/alerts", "", kRead},
    {"POST /v1/incidents/{id}/probe", "/v1/incidents/INC-1/probe", "", kInput409},
    {"POST /v1/services/{id}/probe", "/v1/services/checkout/probe", "", kInput409},
    {"GET /v1/alerts", "/v1/alerts", "", kReadAll},
    // ---- security playbook ----
    {"POST /v1/incidents/{id}/evidence",
     "/v1/incidents/INC-1/evidence",
     R"({"kind":"reference","name":"dashboard","uri":"https://grafana.example/d/1"})",
     {201, 201, 201, 404, 404, 201, 201, 401}},
    {"GET /v1/incidents/{id}/evidence", "/v1/incidents/INC-1/evidence", "", kRead},
    {"GET /v1/incidents/{id}/evidence/export", "/v1/incidents/INC-1/evidence/export", "", kRead},
    {"GET /v1/incidents/{id}/evidence/export", "/v1/incidents/INC-2/evidence/export", "", kNoTeam},
    {"GET /v1/incidents/{id}/checklist", "/v1/incidents/INC-1/checklist", "", kAll404},
    {"POST /v1/incidents/{id}/checklist/{item}", "/v1/incidents/INC-1/checklist/contain",
     R"({"done":true})", kInput409},
    {"GET /v1/incidents/{id}/security-report", "/v1/incidents/INC-1/security-report", "", kAll404},
    {"PUT /v1/incidents/{id}/security-report",
     "/v1/incidents/INC-1/security-report",
     R"({"summary":"s"})",
     {422, 422, 422, 404, 404, 422, 422, 401}},
    // ---- summary, reviews, follow-ups, reports ----
    {"PUT /v1/incidents/{id}/summary", "/v1/incidents/INC-1/summary", R"({"impact":"i"})",
     kInput409},
    {"GET /v1/incidents/{id}/summary", "/v1/incidents/INC-1/summary", "", kAll404},
    {"POST /v1/incidents/{id}/review", "/v1/incidents/INC-1/review", "", kInput409},
    {"GET /v1/incidents/{id}/review", "/v1/incidents/INC-1/review", "", kRead, Before::kReview},
    {"PUT /v1/incidents/{id}/review", "/v1/incidents/INC-1/review", R"({"notes":"n"})", kRespond,
     Before::kReview},
    {"GET /v1/incidents/{id}/review.md", "/v1/incidents/INC-1/review.md", "", kRead,
     Before::kReview},
    {"POST /v1/incidents/{id}/review/publish", "/v1/incidents/INC-1/review/publish", "", kRespond,
     Before::kReview},
    {"GET /v1/followups", "/v1/followups", "", kReadAll},
    {"POST /v1/followups",
     "/v1/followups",
     R"({"title":"t","owner":"rita","due":"2026-12-01","service":"checkout"})",
     {201, 201, 201, 404, 404, 201, 201, 401}},
    {"POST /v1/followups",
     "/v1/followups",
     R"({"title":"t","owner":"rita","due":"2026-12-01"})",
     {201, 403, 403, 403, 403, 201, 403, 401}},
    {"PATCH /v1/followups/{id}", "/v1/followups/1", R"({"status":"done"})", kRespond,
     Before::kFollowup},
    {"GET /v1/reports/response", "/v1/reports/response", "", kReadAll},
    {"GET /v1/reports/pages", "/v1/reports/pages", "", kReadAll},
    // No severity policy is loaded in this world: the report cannot be made (503), for any reader.
    {"GET /v1/reports/compliance",
     "/v1/reports/compliance",
     "",
     {503, 503, 503, 503, 503, 503, 503, 401}},
    // ---- services, tokens, policy, health ----
    {"GET /v1/services", "/v1/services", "", kReadAll},
    {"POST /v1/services", "/v1/services", R"({"id":"new"})", kAdminOnly},
    {"POST /v1/tokens", "/v1/tokens", R"({"name":"t","role":"viewer"})", kAdminOnly},
    {"POST /v1/tokens", "/v1/tokens", R"({"name":"o","role":"owner"})", kAdminOnly},
    {"GET /v1/policy", "/v1/policy", "", {503, 503, 503, 503, 503, 503, 503, 401}},
    {"GET /health", "/health", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET /ready", "/ready", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET /metrics", "/metrics", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET /v1/admin/status", "/v1/admin/status", "", {401, 401, 401, 401, 401, 403, 403, 401}},
    // ---- heartbeats (their service's team; pings: an integration key) ----
    {"POST /v1/heartbeats/{id}/ping", "/v1/heartbeats/hb-loom/ping", "", kRefused401},
    {"GET /v1/heartbeats/{id}/ping", "/v1/heartbeats/hb-loom/ping", "", kRefused401},
    {"POST /v2/heartbeats/{name}/ping", "/v2/heartbeats/hb-loom/ping", "", kRefused401},
    {"GET /v2/heartbeats/{name}/ping", "/v2/heartbeats/hb-loom/ping", "", kRefused401},
    {"GET /v1/heartbeats", "/v1/heartbeats", "", kReadAll},
    {"POST /v1/heartbeats",
     "/v1/heartbeats",
     R"({"id":"hb-new","service":"checkout","interval":"1h"})",
     {201, 201, 403, 400, 400, 403, 403, 401}},
    {"GET /v1/heartbeats/{id}", "/v1/heartbeats/hb-checkout", "", kRead},
    {"PATCH /v1/heartbeats/{id}", "/v1/heartbeats/hb-checkout", R"({"grace":"5m"})", kManage},
    {"PATCH /v1/heartbeats/{id}",
     "/v1/heartbeats/hb-loom",
     R"({"grace":"5m"})",
     {200, 403, 403, 403, 403, 403, 403, 401}},
    {"DELETE /v1/heartbeats/{id}", "/v1/heartbeats/hb-checkout", "", kManage},
    // ---- maintenance windows, drills (server-wide) ----
    {"GET /v1/maintenance", "/v1/maintenance", "", kReadAll},
    {"POST /v1/maintenance",
     "/v1/maintenance",
     R"({"services":["loom"],"reason":"r","end":"2026-11-02T12:00:00Z"})",
     {201, 403, 403, 403, 403, 201, 403, 401}},
    {"GET /v1/maintenance/{id}", "/v1/maintenance/1", "", kReadAll, Before::kMaintenance},
    // A window of checkout only: not shown to those who may not see payments.
    {"GET /v1/maintenance/{id}", "/v1/maintenance/1", "", kRead, Before::kCheckoutMaintenance},
    {"POST /v1/maintenance/{id}/end", "/v1/maintenance/1/end", "", kNoTeam, Before::kMaintenance},
    {"DELETE /v1/maintenance/{id}", "/v1/maintenance/1", "", kNoTeam, Before::kLaterMaintenance},
    {"GET /v1/drills", "/v1/drills", "", kReadAll},
    {"POST /v1/drills",
     "/v1/drills",
     R"({"service":"loom"})",
     {400, 403, 403, 403, 403, 400, 403, 401}},
    {"POST /v1/drills/{id}/finish",
     "/v1/drills/INC-2/finish",
     "",
     {400, 403, 403, 403, 403, 400, 403, 401}},
    {"GET /v1/drills/{id}/notes", "/v1/drills/INC-1/notes", "", kAll404},
    // ---- on call, schedules, overrides (the schedule's team), teams, users ----
    {"GET /v1/oncall", "/v1/oncall?service=checkout", "", kRead},
    {"GET /v1/schedules", "/v1/schedules", "", kReadAll},
    {"GET /v1/schedules/{id}/shifts", "/v1/schedules/pay-primary/shifts", "", kRead},
    {"GET /v1/schedules/{id}/calendar.ics",
     "/v1/schedules/pay-primary/calendar.ics",
     "",
     {401, 401, 401, 401, 401, 200, 200, 401}},
    {"GET /v1/schedules/{id}/overrides", "/v1/schedules/pay-primary/overrides", "", kRead},
    // Taking over tara's shift: rita's own change (and the bound token's, acting as rita).
    {"POST /v1/schedules/{id}/overrides",
     "/v1/schedules/pay-primary/overrides",
     R"({"user":"rita","from":"2026-11-03T09:00:00Z","to":"2026-11-03T12:00:00Z"})",
     {201, 201, 201, 404, 404, 403, 201, 401}},
    // Giving tara's shift to vic: the team admin's (tara's own, too); not rita's.
    {"POST /v1/schedules/{id}/overrides",
     "/v1/schedules/pay-primary/overrides",
     R"({"user":"vic","from":"2026-11-03T12:00:00Z","to":"2026-11-03T15:00:00Z"})",
     {201, 201, 403, 404, 404, 403, 403, 401}},
    // Deleting the override that put rita on call (made by the owner): rita's own.
    {"DELETE /v1/schedules/{id}/overrides/{override_id}",
     "/v1/schedules/pay-primary/overrides/1",
     "",
     {200, 200, 200, 404, 404, 403, 200, 401},
     Before::kOverride},
    {"GET /v1/teams", "/v1/teams", "", kReadAll},
    {"GET /v1/teams/{id}", "/v1/teams/payments", "", kRead},
    {"GET /v1/teams/{id}", "/v1/teams/web", "", kReadAll},
    {"GET /v1/users", "/v1/users", "", kReadAll},
    {"GET /v1/users/{id}/calendar.ics",
     "/v1/users/rita/calendar.ics",
     "",
     {401, 401, 401, 401, 401, 200, 200, 401}},
    // ---- people: accounts, contact methods (the person themself, or an admin) ----
    {"POST /v1/users", "/v1/users", R"({"id":"newbie"})", kAdminOnly},
    {"PUT /v1/users/{id}/password",
     "/v1/users/rita/password",
     R"({"password":"a long enough password"})",
     {200, 403, 400, 403, 403, 403, 400, 401}},
    {"GET /v1/users/{id}/contact-methods", "/v1/users/rita/contact-methods", "", kSelf200},
    {"GET /v1/users/{id}/contact-history", "/v1/users/rita/contact-history", "", kSelf200},
    {"POST /v1/users/{id}/contact-methods",
     "/v1/users/rita/contact-methods",
     R"({"type":"webhook","id":"work","url":"https://hooks.example/rita"})",
     {201, 403, 201, 403, 403, 403, 201, 401}},
    {"DELETE /v1/users/{id}/contact-methods/{mid}", "/v1/users/rita/contact-methods/work", "",
     kSelf200, Before::kContactMethod},
    {"POST /v1/users/{id}/contact-methods/{mid}/verify",
     "/v1/users/rita/contact-methods/work/verify",
     R"({"code":"000000"})",
     {422, 403, 422, 403, 403, 403, 422, 401},
     Before::kContactMethod},
    {"POST /v1/users/{id}/contact-methods/{mid}/send-code",
     "/v1/users/rita/contact-methods/work/send-code",
     "",
     {502, 403, 502, 403, 403, 403, 502, 401},
     Before::kContactMethod},
    {"POST /v1/users/{id}/contact-methods/{mid}/test",
     "/v1/users/rita/contact-methods/work/test",
     "",
     {409, 403, 409, 403, 403, 403, 409, 401},
     Before::kContactMethod},
    {"PUT /v1/users/{id}/notification-rules", "/v1/users/rita/notification-rules",
     R"({"high":[],"low":[]})", kSelf200},
    // ---- provider callbacks: their signature or secret (none configured here: 404) ----
    {"POST /v1/providers/twilio/sms", "/v1/providers/twilio/sms", "", kRefused403},
    {"POST /v1/providers/twilio/sms/status", "/v1/providers/twilio/sms/status", "", kRefused403},
    {"POST /v1/providers/twilio/voice", "/v1/providers/twilio/voice", "", kRefused403},
    {"POST /v1/providers/twilio/voice/status", "/v1/providers/twilio/voice/status", "",
     kRefused403},
    {"POST /v1/providers/pushover/callback", "/v1/providers/pushover/callback", "", kRefused403},
    {"POST /v1/providers/telegram", "/v1/providers/telegram", "{}", kRefused403},
    {"POST /v1/providers/mattermost/action", "/v1/providers/mattermost/action", "{}", kRefused403},
    // ---- one-click links, reset links: the link is the credential ----
    {"GET /a/{token}", "/a/forged", "", kForged404},
    {"POST /a/{token}", "/a/forged", "", kForged404},
    {"GET /ui/reset/{user}/{token}",
     "/ui/reset/rita/forged",
     "",
     {200, 200, 200, 200, 200, 200, 200, 200}},
    {"POST /ui/reset/{user}/{token}",
     "/ui/reset/rita/forged",
     "password=a+long+enough+password&confirm=a+long+enough+password",
     {410, 410, 410, 410, 410, 410, 410, 410}},
    // ---- the console: its files, sign-in, sessions ----
    {"GET /", "/", "", {302, 302, 302, 302, 302, 302, 302, 302}},
    {"GET /ui", "/ui", "", {302, 302, 302, 302, 302, 302, 302, 302}},
    {"GET /ui/", "/ui/", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET /ui/{file}", "/ui/app.css", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET /ui/auth/methods", "/ui/auth/methods", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET /ui/auth/oidc/start",
     "/ui/auth/oidc/start",
     "",
     {404, 404, 404, 404, 404, 404, 404, 404}},
    {"GET /ui/auth/oidc/callback",
     "/ui/auth/oidc/callback?code=c&state=s",
     "",
     {404, 404, 404, 404, 404, 404, 404, 404}},
    {"POST /ui/login", "/ui/login", R"({"user":"rita","password":"not her password"})",
     kRefused401},
    {"POST /ui/password-reset",
     "/ui/password-reset",
     R"({"user":"rita"})",
     {202, 202, 202, 202, 202, 202, 202, 202}},
    {"GET /ui/session", "/ui/session", "", {200, 200, 200, 200, 200, 401, 401, 401}},
    {"POST /ui/session",
     "/ui/session",
     R"({"token":"loo_matrix_responder"})",
     {200, 200, 200, 200, 200, 200, 200, 200}},
    {"DELETE /ui/session", "/ui/session", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"POST /ui/logout", "/ui/logout", "", {200, 200, 200, 200, 200, 200, 200, 200}},
    {"POST /ui/logout-everywhere",
     "/ui/logout-everywhere",
     "",
     {200, 200, 200, 200, 200, 401, 401, 401}},
};

// gtest prints a row by its route and request.
void PrintTo(const Row& row, std::ostream* os) { *os << row.route << " (" << row.target << ")"; }

std::string RouteOf(const Api::RouteEntry& r) {
  return std::string(MethodName(r.method)) + " " + r.pattern;
}

const std::map<std::string, RouteAccess>& AccessByRoute() {
  static const std::map<std::string, RouteAccess> by_route = [] {
    std::map<std::string, RouteAccess> m;
    for (const Api::RouteEntry& r : Api::RouteTable()) m.emplace(RouteOf(r), r.access);
    return m;
  }();
  return by_route;
}

Method MethodOf(const std::string& route) {
  for (Method m : {Method::kGet, Method::kPost, Method::kPut, Method::kPatch, Method::kDelete}) {
    if (route.starts_with(std::string(MethodName(m)) + " ")) return m;
  }
  return Method::kOther;
}

TEST(RoleMatrixRoutesTest, EveryRouteOfTheTableHasARowAndEveryRowARoute) {
  std::set<std::string> rows;
  for (const Row& row : kRows) {
    rows.insert(row.route);
    EXPECT_EQ(AccessByRoute().count(row.route), 1u) << "a row of no route: " << row.route;
  }
  for (const Api::RouteEntry& r : Api::RouteTable()) {
    EXPECT_EQ(rows.count(RouteOf(r)), 1u) << "a route without a row: " << RouteOf(r);
  }
}

// The routes of an integration key refuse every caller of the matrix (above) and accept the
// service's key, whoever sends it.
TEST(RoleMatrixRoutesTest, IntegrationKeyRoutesAcceptTheServicesKey) {
  World world;
  world.Build();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  Response r = world.Send("key-loom", Method::kPost, "/v1/integrations/generic",
                          R"({"summary":"s","severity":"error"})");
  EXPECT_EQ(r.status, 202) << r.body;
  r = world.Send("key-loom", Method::kPost, "/v1/heartbeats/hb-loom/ping", "");
  EXPECT_EQ(r.status, 202) << r.body;
  // Another service's key is no key for this heartbeat.
  r = world.Send("key-checkout", Method::kPost, "/v1/heartbeats/hb-loom/ping", "");
  EXPECT_EQ(r.status, 404) << r.body;
}

// The global role of each caller (the people of the world have none but olive's; the bound
// token acts as rita with at most responder).
constexpr Role kGlobalRole[kWhoCount] = {Role::kOwner,  Role::kViewer,  Role::kViewer,
                                         Role::kViewer, Role::kViewer,  Role::kResponder,
                                         Role::kViewer, Role::kCalendar};

class RoleMatrixRoutesTest : public ::testing::TestWithParam<Row> {
 protected:
  // A world with the row's setup made by the owner.
  std::unique_ptr<World> NewWorld(Before setup) {
    auto world = std::make_unique<World>();
    world->Build();
    if (::testing::Test::HasFatalFailure()) return nullptr;
    auto made = [&](Method method, const std::string& target, const std::string& body) {
      Response r = world->Call(kOwner, method, target, body);
      EXPECT_LT(r.status, 300) << target << ": " << r.body;
    };
    switch (setup) {
      case Before::kNone: break;
      case Before::kFollowup:
        made(Method::kPost, "/v1/followups",
             R"({"title":"t","owner":"rita","due":"2026-12-01","service":"checkout"})");
        break;
      case Before::kMaintenance:
        made(Method::kPost, "/v1/maintenance",
             R"({"services":["loom"],"reason":"r","end":"2026-11-02T12:00:00Z"})");
        break;
      case Before::kCheckoutMaintenance:
        made(Method::kPost, "/v1/maintenance",
             R"({"services":["checkout"],"reason":"r","end":"2026-11-02T12:00:00Z"})");
        break;
      case Before::kLaterMaintenance:
        made(
            Method::kPost, "/v1/maintenance",
            R"({"services":["loom"],"reason":"r","start":"2026-11-05T09:00:00Z","end":"2026-11-05T12:00:00Z"})");
        break;
      case Before::kOverride:
        made(Method::kPost, "/v1/schedules/pay-primary/overrides",
             R"({"user":"rita","from":"2026-11-03T09:00:00Z","to":"2026-11-03T12:00:00Z"})");
        break;
      case Before::kReview:  // a closed incident with a final summary, and its review's draft
        made(Method::kPost, "/v1/incidents/INC-1/resolve", "");
        made(
            Method::kPut, "/v1/incidents/INC-1/summary",
            R"({"root_cause":"r","customer_impact":"c","remediation":"m","followups":[],"no_followups_reason":"none needed"})");
        made(Method::kPost, "/v1/incidents/INC-1/close", "");
        made(Method::kPost, "/v1/incidents/INC-1/review", "");
        break;
      case Before::kContactMethod:
        made(Method::kPost, "/v1/users/rita/contact-methods",
             R"({"type":"webhook","id":"work","url":"https://hooks.example/rita"})");
        break;
    }
    return world;
  }
};

TEST_P(RoleMatrixRoutesTest, EachCallerGetsTheDocumentedAnswer) {
  const Row& row = GetParam();
  const std::string route = row.route;
  ASSERT_EQ(AccessByRoute().count(route), 1u) << route;
  const RouteAccess access = AccessByRoute().at(route);
  const Method method = MethodOf(route);
  // A read is asked of one world; anything else of a fresh world for each caller.
  std::unique_ptr<World> shared = method == Method::kGet ? NewWorld(row.setup) : nullptr;
  Statuses got{};
  std::string bodies[kWhoCount];
  for (int who = 0; who < kWhoCount; ++who) {
    std::unique_ptr<World> fresh = shared ? nullptr : NewWorld(row.setup);
    ASSERT_FALSE(HasFatalFailure());
    World& world = shared ? *shared : *fresh;
    Response r = world.Call(static_cast<Who>(who), method, row.target, row.body);
    got[who] = r.status;
    bodies[who] = r.body;
  }
  std::ostringstream line;
  for (int who = 0; who < kWhoCount; ++who) line << (who ? ", " : "{") << got[who];
  line << "}";
  for (int who = 0; who < kWhoCount; ++who) {
    EXPECT_EQ(got[who], row.expect[who])
        << route << " (" << row.target << ") as " << kWhoNames[who] << ": " << bodies[who]
        << "\n  the row's answers: " << line.str();
    if (got[who] == 403 && access.CheckedByRouter()) {
      // A refusal names what is needed.
      EXPECT_NE(bodies[who].find("needs role"), std::string::npos) << route << ": " << bodies[who];
    }
  }
  // The table's access agrees with the answers: nobody is refused (401) where the router checks;
  // a server-wide route refuses exactly the callers below its role (403).
  if (access.CheckedByRouter()) {
    EXPECT_EQ(got[kNobody], 401) << route;
  }
  if (access.credential == Credential::kCaller && access.scope == Scope::kServer) {
    for (int who = 0; who < kNobody; ++who) {
      const bool below = !RoleAllows(kGlobalRole[who], access.role);
      EXPECT_EQ(got[who] == 403, below) << route << " as " << kWhoNames[who] << ": " << got[who];
    }
  }
  if (access.credential == Credential::kCaller && access.scope == Scope::kTeam) {
    // A caller whose global role suffices is never refused on a team's resource.
    for (int who = 0; who < kNobody; ++who) {
      if (RoleAllows(kGlobalRole[who], access.role)) {
        EXPECT_NE(got[who], 403) << route << " as " << kWhoNames[who];
        EXPECT_NE(got[who], 401) << route << " as " << kWhoNames[who];
      }
    }
  }
}

std::string RowName(const ::testing::TestParamInfo<Row>& info) {
  std::string name = std::to_string(info.index) + "_" + info.param.route;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllRoutes, RoleMatrixRoutesTest, ::testing::ValuesIn(kRows), RowName);

}  // namespace
}  // namespace loom::http::matrix
