// The Api without sockets (api_test_support.h): ingest, incidents, services, tokens, health.
#include <gtest/gtest.h>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

TEST_F(ApiTest, PagerDutyTriggerIsAcceptedWithDedupKey) {
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey, "trigger", R"("dedup_key":"k1",)"));
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 202);
  EXPECT_EQ(Body(*r),
            (json{{"status", "success"}, {"message", "Event processed"}, {"dedup_key", "k1"}}));
  ASSERT_EQ(store_.ingested.size(), 1u);
  const IngestRequest& req = store_.ingested[0];
  EXPECT_EQ(req.service_id, "loom");
  EXPECT_EQ(req.integration_key_id, 11);
  ASSERT_EQ(req.alerts.size(), 1u);
  EXPECT_EQ(req.alerts[0].severity, Severity::kSev1);
  EXPECT_EQ(api_.metrics().EventCount("pagerduty", EventOutcome::kAccepted), 1);
}

TEST_F(ApiTest, PagerDutyGeneratedDedupKeyIsReturned) {
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  ASSERT_EQ(r->response->status, 202);
  std::string key = Body(*r)["dedup_key"];
  EXPECT_FALSE(key.empty());
  EXPECT_EQ(key, store_.ingested[0].dedup_key);
}

TEST_F(ApiTest, PagerDutyUnknownRoutingKeyIsInvalidEvent) {
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent("ffffffffffffffffffffffffffffffff"));
  EXPECT_EQ(r->response->status, 400);
  json j = Body(*r);
  EXPECT_EQ(j["status"], "invalid event");
  EXPECT_EQ(j["message"], "Event object is invalid");
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_NE(j["errors"][0].get<std::string>().find("routing_key"), std::string::npos);
  EXPECT_TRUE(store_.ingested.empty());
  EXPECT_EQ(api_.metrics().EventCount("pagerduty", EventOutcome::kUnknownKey), 1);
}

TEST_F(ApiTest, PagerDutyMalformedJson) {
  auto r = Call(Method::kPost, "/v2/enqueue", "{nope");
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["status"], "invalid event");
  EXPECT_EQ(api_.metrics().EventCount("pagerduty", EventOutcome::kInvalid), 1);
}

TEST_F(ApiTest, PagerDutyRateLimitPerKey) {
  store_.services["loom"].settings.rate_limit_per_minute = 2;
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  EXPECT_EQ(r->response->status, 429);
  EXPECT_EQ(Body(*r)["status"], "throttle exceeded");
  EXPECT_EQ(r->response->retry_after_seconds, 30);
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  EXPECT_EQ(api_.metrics().EventCount("pagerduty", EventOutcome::kThrottled), 1);
}

TEST_F(ApiTest, PagerDutyStoreUnavailableIs503) {
  store_.ingest_error = Error::Unavailable("writer queue is full");
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  EXPECT_EQ(r->response->status, 503);
  EXPECT_EQ(Body(*r)["status"], "unavailable");
  EXPECT_EQ(api_.metrics().EventCount("pagerduty", EventOutcome::kUnavailable), 1);
}

TEST_F(ApiTest, IntegrationKeysAreCached) {
  for (int i = 0; i < 5; ++i) Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  EXPECT_EQ(store_.key_lookups, 1);
  clock_.Advance(std::chrono::seconds(10));  // past the TTL
  Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  EXPECT_EQ(store_.key_lookups, 2);
}

TEST_F(ApiTest, ReplyWaitsForTheStoreCallback) {
  store_.hold = true;
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey, "trigger", R"("dedup_key":"k9",)"));
  EXPECT_EQ(r->sends, 0);
  ASSERT_EQ(store_.held_ingest.size(), 1u);
  IngestOutcome out;
  out.dedup_key = "k9";
  store_.held_ingest[0](out);
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 202);
}

TEST_F(ApiTest, ChangeEvent) {
  auto r = Call(Method::kPost, "/v2/change/enqueue",
                R"({"routing_key":")" + std::string(kKey) +
                    R"(","payload":{"summary":"deploy 1.2","source":"ci"}})");
  EXPECT_EQ(r->response->status, 202);
  EXPECT_EQ(Body(*r), (json{{"status", "success"}, {"message", "Change event processed"}}));
  ASSERT_EQ(store_.changes.size(), 1u);
  EXPECT_EQ(store_.changes[0].service_id, "loom");
}

