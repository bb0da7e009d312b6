// The Api without sockets on the real store (api_test_support.h): services and their keys, API
// tokens, routing answers, health, readiness, /metrics and the admin status.
#include <gtest/gtest.h>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

using AdminApiTest = StoreApiTest;

TEST_F(AdminApiTest, CreateServiceReturnsTheKeyOnce) {
  auto r = Call(Method::kPost, "/v1/services", R"({"id":"db","name":"Database"})", kAdminToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  json j = Body(*r);
  EXPECT_EQ(j["id"], "db");
  EXPECT_EQ(j["name"], "Database");
  std::string key = j["integration_key"];
  EXPECT_EQ(key.size(), 32u);
  // The store keeps the key's hash, for service db.
  Result<std::optional<IntegrationKey>> stored = store_->FindIntegrationKey(Sha256Hex(key));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->service_id, "db");
  // The new key works at once.
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(key))->response->status, 202);
  EXPECT_EQ(StoredAlerts().at(0).service_id, "db");
  // A duplicate is a conflict; a responder may not create services.
  EXPECT_EQ(Call(Method::kPost, "/v1/services", R"({"id":"db"})", kAdminToken)->response->status,
            409);
  EXPECT_EQ(Call(Method::kPost, "/v1/services", R"({"id":"x"})", kResponderToken)->response->status,
            403);
  EXPECT_EQ(
      Call(Method::kPost, "/v1/services", R"({"id":"Bad Id"})", kAdminToken)->response->status,
      400);
  EXPECT_FALSE(store_->GetService("x").value().has_value());
  EXPECT_EQ(store_->GetService("db").value()->name, "Database");
}

TEST_F(AdminApiTest, CreateServiceWithSettings) {
  auto r = Call(Method::kPost, "/v1/services",
                R"({"id":"db","settings":{"rate_limit_per_minute":60,"auto_resolve":true,
                    "severity_map":{"p1":"sev1"}}})",
                kAdminToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  Result<std::optional<Service>> stored = store_->GetService("db");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  const Service &s = **stored;
  EXPECT_EQ(s.name, "db");
  EXPECT_EQ(s.settings.rate_limit_per_minute, 60);
  EXPECT_TRUE(s.settings.auto_resolve);
  EXPECT_EQ(s.settings.severity_map.Map("p1"), Severity::kSev1);
  r = Call(Method::kPost, "/v1/services", R"({"id":"db2","settings":{"rate_limit_per_minute":-1}})",
           kAdminToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_FALSE(store_->GetService("db2").value().has_value());
}

TEST_F(AdminApiTest, CreateToken) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto r = Call(Method::kPost, "/v1/tokens", R"({"name":"ci2","role":"responder"})", kAdminToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  json j = Body(*r);
  std::string token = j["token"];
  EXPECT_EQ(token.rfind("loo_", 0), 0u);
  EXPECT_EQ(token.size(), 4u + 48u);
  EXPECT_EQ(j["name"], "ci2");
  EXPECT_EQ(j["role"], "responder");
  EXPECT_TRUE(j.contains("id"));
  EXPECT_TRUE(j.contains("created_at"));
  // The new token authenticates, as itself.
  EXPECT_EQ(Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", {}, token)->response->status,
            200);
  ASSERT_TRUE(LastEvent(1, "incident.acknowledged").has_value());
  EXPECT_EQ(LastEvent(1, "incident.acknowledged")->actor, "token:ci2");
  EXPECT_EQ(Call(Method::kPost, "/v1/tokens", R"({"name":"x","role":"root"})", kAdminToken)
                ->response->status,
            400);
  EXPECT_EQ(Call(Method::kPost, "/v1/tokens", R"({"name":"x","role":"viewer"})", kViewerToken)
                ->response->status,
            403);
}

