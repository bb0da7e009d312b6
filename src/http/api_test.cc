// Handler behaviour without sockets: the Api driven with a fake Store and a recording Reply.
#include "http/api.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/crypto.h"
#include "common/time_format.h"
#include "config/oncall_snapshot.h"
#include "core/builtin_runbook.h"
#include "testing/fake_clock.h"
#include "testing/in_memory_oncall_tables.h"
#include "testing/unsupported_store.h"

namespace loom::http {
namespace {

using nlohmann::json;

constexpr char kAdminToken[] = "bootstrap-admin-token";
constexpr char kKey[] = "0123456789abcdef0123456789abcdef";
constexpr char kViewerToken[] = "loo_viewer";
constexpr char kResponderToken[] = "loo_responder";

// Records what the handlers ask of it; answers writes at once unless told to hold them.
class FakeStore final : public testing::UnsupportedStore {
 public:
  FakeStore() {
    Service loom;
    loom.id = "loom";
    loom.name = "LOOM node";
    services["loom"] = loom;
    keys[Sha256Hex(kKey)] = IntegrationKey{11, "loom", Sha256Hex(kKey), "0123", {}};
    tokens[Sha256Hex(kViewerToken)] = ApiToken{1, "dash", Role::kViewer, "", {}};
    tokens[Sha256Hex(kResponderToken)] = ApiToken{2, "ci", Role::kResponder, "", {}};
    UnsupportedStore::oncall = &oncall_tables;
    UnsupportedStore::settings = &setting_values;
  }

