// The Api without sockets on the real store (api_test_support.h): the ingest routes — PagerDuty's
// Events API v2 (alerts and change events), Alertmanager and the generic webhook — their keys, rate
// limits, answers and body limits.
#include <gtest/gtest.h>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

class IngestApiTest : public StoreApiTest {
 protected:
  // Stores `settings` as service loom's, as start-up does from the configuration.
  void SetLoomSettings(const ServiceSettings &settings) {
    Service loom;
    loom.id = "loom";
    loom.name = "LOOM node";
    loom.settings = settings;
    Status s = store_->UpsertConfiguredService(loom, {});
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  void SetLoomRateLimit(int64_t per_minute) {
    ServiceSettings settings;
    settings.rate_limit_per_minute = per_minute;
    SetLoomSettings(settings);
  }
};

TEST_F(IngestApiTest, PagerDutyTriggerIsAcceptedWithDedupKey) {
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey, "trigger", R"("dedup_key":"k1",)"));
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 202);
  EXPECT_EQ(Body(*r),
            (json{{"status", "success"}, {"message", "Event processed"}, {"dedup_key", "k1"}}));
  std::vector<Alert> alerts = StoredAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].service_id, "loom");
  EXPECT_EQ(alerts[0].dedup_key, "k1");
  EXPECT_EQ(alerts[0].severity, Severity::kSev1);
  EXPECT_EQ(alerts[0].status, "firing");
  EXPECT_EQ(Stored(alerts[0].incident_number).incident.service_id, "loom");
  EXPECT_EQ(api_->metrics().EventCount("pagerduty", EventOutcome::kAccepted), 1);
}

TEST_F(IngestApiTest, PagerDutyGeneratedDedupKeyIsReturned) {
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  ASSERT_EQ(r->response->status, 202);
  std::string key = Body(*r)["dedup_key"];
  EXPECT_FALSE(key.empty());
  std::vector<Alert> alerts = StoredAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].dedup_key, key);
  // The answered key is the alert's: resolving with it resolves that alert.
  r = Call(Method::kPost, "/v2/enqueue",
           PdEvent(kKey, "resolve", R"("dedup_key":")" + key + "\","));
  ASSERT_EQ(r->response->status, 202) << r->response->body;
  alerts = StoredAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].status, "resolved");
}

TEST_F(IngestApiTest, PagerDutyUnknownRoutingKeyIsInvalidEvent) {
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent("ffffffffffffffffffffffffffffffff"));
  EXPECT_EQ(r->response->status, 400);
  json j = Body(*r);
  EXPECT_EQ(j["status"], "invalid event");
  EXPECT_EQ(j["message"], "Event object is invalid");
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_NE(j["errors"][0].get<std::string>().find("routing_key"), std::string::npos);
  EXPECT_TRUE(StoredAlerts().empty());
  EXPECT_EQ(api_->metrics().EventCount("pagerduty", EventOutcome::kUnknownKey), 1);
}

TEST_F(IngestApiTest, PagerDutyMalformedJson) {
  auto r = Call(Method::kPost, "/v2/enqueue", "{nope");
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["status"], "invalid event");
  EXPECT_EQ(api_->metrics().EventCount("pagerduty", EventOutcome::kInvalid), 1);
}

TEST_F(IngestApiTest, PagerDutyRateLimitPerKey) {
  SetLoomRateLimit(2);
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  EXPECT_EQ(r->response->status, 429);
  EXPECT_EQ(Body(*r)["status"], "throttle exceeded");
  EXPECT_EQ(r->response->retry_after_seconds, 30);
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  EXPECT_EQ(api_->metrics().EventCount("pagerduty", EventOutcome::kThrottled), 1);
  EXPECT_EQ(StoredAlerts().size(), 3u);  // the throttled event is not stored
}

TEST_F(IngestApiTest, PagerDutyStoreUnavailableIs503) {
  writes_->ingest_error = Error::Unavailable("writer queue is full");
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey));
  EXPECT_EQ(r->response->status, 503);
  EXPECT_EQ(Body(*r)["status"], "unavailable");
  EXPECT_EQ(api_->metrics().EventCount("pagerduty", EventOutcome::kUnavailable), 1);
  EXPECT_TRUE(StoredAlerts().empty());
}

TEST_F(IngestApiTest, IntegrationKeysAreCachedForFiveSeconds) {
  ASSERT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  // The service now maps "critical" to sev3: its key, cached, still maps it to sev1...
  ServiceSettings settings;
  settings.severity_map.by_word["critical"] = Severity::kSev3;
  SetLoomSettings(settings);
  ASSERT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  EXPECT_EQ(StoredAlerts().at(0).severity, Severity::kSev1);
  // ...until the cache's time is up.
  clock_.Advance(std::chrono::seconds(10));
  ASSERT_EQ(Call(Method::kPost, "/v2/enqueue", PdEvent(kKey))->response->status, 202);
  EXPECT_EQ(StoredAlerts().at(0).severity, Severity::kSev3);
}

TEST_F(IngestApiTest, ReplyWaitsForTheStoreCallback) {
  writes_->hold = true;
  auto r = Call(Method::kPost, "/v2/enqueue", PdEvent(kKey, "trigger", R"("dedup_key":"k9",)"));
  EXPECT_EQ(r->sends, 0);
  ASSERT_EQ(writes_->held_ingest.size(), 1u);
  EXPECT_TRUE(StoredAlerts().empty());
  // The held write reaches the store: the answer follows its commit.
  store_->Ingest(writes_->ingested.at(0), std::move(writes_->held_ingest[0]));
  ASSERT_TRUE(r->Wait());
  EXPECT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 202);
  EXPECT_EQ(Body(*r)["dedup_key"], "k9");
  EXPECT_EQ(StoredAlerts().size(), 1u);
}