TEST_F(AdminApiTest, TokenNamesAreOneLineOfPrintableText) {
  // The name becomes the actor "token:<name>" on timelines and in logs.
  for (const char *body :
       {R"({"name":"ci\nforged line","role":"viewer"})",
        R"({"name":"ci\u0000nul","role":"viewer"})", R"({"name":"tab\there","role":"viewer"})",
        R"({"name":"del\u007f","role":"viewer"})",
        R"({"name":"c1\u0085next line","role":"viewer"})"}) {
    auto r = Call(Method::kPost, "/v1/tokens", body, kAdminToken);
    ASSERT_EQ(r->response->status, 400) << body;
    json j = Body(*r);
    ASSERT_EQ(j["errors"].size(), 1u) << j.dump();
    EXPECT_EQ(j["errors"][0]["pointer"], "/name");
    EXPECT_EQ(j["errors"][0]["detail"],
              "must not contain control characters (newline, tab, NUL, ...)");
  }
  // Letters of any script, spaces and punctuation are fine.
  auto r = Call(Method::kPost, "/v1/tokens", R"({"name":"CI – Zürich #2","role":"viewer"})",
                kAdminToken);
  EXPECT_EQ(r->response->status, 201) << r->response->body;
  EXPECT_EQ(Body(*r)["name"], "CI – Zürich #2");
}

TEST_F(AdminApiTest, UnknownRouteAndWrongMethod) {
  auto r = Call(Method::kGet, "/v1/nothing");
  EXPECT_EQ(r->response->status, 404);
  EXPECT_EQ(r->response->content_type, "application/problem+json");
  r = Call(Method::kGet, "/v2/enqueue");
  EXPECT_EQ(r->response->status, 405);
  EXPECT_EQ(r->response->allow, "POST");
}

TEST_F(AdminApiTest, HealthAndReady) {
  auto r = Call(Method::kGet, "/health");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r)["ok"], true);
  EXPECT_EQ(Body(*r)["version"], "0.1.0");
  r = Call(Method::kGet, "/ready");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r), json::parse(R"({"ok":true,"checks":{"http":"ok","store":"ok"}})"));
  // A store that takes no writes any more: not ready.
  store_->Shutdown();
  r = Call(Method::kGet, "/ready");
  EXPECT_EQ(r->response->status, 503);
  EXPECT_EQ(Body(*r)["checks"]["store"], "error");
}

TEST_F(AdminApiTest, MetricsEndpoint) {
  ASSERT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  auto r = Call(Method::kGet, "/metrics");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(r->response->content_type, "text/plain; version=0.0.4");
  EXPECT_NE(r->response->body.find("loom_oncall_events_total{endpoint=\"pagerduty\","
                                   "result=\"accepted\",reason=\"ok\"} 1"),
            std::string::npos);
  // The critical event opened one sev1 incident.
  EXPECT_NE(r->response->body.find("loom_oncall_incidents_open{severity=\"sev1\"} 1"),
            std::string::npos)
      << r->response->body;
  EXPECT_NE(r->response->body.find("loom_oncall_incidents_open{severity=\"sev2\"} 0"),
            std::string::npos);
}

TEST_F(AdminApiTest, AdminStatusAcceptsTheAdminHeader) {
  ASSERT_EQ(Trigger("disk", Severity::kSev1), 1);
  EXPECT_EQ(Call(Method::kGet, "/v1/admin/status")->response->status, 401);
  EXPECT_EQ(Call(Method::kGet, "/v1/admin/status", {}, kViewerToken)->response->status, 403);
  Request req = RequestTo(Method::kGet, "/v1/admin/status", {}, {});
  req.admin_token = kAdminToken;
  auto r = Send(req);
  ASSERT_EQ(r->response->status, 200);
  json j = Body(*r);
  EXPECT_EQ(j["version"], "0.1.0");
  EXPECT_TRUE(j["uptime_seconds"].is_number());
  EXPECT_EQ(j["store"]["writable"], true);
  EXPECT_EQ(j["incidents_open"]["sev1"], 1);
  EXPECT_EQ(j["incidents_open"]["sev2"], 0);
  EXPECT_EQ(j["events"]["pagerduty"]["ok"], 0);
  EXPECT_EQ(Call(Method::kGet, "/v1/admin/status", {}, kAdminToken)->response->status, 200);
}

}  // namespace
}  // namespace loom::http