  void Ingest(IngestRequest request, Callback<IngestOutcome> done) override {
    ingested.push_back(request);
    if (hold) {
      held_ingest.push_back(std::move(done));
      return;
    }
    if (ingest_error) return done(*ingest_error);
    IngestOutcome out;
    out.dedup_key = request.dedup_key;
    out.incident_number = 3;
    out.incident_created = true;
    done(out);
  }
  void Execute(IncidentCommand command, Callback<Incident> done) override {
    commands.push_back(command);
    if (execute_error) return done(*execute_error);
    Incident in;
    in.number = command.incident_number;
    in.service_id = "loom";
    in.state = IncidentState::kAcknowledged;
    in.commander = command.actor;
    done(in);
  }
  void CreateService(Service service, std::string key_hash,
                     Callback<IntegrationKey> done) override {
    if (services.count(service.id)) return done(Error::Conflict("service exists"));
    created_key_hash = key_hash;
    services[service.id] = service;
    keys[key_hash] = IntegrationKey{99, service.id, key_hash, "", {}};
    done(keys[key_hash]);
  }
  Status UpsertConfiguredService(const Service&, const std::vector<std::string>&) override {
    return OkStatus();
  }
  void CreateToken(std::string name, Role role, std::string token_hash,
                   Callback<ApiToken> done) override {
    ApiToken t{5, name, role, token_hash, {}};
    tokens[token_hash] = t;
    done(t);
  }
  void RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) override {
    changes.push_back(event);
    done(int64_t{1});
  }
  // Security playbook: no incident of these tests is a security incident.
  Result<std::optional<SecurityPlaybookState>> GetSecurityPlaybook(int64_t) override {
    return std::optional<SecurityPlaybookState>();
  }
  Result<std::vector<StoredEvidence>> ListEvidence(int64_t, bool) override {
    return std::vector<StoredEvidence>();
  }
  // Final summaries, follow-ups, reviews: kept in memory, answered at once.
  void SaveSummary(FinalSummary summary, Callback<FinalSummary> done) override {
    summaries[summary.incident_number] = summary;
    done(summary);
  }
  Result<std::optional<FinalSummary>> GetSummary(int64_t number) override {
    auto it = summaries.find(number);
    if (it == summaries.end()) return std::optional<FinalSummary>();
    return std::optional<FinalSummary>(it->second);
  }
  void CreateFollowup(Followup f, Callback<Followup> done) override {
    f.number = static_cast<int64_t>(followups.size()) + 1;
    followups.push_back(f);
    done(f);
  }
  void UpdateFollowup(FollowupPatch patch, Callback<Followup> done) override {
    if (patch.number < 1 || patch.number > static_cast<int64_t>(followups.size())) {
      return done(Error::NotFound(FollowupId(patch.number) + " not found"));
    }
    Followup& f = followups[static_cast<size_t>(patch.number - 1)];
    Status s = ApplyFollowupPatch(f, patch, TimePoint{});
    if (!s.ok()) return done(s.error());
    done(f);
  }
  Result<std::vector<Followup>> ListFollowups(const FollowupFilter& filter) override {
    std::vector<Followup> out;
    for (const Followup& f : followups) {
      if (Matches(f, filter)) out.push_back(f);
    }
    return out;
  }
  void SaveReview(Review review, std::string, Callback<Review> done) override {
    reviews[review.incident_number] = review;
    done(review);
  }
  Result<std::optional<Review>> GetReview(int64_t number) override {
    auto it = reviews.find(number);
    if (it == reviews.end()) return std::optional<Review>();
    return std::optional<Review>(it->second);
  }
  Result<std::optional<IntegrationKey>> FindIntegrationKey(const std::string& hash) override {
    ++key_lookups;
    auto it = keys.find(hash);
    if (it == keys.end()) return std::optional<IntegrationKey>();
    return std::optional<IntegrationKey>(it->second);
  }
  Result<std::optional<ApiToken>> FindToken(const std::string& hash) override {
    auto it = tokens.find(hash);
    if (it == tokens.end()) return std::optional<ApiToken>();
    return std::optional<ApiToken>(it->second);
  }
  Result<std::optional<Service>> GetService(const std::string& id) override {
    auto it = services.find(id);
    if (it == services.end()) return std::optional<Service>();
    return std::optional<Service>(it->second);
  }
  Result<std::vector<Service>> ListServices() override {
    std::vector<Service> out;
    for (auto& [id, s] : services) out.push_back(s);
    return out;
  }
  Result<IncidentPage> ListIncidents(const IncidentFilter& filter) override {
    last_filter = filter;
    IncidentPage page;
    Incident in;
    in.number = 20;
    page.incidents.push_back(in);
    page.next_cursor = 20;
    return page;
  }
  Result<std::optional<IncidentDetail>> GetIncident(int64_t number) override {
    if (number != 20) return std::optional<IncidentDetail>();
    return std::optional<IncidentDetail>(incident20);
  }
  Result<AlertPage> ListAlerts(const AlertFilter& filter) override {
    last_alert_filter = filter;
    return AlertPage{};
  }
  Result<StoreStats> Stats() override { return StoreStats{}; }
  Result<AuditReport> VerifyAudit() override { return AuditReport{}; }
  void FireDeadline(int64_t, DeadlineHandler, Callback<DeadlineFiring> done) override {
    done(DeadlineFiring{});
  }
  void ScheduleDrillDue(Deadline deadline, Callback<Deadline> done) override {
    done(std::move(deadline));
  }
  Result<std::vector<OutboxEntry>> ListNotifications(int64_t number) override {
    if (number != 20) return std::vector<OutboxEntry>{};
    return notifications;
  }
  void RecordDeliveries(std::vector<DeliveryRecord>, Callback<int64_t> done) override {
    done(int64_t{0});
  }
  void DisableDestination(std::string, std::string, Callback<bool> done) override { done(true); }
  void RecordIncidentEvent(int64_t, std::string, std::string, std::string,
                           Callback<TimelineEvent> done) override {
    done(Error::Unavailable("the fake store records no events"));
  }
  Status Writable() override {
    if (writable_error) return *writable_error;
    return OkStatus();
  }

  std::map<std::string, Service> services;
  std::map<std::string, IntegrationKey> keys;
  std::map<std::string, ApiToken> tokens;
  std::vector<OutboxEntry> notifications;  // of INC-20
  IncidentDetail incident20 = [] {
    IncidentDetail d;
    d.incident.number = 20;
    return d;
  }();
  std::map<std::string, std::string> setting_values;
  std::map<int64_t, FinalSummary> summaries;
  std::vector<Followup> followups;
  std::map<int64_t, Review> reviews;
  testing::InMemoryOnCallTables oncall_tables;
  std::vector<IngestRequest> ingested;
  std::vector<IncidentCommand> commands;
  std::vector<ChangeEvent> changes;
  std::vector<Callback<IngestOutcome>> held_ingest;
  std::optional<Error> ingest_error, execute_error, writable_error;
  std::optional<IncidentFilter> last_filter;
  std::optional<AlertFilter> last_alert_filter;
  std::string created_key_hash;
  bool hold = false;
  int key_lookups = 0;
};

class RecordingReply final : public ResponseSink {
 public:
  void Send(Response r) override {
    ++sends;
    response = std::move(r);
  }
  int sends = 0;
  std::optional<Response> response;
};

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() : api_(store_, clock_, Sha256Hex(kAdminToken), ApiOptions{}) {}
  explicit ApiTest(OnCallDeps oncall)
      : api_(store_, clock_, Sha256Hex(kAdminToken), ApiOptions{}, nullptr, std::move(oncall)) {}
  explicit ApiTest(std::shared_ptr<const LinkSigner> links)
      : api_(store_, clock_, Sha256Hex(kAdminToken), ApiOptions{}, nullptr, {}, nullptr,
             std::move(links)) {}