TEST_F(IngestApiTest, ChangeEvent) {
  auto r = Call(Method::kPost, "/v2/change/enqueue",
                R"({"routing_key":")" + std::string(kKey) +
                    R"(","payload":{"summary":"deploy 1.2","source":"ci"}})");
  EXPECT_EQ(r->response->status, 202);
  EXPECT_EQ(Body(*r), (json{{"status", "success"}, {"message", "Change event processed"}}));
  EXPECT_EQ(db_->QueryText("SELECT service_id || ' ' || summary FROM change_events").value(),
            "loom deploy 1.2");
  EXPECT_TRUE(StoredAlerts().empty());  // a change is no alert
}

TEST_F(IngestApiTest, AlertmanagerNeedsAKey) {
  auto r = Call(Method::kPost, "/v1/integrations/alertmanager", "{}");
  EXPECT_EQ(r->response->status, 401);
  EXPECT_EQ(r->response->content_type, "application/problem+json");
  r = Call(Method::kPost, "/v1/integrations/alertmanager?key=ffff", "{}");
  EXPECT_EQ(r->response->status, 401);
}

constexpr char kAmPayload[] =
    R"({"version":"4","groupKey":"{}:{alertname=\"X\"}",
  "status":"firing","receiver":"r","groupLabels":{},"commonLabels":{},"commonAnnotations":{},
  "externalURL":"http://am","truncatedAlerts":0,
  "alerts":[{"status":"firing","labels":{"alertname":"X","severity":"critical"},
  "annotations":{"summary":"x down"},"startsAt":"2026-11-27T10:45:33.123456789Z",
  "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://p","fingerprint":"0123456789abcdef"}]})";

TEST_F(IngestApiTest, AlertmanagerWithQueryKey) {
  auto r =
      Call(Method::kPost, "/v1/integrations/alertmanager?key=" + std::string(kKey), kAmPayload);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(Body(*r), (json{{"status", "success"}, {"incident", "INC-1"}}));
  std::vector<Alert> alerts = StoredAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].service_id, "loom");
  EXPECT_EQ(alerts[0].fingerprint, "0123456789abcdef");
  EXPECT_EQ(alerts[0].incident_number, 1);
}

TEST_F(IngestApiTest, AlertmanagerOverloadIs503NotA4xx) {
  writes_->ingest_error = Error{ErrorCode::kResourceExhausted, "full", {}};
  auto r = Call(Method::kPost, "/v1/integrations/alertmanager", kAmPayload, kKey);
  EXPECT_EQ(r->response->status, 503);
  SetLoomRateLimit(1);
  writes_->ingest_error.reset();
  api_->InvalidateKeyCache();
  EXPECT_EQ(
      Call(Method::kPost, "/v1/integrations/alertmanager", kAmPayload, kKey)->response->status,
      200);
  r = Call(Method::kPost, "/v1/integrations/alertmanager", kAmPayload, kKey);
  EXPECT_EQ(r->response->status, 503);
  EXPECT_GE(r->response->retry_after_seconds, 1);
}

TEST_F(IngestApiTest, AlertmanagerBadPayloadIs400) {
  auto r = Call(Method::kPost, "/v1/integrations/alertmanager", R"({"version":"3"})", kKey);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(r->response->content_type, "application/problem+json");
  EXPECT_TRUE(StoredAlerts().empty());
}

TEST_F(IngestApiTest, GenericEvent) {
  auto r = Call(Method::kPost, "/v1/integrations/generic",
                R"({"summary":"queue lag","severity":"warning","dedup_key":"lag"})", kKey);
  ASSERT_EQ(r->response->status, 202) << r->response->body;
  EXPECT_EQ(Body(*r), (json{{"status", "success"}, {"dedup_key", "lag"}, {"incident", "INC-1"}}));
  std::vector<Alert> alerts = StoredAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].dedup_key, "lag");
  EXPECT_EQ(alerts[0].severity, Severity::kSev3);
  EXPECT_EQ(alerts[0].summary, "queue lag");
}

TEST_F(IngestApiTest, BodyLimitsAndTooLargeBodies) {
  ApiOptions defaults;
  Api &api = *api_;
  EXPECT_EQ(api.BodyLimit(api.Match(Method::kPost, "/v2/enqueue")), defaults.ingest_body_limit);
  EXPECT_EQ(api.BodyLimit(api.Match(Method::kPost, "/v1/integrations/alertmanager")),
            defaults.ingest_body_limit);
  EXPECT_EQ(api.BodyLimit(api.Match(Method::kPost, "/v1/services")), defaults.api_body_limit);

  Response pd = api.PayloadTooLarge(api.Match(Method::kPost, "/v2/enqueue"), "/v2/enqueue");
  EXPECT_EQ(pd.status, 413);
  EXPECT_TRUE(pd.close);
  EXPECT_EQ(json::parse(pd.body)["status"], "invalid event");
  EXPECT_EQ(api.metrics().EventCount("pagerduty", EventOutcome::kTooLarge), 1);

  Response native = api.PayloadTooLarge(api.Match(Method::kPost, "/v1/services"), "/v1/services");
  EXPECT_EQ(native.status, 413);
  EXPECT_EQ(native.content_type, "application/problem+json");
  EXPECT_EQ(json::parse(native.body)["type"], "https://loom-oncall.dev/problems/payload-too-large");
}

}  // namespace
}  // namespace loom::http