TEST_F(ApiTest, AlertmanagerNeedsAKey) {
  auto r = Call(Method::kPost, "/v1/integrations/alertmanager", "{}");
  EXPECT_EQ(r->response->status, 401);
  EXPECT_EQ(r->response->content_type, "application/problem+json");
  r = Call(Method::kPost, "/v1/integrations/alertmanager?key=ffff", "{}");
  EXPECT_EQ(r->response->status, 401);
}

constexpr char kAmPayload[] = R"({"version":"4","groupKey":"{}:{alertname=\"X\"}",
  "status":"firing","receiver":"r","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
  "externalURL":"http://am","truncatedAlerts":0,
  "alerts":[{"status":"firing","labels":{"alertname":"X","severity":"critical"},
  "annotations":{"summary":"x down"},"startsAt":"2026-11-27T10:45:33.123456789Z",
  "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://p","fingerprint":"0123456789abcdef"}]})";

TEST_F(ApiTest, AlertmanagerWithQueryKey) {
  auto r =
      Call(Method::kPost, "/v1/integrations/alertmanager?key=" + std::string(kKey), kAmPayload);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(Body(*r), (json{{"status", "success"}, {"incident", "INC-3"}}));
  EXPECT_EQ(store_.ingested.at(0).service_id, "loom");
}

TEST_F(ApiTest, AlertmanagerOverloadIs503NotA4xx) {
  store_.ingest_error = Error{ErrorCode::kResourceExhausted, "full", {}};
  auto r = Call(Method::kPost, "/v1/integrations/alertmanager", kAmPayload, kKey);
  EXPECT_EQ(r->response->status, 503);
  store_.services["loom"].settings.rate_limit_per_minute = 1;
  store_.ingest_error.reset();
  api_.InvalidateKeyCache();
  EXPECT_EQ(
      Call(Method::kPost, "/v1/integrations/alertmanager", kAmPayload, kKey)->response->status,
      200);
  r = Call(Method::kPost, "/v1/integrations/alertmanager", kAmPayload, kKey);
  EXPECT_EQ(r->response->status, 503);
  EXPECT_GE(r->response->retry_after_seconds, 1);
}

TEST_F(ApiTest, AlertmanagerBadPayloadIs400) {
  auto r = Call(Method::kPost, "/v1/integrations/alertmanager", R"({"version":"3"})", kKey);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(r->response->content_type, "application/problem+json");
}

TEST_F(ApiTest, GenericEvent) {
  auto r = Call(Method::kPost, "/v1/integrations/generic",
                R"({"summary":"queue lag","severity":"warning","dedup_key":"lag"})", kKey);
  ASSERT_EQ(r->response->status, 202) << r->response->body;
  EXPECT_EQ(Body(*r), (json{{"status", "success"}, {"dedup_key", "lag"}, {"incident", "INC-3"}}));
  EXPECT_EQ(store_.ingested.at(0).alerts.at(0).severity, Severity::kSev3);
}

TEST_F(ApiTest, ListIncidentsNeedsAToken) {
  auto r = Call(Method::kGet, "/v1/incidents");
  EXPECT_EQ(r->response->status, 401);
  r = Call(Method::kGet, "/v1/incidents", {}, "loo_unknown");
  EXPECT_EQ(r->response->status, 401);
  EXPECT_EQ(Body(*r)["type"], "https://loom-oncall.dev/problems/unauthenticated");
}