  // Sends one request and returns the recorded reply (not yet answered if the store holds it).
  std::shared_ptr<RecordingReply> Call(Method method, std::string_view target,
                                       std::string_view body = {}, std::string_view token = {},
                                       std::string_view admin_header = {}) {
    auth_ = token.empty() ? std::string() : "Bearer " + std::string(token);
    Request req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    req.authorization = auth_;
    req.admin_token = admin_header;
    req.body = body;
    auto reply = std::make_shared<RecordingReply>();
    api_.Handle(api_.Match(method, req.path), req, reply);
    return reply;
  }

  static json Body(const RecordingReply& r) { return json::parse(r.response->body); }

  static std::string PdEvent(const std::string& key, const std::string& action = "trigger",
                             const std::string& extra = "") {
    return R"({"routing_key":")" + key + R"(","event_action":")" + action + R"(",)" + extra +
           R"("payload":{"summary":"disk full","source":"db1","severity":"critical"}})";
  }

  testing::FakeClock clock_;
  FakeStore store_;
  Api api_;
  std::string auth_;
};

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

class OnCallApiTest : public ApiTest {
 protected:
  OnCallApiTest() : ApiTest(TestOnCall()) {
    clock_.Set(*ParseRfc3339("2026-03-28T12:00:00Z"));
    store_.tokens[Sha256Hex(kCalendarToken)] = ApiToken{3, "cal", Role::kCalendar, "", {}};
  }
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
    auto r = Call(Method::kPost, "/v1/incidents/INC-4/commander",
                  json{{"commander", commander}}.dump(), kResponderToken);
    ASSERT_EQ(r->response->status, 400) << commander;
    json j = Body(*r);
    EXPECT_EQ(j["detail"], std::string("unknown user '") + commander + "'");
    EXPECT_EQ(j["errors"][0]["pointer"], "/commander");
    EXPECT_EQ(j["errors"][0]["detail"], "is not a configured user");
  }
  EXPECT_TRUE(store_.commands.empty());

  auto r = Call(Method::kPost, "/v1/incidents/INC-4/commander", R"({"commander":"alice"})",
                kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  // The console's "Take command": the caller's own actor.
  r = Call(Method::kPost, "/v1/incidents/INC-4/commander", R"({"commander":"token:ci"})",
           kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  ASSERT_EQ(store_.commands.size(), 2u);
  EXPECT_EQ(store_.commands[0].commander, "alice");
  EXPECT_EQ(store_.commands[1].commander, "token:ci");

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
  EXPECT_TRUE(store_.oncall_tables.overrides.empty());
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

TEST_F(ApiTest, OnCallRoutesWithoutARosterAre503) {
  EXPECT_EQ(Call(Method::kGet, "/v1/oncall?service=loom", {}, kViewerToken)->response->status, 503);
}

TEST_F(ApiTest, CalendarTokensCanBeCreated) {
  auto r = Call(Method::kPost, "/v1/tokens", R"({"name":"cal","role":"calendar"})", kAdminToken);
  ASSERT_EQ(r->response->status, 201) << r->response->body;
  EXPECT_EQ(Body(*r)["role"], "calendar");
}

// ---- one-click links (GET/POST /a/{token}) ----

constexpr char kLinkKey[] = "0123456789abcdef0123456789abcdef-link-key";

class LinkApiTest : public ApiTest {
 protected:
  LinkApiTest()
      : ApiTest(std::make_shared<const LinkSigner>(kLinkKey, "https://oncall.example.com",
                                                   std::chrono::hours(24))),
        signer_(kLinkKey, "https://oncall.example.com", std::chrono::hours(24)) {
    Incident& in = store_.incident20.incident;
    in.title = "Disk <full> & \"slow\"";
    in.severity = Severity::kSev1;
    in.service_id = "loom";
    TimelineEvent e;
    e.seq = 1;
    e.at = clock_.Now();
    e.type = "incident.triggered";
    e.actor = "integration:loom";
    store_.incident20.timeline.push_back(e);
  }

  std::string Link(const char* action, int64_t number = 20, const char* recipient = "alice") {
    ActionClaims c;
    c.action = action;
    c.incident_number = number;
    c.recipient = recipient;
    c.via = "email";
    c.expires_at = clock_.Now() + std::chrono::hours(1);
    c.nonce = "nonce-1";
    return "/a/" + signer_.Sign(c);
  }

  static void ExpectPageHeaders(const Response& r) {
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    EXPECT_EQ(h["Cache-Control"], "no-store");
    EXPECT_EQ(h["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(h["X-Robots-Tag"], "noindex");
    EXPECT_EQ(h["Content-Security-Policy"],
              "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
              "frame-ancestors 'none'");
  }
  static bool Contains(const Response& r, std::string_view text) {
    return r.body.find(text) != std::string::npos;
  }

  LinkSigner signer_;
};

TEST_F(LinkApiTest, GetOfAnAckLinkShowsAConfirmationAndChangesNothing) {
  auto r = Call(Method::kGet, Link("ack"));
  ASSERT_EQ(r->sends, 1);
  const Response& page = *r->response;
  EXPECT_EQ(page.status, 200);
  ExpectPageHeaders(page);
  EXPECT_TRUE(Contains(page, "Acknowledge INC-20 as alice")) << page.body;
  EXPECT_TRUE(Contains(page, "<form method=\"post\">"));
  EXPECT_TRUE(Contains(page, "Disk &lt;full&gt; &amp; &quot;slow&quot;")) << page.body;
  EXPECT_FALSE(Contains(page, "<full>"));
  EXPECT_TRUE(Contains(page, "sev1"));
  EXPECT_TRUE(Contains(page, "triggered"));
  EXPECT_FALSE(Contains(page, "<script"));
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(LinkApiTest, GetOfAnAckLinkOnAnAcknowledgedIncidentOffersNothing) {
  store_.incident20.incident.state = IncidentState::kAcknowledged;
  auto r = Call(Method::kGet, Link("ack"));
  EXPECT_EQ(r->response->status, 200);
  EXPECT_TRUE(Contains(*r->response, "INC-20 is acknowledged"));
  EXPECT_FALSE(Contains(*r->response, "<form"));
}

TEST_F(LinkApiTest, GetOfAViewLinkShowsTheIncidentAndTimeline) {
  auto r = Call(Method::kGet, Link("view"));
  const Response& page = *r->response;
  EXPECT_EQ(page.status, 200);
  ExpectPageHeaders(page);
  EXPECT_TRUE(Contains(page, "INC-20: Disk &lt;full&gt;"));
  EXPECT_TRUE(Contains(page, "incident.triggered"));
  EXPECT_TRUE(Contains(page, "integration:loom"));
  EXPECT_FALSE(Contains(page, "<form"));
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(LinkApiTest, PostAcknowledgesAsTheRecipientThroughTheChannel) {
  auto r = Call(Method::kPost, Link("ack"));
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 200);
  ExpectPageHeaders(*r->response);
  EXPECT_TRUE(Contains(*r->response, "INC-20 acknowledged by alice via email"));
  ASSERT_EQ(store_.commands.size(), 1u);
  const IncidentCommand& c = store_.commands[0];
  EXPECT_EQ(c.type, IncidentCommand::Type::kAcknowledge);
  EXPECT_EQ(c.incident_number, 20);
  EXPECT_EQ(c.actor, "user:alice");
  EXPECT_EQ(c.via, "email");
  EXPECT_EQ(c.link_nonce, "nonce-1");
}

TEST_F(LinkApiTest, ReusedLinkIs409) {
  store_.execute_error = Error::Conflict(kLinkAlreadyUsed);
  auto r = Call(Method::kPost, Link("ack"));
  EXPECT_EQ(r->response->status, 409);
  EXPECT_TRUE(Contains(*r->response, "This link was already used"));
}

TEST_F(LinkApiTest, StateConflictSaysTheState) {
  store_.execute_error =
      Error::Conflict("INC-20 is resolved; only a triggered incident can be acknowledged");
  auto r = Call(Method::kPost, Link("ack"));
  EXPECT_EQ(r->response->status, 409);
  EXPECT_TRUE(Contains(*r->response, "INC-20 was not acknowledged"));
  EXPECT_TRUE(Contains(*r->response, "INC-20 is resolved"));
}

TEST_F(LinkApiTest, ExpiredLinkIs410AndChangesNothing) {
  const std::string link = Link("ack");
  clock_.Advance(std::chrono::hours(2));
  for (Method m : {Method::kGet, Method::kPost}) {
    auto r = Call(m, link);
    EXPECT_EQ(r->response->status, 410);
    ExpectPageHeaders(*r->response);
    EXPECT_TRUE(Contains(*r->response, "This link has expired"));
  }
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(LinkApiTest, ForgedOrMalformedLinkIs404) {
  LinkSigner other("fedcba9876543210fedcba9876543210-other", "https://x", std::chrono::hours(1));
  ActionClaims c;
  c.action = "ack";
  c.incident_number = 20;
  c.recipient = "alice";
  c.expires_at = clock_.Now() + std::chrono::hours(1);
  c.nonce = "n";
  for (const std::string& target :
       {"/a/" + other.Sign(c), std::string("/a/garbage"), Link("ack") + "x"}) {
    for (Method m : {Method::kGet, Method::kPost}) {
      auto r = Call(m, target);
      EXPECT_EQ(r->response->status, 404) << target;
      EXPECT_TRUE(Contains(*r->response, "This link is not valid"));
    }
  }
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(LinkApiTest, ViewLinkCannotAcknowledge) {
  auto r = Call(Method::kPost, Link("view"));
  EXPECT_EQ(r->response->status, 405);
  EXPECT_EQ(r->response->allow, "GET");
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(LinkApiTest, UnknownIncidentIs404) {
  auto r = Call(Method::kGet, Link("view", 99));
  EXPECT_EQ(r->response->status, 404);
  EXPECT_TRUE(Contains(*r->response, "INC-99 does not exist"));
}

TEST_F(LinkApiTest, RecipientIsEscaped) {
  auto r = Call(Method::kGet, Link("ack", 20, "<b>mallory</b>"));
  EXPECT_TRUE(Contains(*r->response, "as &lt;b&gt;mallory&lt;/b&gt;"));
  EXPECT_FALSE(Contains(*r->response, "<b>mallory"));
}

TEST_F(ApiTest, LinksWithoutASignerAre404) {
  auto r = Call(Method::kGet, "/a/anything.at-all");
  EXPECT_EQ(r->response->status, 404);
  r = Call(Method::kPost, "/a/anything.at-all");
  EXPECT_EQ(r->response->status, 404);
  EXPECT_TRUE(store_.commands.empty());
}

// ---- the web console: files, sessions, cookie authentication, CSRF ----

class ConsoleApiTest : public ApiTest {
 protected:
  // A browser request: the session cookie (when signed in), Host and, unless told otherwise,
  // the server's own Origin and the session's CSRF token.
  std::shared_ptr<RecordingReply> Browser(Method method, std::string_view target,
                                          std::string_view body = {},
                                          std::optional<std::string> origin = std::nullopt,
                                          std::optional<std::string> csrf = std::nullopt) {
    origin_ = origin.value_or("http://127.0.0.1:8080");
    csrf_ = csrf.value_or(csrf_token_);
    Request req;
    req.method = method;
    req.target = target;
    req.path = target.substr(0, target.find('?'));
    req.body = body;
    req.cookie = cookie_;
    req.host = "127.0.0.1:8080";
    req.origin = origin_;
    req.csrf_token = csrf_;
    auto reply = std::make_shared<RecordingReply>();
    api_.Handle(api_.Match(method, req.path), req, reply);
    return reply;
  }

  void SignIn(std::string_view token) {
    auto r = Browser(Method::kPost, "/ui/session", json{{"token", token}}.dump());
    ASSERT_EQ(r->response->status, 200) << r->response->body;
    std::string set_cookie = Header(*r->response, "Set-Cookie");
    ASSERT_TRUE(set_cookie.starts_with("loom_session=")) << set_cookie;
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    csrf_token_ = Body(*r)["csrf_token"];
  }

  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  std::string cookie_, csrf_token_, origin_, csrf_;
};

TEST_F(ConsoleApiTest, ServesTheConsoleWithAStrictPolicy) {
  auto r = Browser(Method::kGet, "/ui/");
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(r->response->content_type, "text/html; charset=utf-8");
  EXPECT_NE(r->response->body.find("main.js"), std::string::npos);
  const std::string csp = Header(*r->response, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  // X-Content-Type-Options: nosniff is on every answer, written by the server (server.cc;
  // tests/integration/test_incidents_api.py).

  EXPECT_EQ(Browser(Method::kGet, "/ui/main.js")->response->content_type,
            "text/javascript; charset=utf-8");
  EXPECT_EQ(Browser(Method::kGet, "/ui/app.css")->response->content_type,
            "text/css; charset=utf-8");
  EXPECT_EQ(Browser(Method::kGet, "/ui/nope.js")->response->status, 404);
  r = Browser(Method::kGet, "/");
  EXPECT_EQ(r->response->status, 302);
  EXPECT_EQ(Header(*r->response, "Location"), "/ui/");
}

TEST_F(ConsoleApiTest, SignInSetsAStrictHttpOnlyCookie) {
  auto r = Browser(Method::kPost, "/ui/session", json{{"token", kResponderToken}}.dump());
  ASSERT_EQ(r->response->status, 200);
  const std::string cookie = Header(*r->response, "Set-Cookie");
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here
  EXPECT_EQ(Header(*r->response, "Cache-Control"), "no-store");
  json j = Body(*r);
  EXPECT_EQ(j["role"], "responder");
  EXPECT_EQ(j["actor"], "token:ci");
  EXPECT_EQ(j["csrf_token"].get<std::string>().size(), 64u);
  EXPECT_EQ(cookie.find(kResponderToken), std::string::npos);  // the cookie is not the token
}

TEST_F(ConsoleApiTest, SignInAcceptsAFormAndRefusesBadTokens) {
  auto r = Browser(Method::kPost, "/ui/session", std::string("token=") + kViewerToken);
  EXPECT_EQ(r->response->status, 200);
  r = Browser(Method::kPost, "/ui/session", json{{"token", "loo_wrong"}}.dump());
  EXPECT_EQ(r->response->status, 401);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/token");
  EXPECT_TRUE(Header(*r->response, "Set-Cookie").empty());
  r = Browser(Method::kPost, "/ui/session", json{{"token", ""}}.dump());
  EXPECT_EQ(r->response->status, 400);
  // Login CSRF: another origin cannot sign the browser in.
  r = Browser(Method::kPost, "/ui/session", json{{"token", kResponderToken}}.dump(),
              "http://evil.example");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_TRUE(Header(*r->response, "Set-Cookie").empty());
}

TEST_F(ConsoleApiTest, GetSessionAnswersTheRoleAndCsrfToken) {
  EXPECT_EQ(Browser(Method::kGet, "/ui/session")->response->status, 401);
  SignIn(kViewerToken);
  auto r = Browser(Method::kGet, "/ui/session");
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r)["role"], "viewer");
  EXPECT_EQ(Body(*r)["csrf_token"], csrf_token_);
}

TEST_F(ConsoleApiTest, TheCookieAuthenticatesReads) {
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 401);
  SignIn(kViewerToken);
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 200);
  cookie_ = "loom_session=" + std::string(64, '0');
  auto r = Browser(Method::kGet, "/v1/incidents");
  EXPECT_EQ(r->response->status, 401);
}

TEST_F(ConsoleApiTest, CookieStateChangesNeedTheCsrfTokenAndOwnOrigin) {
  SignIn(kResponderToken);
  auto r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", std::nullopt, "");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_NE(Body(*r)["detail"].get<std::string>().find("X-CSRF-Token"), std::string::npos);
  r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", std::nullopt,
              std::string(64, 'f'));
  EXPECT_EQ(r->response->status, 403);
  r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", "http://evil.example");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_TRUE(store_.commands.empty());

  r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge");
  EXPECT_EQ(r->response->status, 200);
  ASSERT_EQ(store_.commands.size(), 1u);
  EXPECT_EQ(store_.commands[0].actor, "token:ci");
}

TEST_F(ConsoleApiTest, AViewerSessionCannotAct) {
  SignIn(kViewerToken);
  auto r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(ConsoleApiTest, BearerRequestsAreUnaffectedByCsrfChecks) {
  // A CLI or integration: Authorization header, no cookie, no CSRF token, any Origin.
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", kResponderToken);
  EXPECT_EQ(r->response->status, 200);
}

TEST_F(ConsoleApiTest, SignOutNeedsTheCsrfTokenAndEndsTheSession) {
  SignIn(kResponderToken);
  EXPECT_EQ(Browser(Method::kDelete, "/ui/session", "", std::nullopt, "")->response->status, 403);
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 200);
  auto r = Browser(Method::kDelete, "/ui/session");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_NE(Header(*r->response, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 401);
}

}  // namespace
}  // namespace loom::http