TEST_F(ApiTest, ListIncidentsPassesFilters) {
  auto r = Call(Method::kGet,
                "/v1/incidents?state=acknowledged&severity=sev2&service=loom&open=true&limit=5"
                "&cursor=40",
                {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  const IncidentFilter& f = *store_.last_filter;
  EXPECT_EQ(f.state, IncidentState::kAcknowledged);
  EXPECT_EQ(f.severity, Severity::kSev2);
  EXPECT_EQ(f.service_id, "loom");
  EXPECT_TRUE(f.open_only);
  EXPECT_EQ(f.limit, 5);
  EXPECT_EQ(f.before_number, 40);
  EXPECT_EQ(f.drill, std::nullopt);  // drills are listed (marked) unless filtered
  json j = Body(*r);
  EXPECT_EQ(j["incidents"][0]["id"], "INC-20");
  EXPECT_EQ(j["next"], "20");

  r = Call(Method::kGet, "/v1/incidents?drill=false", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(store_.last_filter->drill, false);
  r = Call(Method::kGet, "/v1/incidents?drill=maybe", {}, kViewerToken);
  EXPECT_EQ(r->response->status, 400);
}

TEST_F(ApiTest, ListIncidentsRejectsBadQueryValues) {
  for (const char* bad : {"limit=0", "limit=501", "limit=x", "state=open", "severity=high",
                          "open=maybe", "cursor=-1"}) {
    auto r = Call(Method::kGet, std::string("/v1/incidents?") + bad, {}, kViewerToken);
    ASSERT_EQ(r->response->status, 400) << bad;
    json j = Body(*r);
    std::string name = std::string(bad).substr(0, std::string(bad).find('='));
    ASSERT_EQ(j["errors"].size(), 1u) << bad;
    EXPECT_EQ(j["errors"][0]["pointer"], "/query/" + name) << bad;
  }
  EXPECT_FALSE(store_.last_filter.has_value());
}

TEST_F(ApiTest, GetIncident) {
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-20", {}, kViewerToken)->response->status, 200);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/20", {}, kViewerToken)->response->status, 200);
  auto r = Call(Method::kGet, "/v1/incidents/INC-21", {}, kViewerToken);
  EXPECT_EQ(r->response->status, 404);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/bogus", {}, kViewerToken)->response->status, 404);
  json j = Body(*Call(Method::kGet, "/v1/incidents/INC-20", {}, kViewerToken));
  EXPECT_TRUE(j["timeline"].is_array());
  EXPECT_TRUE(j["alerts"].is_array());
}

TEST_F(ApiTest, ActionsNeedTheResponderRole) {
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", {}, kViewerToken);
  EXPECT_EQ(r->response->status, 403);
  EXPECT_EQ(Body(*r)["type"], "https://loom-oncall.dev/problems/permission-denied");
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(ApiTest, AcknowledgeRecordsTheActor) {
  auto r = Call(Method::kPost, "/v1/incidents/INC-4/acknowledge", R"({"note":"on it"})",
                kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  ASSERT_EQ(store_.commands.size(), 1u);
  EXPECT_EQ(store_.commands[0].type, IncidentCommand::Type::kAcknowledge);
  EXPECT_EQ(store_.commands[0].incident_number, 4);
  EXPECT_EQ(store_.commands[0].actor, "token:ci");
  EXPECT_EQ(store_.commands[0].note, "on it");
  EXPECT_EQ(Body(*r)["id"], "INC-4");
}

TEST_F(ApiTest, BootstrapAdminIsTokenAdmin) {
  auto r = Call(Method::kPost, "/v1/incidents/INC-4/resolve", {}, kAdminToken);
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(store_.commands.at(0).actor, "token:admin");
}

TEST_F(ApiTest, ActionBodyValidation) {
  auto r = Call(Method::kPost, "/v1/incidents/INC-4/severity", R"({"severity":"sev9"})",
                kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/severity");
  r = Call(Method::kPost, "/v1/incidents/INC-4/commander", "{}", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/commander");
  r = Call(Method::kPost, "/v1/incidents/INC-4/notes", R"({"note":""})", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  r = Call(Method::kPost, "/v1/incidents/INC-4/acknowledge", "[1]", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_TRUE(store_.commands.empty());

  r = Call(Method::kPost, "/v1/incidents/INC-4/severity", R"({"severity":"sev1"})",
           kResponderToken);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(store_.commands.at(0).severity, Severity::kSev1);
}

TEST_F(ApiTest, NotificationsListTheOutboxOfAnIncident) {
  OutboxEntry e;
  e.id = 1;
  e.unique_key = "INC-20/arm1/step0/page/alice";
  e.step = 0;
  e.role = "primary";
  e.recipient = "alice";
  e.channel = "page";
  e.method = "mail";
  e.method_type = "email";
  e.payload_json = R"({"title":"db down"})";
  store_.notifications.push_back(e);
  auto r = Call(Method::kGet, "/v1/incidents/INC-20/notifications", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json j = Body(*r);
  EXPECT_EQ(j["incident"], "INC-20");
  ASSERT_EQ(j["notifications"].size(), 1u);
  EXPECT_EQ(j["notifications"][0]["user"], "alice");
  EXPECT_EQ(j["notifications"][0]["kind"], "page");
  EXPECT_EQ(j["notifications"][0]["method"], "mail");
  EXPECT_EQ(j["notifications"][0]["type"], "email");
  EXPECT_EQ(j["notifications"][0]["role"], "primary");
  EXPECT_EQ(j["notifications"][0]["state"], "pending");
  EXPECT_EQ(j["notifications"][0]["details"]["title"], "db down");
  EXPECT_EQ(
      Call(Method::kGet, "/v1/incidents/INC-21/notifications", {}, kViewerToken)->response->status,
      404);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-20/notifications")->response->status, 401);
}

TEST_F(ApiTest, ReassignNeedsAUser) {
  auto r = Call(Method::kPost, "/v1/incidents/INC-4/reassign", "{}", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/user");
  r = Call(Method::kPost, "/v1/incidents/INC-4/reassign", R"({"user":"bob"})", kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(store_.commands.at(0).type, IncidentCommand::Type::kReassign);
  EXPECT_EQ(store_.commands.at(0).assignee, "bob");
}

TEST_F(ApiTest, UnacknowledgeIsAResponderCommand) {
  auto r = Call(Method::kPost, "/v1/incidents/INC-4/unacknowledge", {}, kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(store_.commands.at(0).type, IncidentCommand::Type::kUnacknowledge);
}

TEST_F(ApiTest, StatusUpdatesNeedAllFourFieldsEachNamedIn422) {
  auto r = Call(Method::kPost, "/v1/incidents/INC-20/updates", "{}", kResponderToken);
  EXPECT_EQ(r->response->status, 422);
  json j = Body(*r);
  ASSERT_EQ(j["errors"].size(), 4u) << j.dump();
  EXPECT_EQ(j["errors"][0]["pointer"], "/impact");
  EXPECT_EQ(j["errors"][1]["pointer"], "/scope");
  EXPECT_EQ(j["errors"][2]["pointer"], "/mitigation");
  EXPECT_EQ(j["errors"][3]["pointer"], "/next_update_at");
  // One missing field (blank counts as missing) is the only one named.
  r = Call(Method::kPost, "/v1/incidents/INC-20/updates",
           R"({"impact":"x","scope":" ","mitigation":"m","next_update_at":"2026-11-02T09:10:00Z"})",
           kResponderToken);
  EXPECT_EQ(r->response->status, 422);
  j = Body(*r);
  ASSERT_EQ(j["errors"].size(), 1u) << j.dump();
  EXPECT_EQ(j["errors"][0]["pointer"], "/scope");
  r = Call(Method::kPost, "/v1/incidents/INC-20/updates",
           R"({"impact":"x","scope":"s","mitigation":"m","next_update_at":"soon"})",
           kResponderToken);
  EXPECT_EQ(r->response->status, 422);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/next_update_at");
  EXPECT_TRUE(store_.commands.empty());

  r = Call(Method::kPost, "/v1/incidents/INC-20/updates",
           R"({"impact":"EU users","scope":"messaging","mitigation":"failover",)"
           R"("next_update_at":"2026-11-02T09:10:00Z"})",
           kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  const IncidentCommand& c = store_.commands.at(0);
  EXPECT_EQ(c.type, IncidentCommand::Type::kStatusUpdate);
  EXPECT_EQ(c.impact, "EU users");
  EXPECT_EQ(c.scope, "messaging");
  EXPECT_EQ(c.mitigation, "failover");
  ASSERT_TRUE(c.next_update_at.has_value());
}

TEST_F(ApiTest, AStatusUpdateCannotPromiseLaterThanTheCadence) {
  Result<SeverityPolicy> policy = BuildSeverityPolicy(BuiltInRunbook(), kBuiltInRunbookName, {});
  ASSERT_TRUE(policy.ok());
  Api api(store_, clock_, Sha256Hex(kAdminToken), ApiOptions{},
          std::make_shared<const SeverityPolicy>(*policy));
  auto send = [&](std::string_view body) {
    Request req;
    req.method = Method::kPost;
    req.target = req.path = "/v1/incidents/INC-20/updates";
    std::string auth = "Bearer " + std::string(kResponderToken);
    req.authorization = auth;
    req.body = body;
    auto reply = std::make_shared<RecordingReply>();
    api.Handle(api.Match(req.method, req.path), req, reply);
    return reply;
  };
  // INC-20 is a Sev2: an update every 30 minutes (clock: 2026-11-02T09:00Z).
  auto r = send(R"({"impact":"x","scope":"s","mitigation":"m",)"
                R"("next_update_at":"2026-11-02T11:00:00Z"})");
  EXPECT_EQ(r->response->status, 422) << r->response->body;
  EXPECT_NE(r->response->body.find(R"("pointer":"/next_update_at")"), std::string::npos)
      << r->response->body;
  r = send(
      R"({"impact":"x","scope":"s","mitigation":"m","next_update_at":"2026-11-02T09:20:00Z"})");
  EXPECT_EQ(r->response->status, 200) << r->response->body;
}

TEST_F(ApiTest, ConflictFromTheStoreIs409) {
  store_.execute_error = Error::Conflict("INC-4 is triggered; acknowledge it first");
  auto r = Call(Method::kPost, "/v1/incidents/INC-4/mitigate", {}, kResponderToken);
  EXPECT_EQ(r->response->status, 409);
  json j = Body(*r);
  EXPECT_EQ(j["detail"], "INC-4 is triggered; acknowledge it first");
  EXPECT_EQ(j["instance"], "/v1/incidents/INC-4/mitigate");
}

TEST_F(ApiTest, ListAlertsValidatesStatus) {
  auto r = Call(Method::kGet, "/v1/alerts?status=open", {}, kViewerToken);
  EXPECT_EQ(r->response->status, 400);
  r = Call(Method::kGet, "/v1/alerts?incident=INC-2&status=firing&limit=3", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(store_.last_alert_filter->incident_number, 2);
  EXPECT_EQ(store_.last_alert_filter->status, "firing");
  EXPECT_EQ(store_.last_alert_filter->limit, 3);
  EXPECT_TRUE(Body(*r)["next"].is_null());
}

TEST_F(ApiTest, IncidentAlertsPageOldestFirstAfterACursor) {
  auto r = Call(Method::kGet, "/v1/incidents/INC-20/alerts?after=100&limit=50", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(store_.last_alert_filter->incident_number, 20);
  EXPECT_TRUE(store_.last_alert_filter->oldest_first);
  EXPECT_EQ(store_.last_alert_filter->after_id, 100);
  EXPECT_EQ(store_.last_alert_filter->limit, 50);
  json j = Body(*r);
  EXPECT_EQ(j["incident"], "INC-20");
  EXPECT_TRUE(j["alerts"].is_array());
  EXPECT_TRUE(j["next"].is_null());

  r = Call(Method::kGet, "/v1/incidents/INC-20/alerts", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(store_.last_alert_filter->after_id, 0);
  EXPECT_EQ(store_.last_alert_filter->limit, kIncidentDetailAlerts);

  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-21/alerts", {}, kViewerToken)->response->status,
            404);
  EXPECT_EQ(
      Call(Method::kGet, "/v1/incidents/INC-20/alerts?after=x", {}, kViewerToken)->response->status,
      400);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-20/alerts?limit=501", {}, kViewerToken)
                ->response->status,
            400);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-20/alerts", {}, "")->response->status, 401);
}

TEST_F(ApiTest, CreateServiceReturnsTheKeyOnce) {
  auto r = Call(Method::kPost, "/v1/services", R"({"id":"db","name":"Database"})", kAdminToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  json j = Body(*r);
  EXPECT_EQ(j["id"], "db");
  EXPECT_EQ(j["name"], "Database");
  std::string key = j["integration_key"];
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(store_.created_key_hash, Sha256Hex(key));
  // The new key works at once.
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(key))->response->status, 202);
  // A duplicate is a conflict; a responder may not create services.
  EXPECT_EQ(Call(Method::kPost, "/v1/services", R"({"id":"db"})", kAdminToken)->response->status,
            409);
  EXPECT_EQ(Call(Method::kPost, "/v1/services", R"({"id":"x"})", kResponderToken)->response->status,
            403);
  EXPECT_EQ(
      Call(Method::kPost, "/v1/services", R"({"id":"Bad Id"})", kAdminToken)->response->status,
      400);
}

TEST_F(ApiTest, CreateServiceWithSettings) {
  auto r = Call(Method::kPost, "/v1/services",
                R"({"id":"db","settings":{"rate_limit_per_minute":60,"auto_resolve":true,
                    "severity_map":{"p1":"sev1"}}})",
                kAdminToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  const Service& s = store_.services["db"];
  EXPECT_EQ(s.name, "db");
  EXPECT_EQ(s.settings.rate_limit_per_minute, 60);
  EXPECT_TRUE(s.settings.auto_resolve);
  EXPECT_EQ(s.settings.severity_map.Map("p1"), Severity::kSev1);
  r = Call(Method::kPost, "/v1/services", R"({"id":"db2","settings":{"rate_limit_per_minute":-1}})",
           kAdminToken);
  EXPECT_EQ(r->response->status, 400);
}

TEST_F(ApiTest, CreateToken) {
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
  // The new token authenticates.
  EXPECT_EQ(Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", {}, token)->response->status,
            200);
  EXPECT_EQ(Call(Method::kPost, "/v1/tokens", R"({"name":"x","role":"root"})", kAdminToken)
                ->response->status,
            400);
  EXPECT_EQ(Call(Method::kPost, "/v1/tokens", R"({"name":"x","role":"viewer"})", kViewerToken)
                ->response->status,
            403);
}

TEST_F(ApiTest, TokenNamesAreOneLineOfPrintableText) {
  // The name becomes the actor "token:<name>" on timelines and in logs.
  for (const char* body :
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
}

TEST_F(ApiTest, UnknownRouteAndWrongMethod) {
  auto r = Call(Method::kGet, "/v1/nothing");
  EXPECT_EQ(r->response->status, 404);
  EXPECT_EQ(r->response->content_type, "application/problem+json");
  r = Call(Method::kGet, "/v2/enqueue");
  EXPECT_EQ(r->response->status, 405);
  EXPECT_EQ(r->response->allow, "POST");
}

TEST_F(ApiTest, HealthAndReady) {
  auto r = Call(Method::kGet, "/health");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r)["ok"], true);
  EXPECT_EQ(Body(*r)["version"], "0.1.0");
  r = Call(Method::kGet, "/ready");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r), json::parse(R"({"ok":true,"checks":{"http":"ok","store":"ok"}})"));
  store_.writable_error = Error::Unavailable("disk full");
  r = Call(Method::kGet, "/ready");
  EXPECT_EQ(r->response->status, 503);
  EXPECT_EQ(Body(*r)["checks"]["store"], "error");
}

TEST_F(ApiTest, MetricsEndpoint) {
  Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  auto r = Call(Method::kGet, "/metrics");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(r->response->content_type, "text/plain; version=0.0.4");
  EXPECT_NE(
      r->response->body.find(
          "loom_oncall_events_total{endpoint=\"pagerduty\",result=\"accepted\",reason=\"ok\"} 1"),
      std::string::npos);
  EXPECT_NE(r->response->body.find("loom_oncall_incidents_open{severity=\"sev1\"} 0"),
            std::string::npos);
}

TEST_F(ApiTest, AdminStatusAcceptsTheAdminHeader) {
  EXPECT_EQ(Call(Method::kGet, "/v1/admin/status")->response->status, 401);
  EXPECT_EQ(Call(Method::kGet, "/v1/admin/status", {}, kViewerToken)->response->status, 403);
  auto r = Call(Method::kGet, "/v1/admin/status", {}, {}, kAdminToken);
  ASSERT_EQ(r->response->status, 200);
  json j = Body(*r);
  EXPECT_EQ(j["version"], "0.1.0");
  EXPECT_TRUE(j["uptime_seconds"].is_number());
  EXPECT_EQ(j["store"]["writable"], true);
  EXPECT_EQ(j["incidents_open"]["sev1"], 0);
  EXPECT_EQ(j["events"]["pagerduty"]["ok"], 0);
  EXPECT_EQ(Call(Method::kGet, "/v1/admin/status", {}, kAdminToken)->response->status, 200);
}

TEST_F(ApiTest, BodyLimitsAndTooLargeBodies) {
  ApiOptions defaults;
  EXPECT_EQ(api_.BodyLimit(api_.Match(Method::kPost, "/v2/enqueue")), defaults.ingest_body_limit);
  EXPECT_EQ(api_.BodyLimit(api_.Match(Method::kPost, "/v1/integrations/alertmanager")),
            defaults.ingest_body_limit);
  EXPECT_EQ(api_.BodyLimit(api_.Match(Method::kPost, "/v1/services")), defaults.api_body_limit);

  Response pd = api_.PayloadTooLarge(api_.Match(Method::kPost, "/v2/enqueue"), "/v2/enqueue");
  EXPECT_EQ(pd.status, 413);
  EXPECT_TRUE(pd.close);
  EXPECT_EQ(json::parse(pd.body)["status"], "invalid event");
  EXPECT_EQ(api_.metrics().EventCount("pagerduty", EventOutcome::kTooLarge), 1);

  Response native = api_.PayloadTooLarge(api_.Match(Method::kPost, "/v1/services"), "/v1/services");
  EXPECT_EQ(native.status, 413);
  EXPECT_EQ(native.content_type, "application/problem+json");
  EXPECT_EQ(json::parse(native.body)["type"], "https://loom-oncall.dev/problems/payload-too-large");
}

}  // namespace
}  // namespace loom::http
