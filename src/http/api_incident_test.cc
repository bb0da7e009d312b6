// The Api without sockets on the real store (api_test_support.h): incidents — listing, reading, the
// responders' commands and status updates, their notifications — and alerts.
#include <gtest/gtest.h>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

class IncidentApiTest : public StoreApiTest {
 protected:
  // The ids ("INC-<n>") of a list answer's incidents, in its order.
  static std::vector<std::string> Ids(const json &list) {
    std::vector<std::string> out;
    for (const json &i : list["incidents"]) out.push_back(i["id"]);
    return out;
  }
  // The incidents GET /v1/incidents?<query> lists to a viewer.
  std::vector<std::string> Listed(const std::string &query) {
    auto r = Call(Method::kGet, "/v1/incidents?" + query, {}, kViewerToken);
    EXPECT_EQ(r->response->status, 200) << query << ": " << r->response->body;
    return r->response->status == 200 ? Ids(Body(*r)) : std::vector<std::string>{"error"};
  }
  // Starts a sev2 drill of service loom through the API; answers its id.
  std::string StartDrill() {
    auto r =
        Call(Method::kPost, "/v1/drills",
             R"({"scenario":"availability","service":"loom","severity":"sev2"})", kResponderToken);
    EXPECT_EQ(r->response->status, 201) << r->response->body;
    return r->response->status == 201 ? Body(*r)["id"].get<std::string>() : "";
  }
  // The data of incident `number`'s last timeline event of `type`, which `actor` recorded (a
  // failure and {} when there is none).
  json EventBy(int64_t number, std::string_view type, std::string_view actor) {
    std::optional<TimelineEvent> e = LastEvent(number, type);
    EXPECT_TRUE(e.has_value()) << "no " << type << " on INC-" << number;
    if (!e) return json::object();
    EXPECT_EQ(e->actor, actor) << type;
    return json::parse(e->data_json);
  }
};

// An Alertmanager notification of group `group` whose alerts are the (fingerprint, status) pairs.
std::string AmGroup(const std::string &group,
                    const std::vector<std::pair<std::string, std::string>> &alerts) {
  json members = json::array();
  for (const auto &[fingerprint, status] : alerts) {
    members.push_back({{"status", status},
                       {"labels", {{"alertname", "X"}, {"instance", fingerprint}}},
                       {"annotations", {{"summary", fingerprint + " down"}}},
                       {"startsAt", "2026-11-02T08:55:00Z"},
                       {"endsAt", "0001-01-01T00:00:00Z"},
                       {"generatorURL", "http://p"},
                       {"fingerprint", fingerprint}});
  }
  return json{{"version", "4"},
              {"groupKey", group},
              {"status", "firing"},
              {"receiver", "r"},
              {"groupLabels", json::object()},
              {"commonLabels", json::object()},
              {"commonAnnotations", json::object()},
              {"externalURL", "http://am"},
              {"truncatedAlerts", 0},
              {"alerts", members}}
      .dump();
}

TEST_F(IncidentApiTest, ListIncidentsNeedsAToken) {
  auto r = Call(Method::kGet, "/v1/incidents");
  EXPECT_EQ(r->response->status, 401);
  r = Call(Method::kGet, "/v1/incidents", {}, "loo_unknown");
  EXPECT_EQ(r->response->status, 401);
  EXPECT_EQ(Body(*r)["type"], "https://loom-oncall.dev/problems/unauthenticated");
}

TEST_F(IncidentApiTest, ListIncidentsFiltersAndPages) {
  auto created = Call(Method::kPost, "/v1/services", R"({"id":"db"})", kAdminToken);
  ASSERT_EQ(created->response->status, 201) << created->response->body;
  const std::string db_key = Body(*created)["integration_key"];
  ASSERT_EQ(Trigger("a", Severity::kSev2), 1);
  ASSERT_EQ(Trigger("b", Severity::kSev2), 2);
  ASSERT_EQ(Trigger("c", Severity::kSev1), 3);
  ASSERT_EQ(Call(Method::kPost, "/v1/integrations/generic",
                 R"({"summary":"db slow","severity":"error","dedup_key":"d"})", db_key)
                ->response->status,
            202);
  ASSERT_EQ(Trigger("e", Severity::kSev2), 5);
  for (int64_t n : {1, 3, 4, 5}) ASSERT_TRUE(Act(n, IncidentCommand::Type::kAcknowledge).ok());
  ASSERT_TRUE(Act(2, IncidentCommand::Type::kResolve).ok());
  ASSERT_EQ(StartDrill(), "INC-6");

  // Acknowledged sev2 incidents of loom, one a page, from the newest below the cursor.
  auto r = Call(Method::kGet,
                "/v1/"
                "incidents?state=acknowledged&severity=sev2&service=loom&open="
                "true&limit=1"
                "&cursor=40",
                {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json j = Body(*r);
  EXPECT_EQ(Ids(j), std::vector<std::string>{"INC-5"});
  EXPECT_EQ(j["next"], "5");
  r = Call(Method::kGet, "/v1/incidents?state=acknowledged&severity=sev2&service=loom&cursor=5", {},
           kViewerToken);
  j = Body(*r);
  EXPECT_EQ(Ids(j), std::vector<std::string>{"INC-1"});
  EXPECT_TRUE(j["next"].is_null());

  EXPECT_EQ(Listed("service=db"), std::vector<std::string>{"INC-4"});
  EXPECT_EQ(Listed("state=resolved"), std::vector<std::string>{"INC-2"});
  EXPECT_EQ(Listed("open=true&service=loom"),
            (std::vector<std::string>{"INC-6", "INC-5", "INC-3", "INC-1"}));
  // Drills are listed (marked) unless filtered.
  EXPECT_EQ(Listed("drill=true"), std::vector<std::string>{"INC-6"});
  EXPECT_EQ(Listed("drill=false&severity=sev2&state=acknowledged"),
            (std::vector<std::string>{"INC-5", "INC-4", "INC-1"}));
  EXPECT_EQ(Listed("severity=sev2&state=triggered"), std::vector<std::string>{"INC-6"});
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents?drill=maybe", {}, kViewerToken)->response->status,
            400);
}

TEST_F(IncidentApiTest, ListIncidentsRejectsBadQueryValues) {
  for (const char *bad : {"limit=0", "limit=501", "limit=x", "state=open", "severity=high",
                          "open=maybe", "cursor=-1"}) {
    auto r = Call(Method::kGet, std::string("/v1/incidents?") + bad, {}, kViewerToken);
    ASSERT_EQ(r->response->status, 400) << bad;
    json j = Body(*r);
    std::string name = std::string(bad).substr(0, std::string(bad).find('='));
    ASSERT_EQ(j["errors"].size(), 1u) << bad;
    EXPECT_EQ(j["errors"][0]["pointer"], "/query/" + name) << bad;
  }
}

TEST_F(IncidentApiTest, GetIncident) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-1", {}, kViewerToken)->response->status, 200);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/1", {}, kViewerToken)->response->status, 200);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-2", {}, kViewerToken)->response->status, 404);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/bogus", {}, kViewerToken)->response->status, 404);
  json j = Body(*Call(Method::kGet, "/v1/incidents/INC-1", {}, kViewerToken));
  EXPECT_EQ(j["id"], "INC-1");
  EXPECT_EQ(j["state"], "triggered");
  ASSERT_TRUE(j["timeline"].is_array());
  ASSERT_FALSE(j["timeline"].empty());
  EXPECT_EQ(j["timeline"][0]["type"], "incident.triggered");
  ASSERT_TRUE(j["alerts"].is_array());
  EXPECT_EQ(j["alerts"].size(), 1u);
}

TEST_F(IncidentApiTest, ActionsNeedTheResponderRole) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", {}, kViewerToken);
  EXPECT_EQ(r->response->status, 403);
  EXPECT_EQ(Body(*r)["type"], "https://loom-oncall.dev/problems/permission-denied");
  EXPECT_EQ(Stored(1).incident.state, IncidentState::kTriggered);
}

TEST_F(IncidentApiTest, AcknowledgeRecordsTheActor) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", R"({"note":"on it"})",
                kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(Body(*r)["id"], "INC-1");
  EXPECT_EQ(Body(*r)["state"], "acknowledged");
  EXPECT_EQ(Stored(1).incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ(EventBy(1, "incident.acknowledged", "token:ci")["note"], "on it");
}

TEST_F(IncidentApiTest, BootstrapAdminIsTokenAdmin) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/resolve", {}, kAdminToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(Stored(1).incident.state, IncidentState::kResolved);
  EventBy(1, "incident.resolved", "token:admin");
}

TEST_F(IncidentApiTest, ActionBodyValidation) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/severity", R"({"severity":"sev9"})",
                kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/severity");
  r = Call(Method::kPost, "/v1/incidents/INC-1/commander", "{}", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/commander");
  r = Call(Method::kPost, "/v1/incidents/INC-1/notes", R"({"note":""})", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  r = Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", "[1]", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  // Nothing of it reached the incident.
  IncidentDetail stored = Stored(1);
  EXPECT_EQ(stored.incident.state, IncidentState::kTriggered);
  EXPECT_EQ(stored.incident.severity, Severity::kSev2);
  EXPECT_EQ(stored.incident.commander, "");
  EXPECT_FALSE(LastEvent(1, "incident.note").has_value());

  r = Call(Method::kPost, "/v1/incidents/INC-1/severity", R"({"severity":"sev1"})",
           kResponderToken);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(Stored(1).incident.severity, Severity::kSev1);
  EXPECT_EQ(EventBy(1, "incident.severity_changed", "token:ci"),
            (json{{"from", "sev2"}, {"to", "sev1"}}));
}

TEST_F(IncidentApiTest, NotificationsListTheOutboxOfAnIncident) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  // The incident's first escalation step pages alice (as the engine does: firing its deadline).
  Result<std::vector<Deadline>> pending = store_->PendingDeadlinesOf(1, 1);
  ASSERT_TRUE(pending.ok() && !pending->empty());
  OutboxEntry e;
  e.unique_key = "INC-1/arm1/step0/page/alice";
  e.incident_number = 1;
  e.role = "primary";
  e.recipient = "alice";
  e.channel = "page";
  e.method = "mail";
  e.method_type = "email";
  e.payload_json = R"({"title":"db down"})";
  e.next_attempt_at = clock_.Now();
  Result<DeadlineFiring> fired = AwaitWrite<DeadlineFiring>([&](auto done) {
    store_->FireDeadline(
        pending->front().id,
        [e](const Deadline &, const std::optional<Incident> &, TimePoint) {
          DeadlineEffects effects;
          effects.outbox.push_back(e);
          return effects;
        },
        done);
  });
  ASSERT_TRUE(fired.ok() && fired->outbox_inserted == 1);

  auto r = Call(Method::kGet, "/v1/incidents/INC-1/notifications", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json j = Body(*r);
  EXPECT_EQ(j["incident"], "INC-1");
  ASSERT_EQ(j["notifications"].size(), 1u);
  EXPECT_EQ(j["notifications"][0]["user"], "alice");
  EXPECT_EQ(j["notifications"][0]["kind"], "page");
  EXPECT_EQ(j["notifications"][0]["method"], "mail");
  EXPECT_EQ(j["notifications"][0]["type"], "email");
  EXPECT_EQ(j["notifications"][0]["role"], "primary");
  EXPECT_EQ(j["notifications"][0]["state"], "pending");
  EXPECT_EQ(j["notifications"][0]["details"]["title"], "db down");
  EXPECT_EQ(
      Call(Method::kGet, "/v1/incidents/INC-2/notifications", {}, kViewerToken)->response->status,
      404);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-1/notifications")->response->status, 401);
}

TEST_F(IncidentApiTest, ReassignNeedsAUser) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  ASSERT_TRUE(Act(1, IncidentCommand::Type::kAcknowledge).ok());
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/reassign", "{}", kResponderToken);
  EXPECT_EQ(r->response->status, 400);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/user");
  EXPECT_EQ(Stored(1).incident.state, IncidentState::kAcknowledged);
  r = Call(Method::kPost, "/v1/incidents/INC-1/reassign", R"({"user":"bob"})", kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  // Reassigned: triggered again, bob paged next.
  EXPECT_EQ(Stored(1).incident.state, IncidentState::kTriggered);
  EXPECT_EQ(EventBy(1, "incident.reassigned", "token:ci")["assignee"], "bob");
}

TEST_F(IncidentApiTest, UnacknowledgeIsAResponderCommand) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  ASSERT_TRUE(Act(1, IncidentCommand::Type::kAcknowledge).ok());
  EXPECT_EQ(
      Call(Method::kPost, "/v1/incidents/INC-1/unacknowledge", {}, kViewerToken)->response->status,
      403);
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/unacknowledge", {}, kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(Stored(1).incident.state, IncidentState::kTriggered);
  EventBy(1, "incident.unacknowledged", "token:ci");
}

TEST_F(IncidentApiTest, StatusUpdatesNeedAllFourFieldsEachNamedIn422) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/updates", "{}", kResponderToken);
  EXPECT_EQ(r->response->status, 422);
  json j = Body(*r);
  ASSERT_EQ(j["errors"].size(), 4u) << j.dump();
  EXPECT_EQ(j["errors"][0]["pointer"], "/impact");
  EXPECT_EQ(j["errors"][1]["pointer"], "/scope");
  EXPECT_EQ(j["errors"][2]["pointer"], "/mitigation");
  EXPECT_EQ(j["errors"][3]["pointer"], "/next_update_at");
  // One missing field (blank counts as missing) is the only one named.
  r = Call(Method::kPost, "/v1/incidents/INC-1/updates",
           R"({"impact":"x","scope":" ","mitigation":"m","next_update_at":"2026-11-02T09:10:00Z"})",
           kResponderToken);
  EXPECT_EQ(r->response->status, 422);
  j = Body(*r);
  ASSERT_EQ(j["errors"].size(), 1u) << j.dump();
  EXPECT_EQ(j["errors"][0]["pointer"], "/scope");
  r = Call(Method::kPost, "/v1/incidents/INC-1/updates",
           R"({"impact":"x","scope":"s","mitigation":"m","next_update_at":"soon"})",
           kResponderToken);
  EXPECT_EQ(r->response->status, 422);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/next_update_at");
  EXPECT_FALSE(LastEvent(1, "incident.status_update").has_value());

  r = Call(Method::kPost, "/v1/incidents/INC-1/updates",
           R"({"impact":"EU users","scope":"messaging","mitigation":"failover",)"
           R"("next_update_at":"2026-11-02T09:10:00Z"})",
           kResponderToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json data = EventBy(1, "incident.status_update", "token:ci");
  EXPECT_EQ(data["impact"], "EU users");
  EXPECT_EQ(data["scope"], "messaging");
  EXPECT_EQ(data["mitigation"], "failover");
  EXPECT_EQ(data["next_update_at"],
            ToUnixMicros(clock_.Now() + std::chrono::minutes(10)));  // 09:10Z
}

TEST_F(IncidentApiTest, AStatusUpdateCannotPromiseLaterThanTheCadence) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  Result<SeverityPolicy> policy = BuildSeverityPolicy(BuiltInRunbook(), kBuiltInRunbookName, {});
  ASSERT_TRUE(policy.ok());
  Api api(*store_, clock_, Sha256Hex(kAdminToken), ApiOptions{},
          std::make_shared<const SeverityPolicy>(*policy));
  const std::string auth = "Bearer " + std::string(kResponderToken);
  auto send = [&](std::string_view body) {
    return Send(RequestTo(Method::kPost, "/v1/incidents/INC-1/updates", body, auth), &api);
  };
  // INC-1 is a Sev2: an update every 30 minutes (clock: 2026-11-02T09:00Z).
  auto r = send(R"({"impact":"x","scope":"s","mitigation":"m",)"
                R"("next_update_at":"2026-11-02T11:00:00Z"})");
  EXPECT_EQ(r->response->status, 422) << r->response->body;
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/next_update_at") << r->response->body;
  EXPECT_FALSE(LastEvent(1, "incident.status_update").has_value());
  r = send(
      R"({"impact":"x","scope":"s","mitigation":"m","next_update_at":"2026-11-02T09:20:00Z"})");
  EXPECT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_TRUE(LastEvent(1, "incident.status_update").has_value());
}

TEST_F(IncidentApiTest, AStateConflictIs409NamingTheState) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/mitigate", {}, kResponderToken);
  EXPECT_EQ(r->response->status, 409);
  json j = Body(*r);
  EXPECT_EQ(j["detail"], "INC-1 is triggered; acknowledge it before marking it mitigated");
  EXPECT_EQ(j["instance"], "/v1/incidents/INC-1/mitigate");
  EXPECT_EQ(Stored(1).incident.state, IncidentState::kTriggered);
}

TEST_F(IncidentApiTest, ListAlertsFiltersByIncidentAndStatus) {
  ASSERT_EQ(Trigger("disk", Severity::kSev2), 1);
  auto am = [&](const std::string &body) {
    return Call(Method::kPost, "/v1/integrations/alertmanager", body, kKey)->response->status;
  };
  ASSERT_EQ(am(AmGroup("g", {{"fp-1", "firing"}, {"fp-2", "firing"}, {"fp-3", "firing"}})), 200);
  ASSERT_EQ(am(AmGroup("g", {{"fp-2", "resolved"}})), 200);

  EXPECT_EQ(Call(Method::kGet, "/v1/alerts?status=open", {}, kViewerToken)->response->status, 400);
  auto r = Call(Method::kGet, "/v1/alerts?incident=INC-2&status=firing&limit=3", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json j = Body(*r);
  ASSERT_EQ(j["alerts"].size(), 2u) << j.dump();
  for (const json &a : j["alerts"]) {
    EXPECT_EQ(a["incident"], "INC-2") << a.dump();
    EXPECT_EQ(a["status"], "firing") << a.dump();
  }
  EXPECT_TRUE(j["next"].is_null());
  r = Call(Method::kGet, "/v1/alerts?incident=INC-2&limit=1", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r)["alerts"].size(), 1u);
  EXPECT_FALSE(Body(*r)["next"].is_null());
}

TEST_F(IncidentApiTest, IncidentAlertsPageOldestFirstAfterACursor) {
  std::vector<std::pair<std::string, std::string>> members;
  for (int i = 0; i < kIncidentDetailAlerts + 1; ++i) {
    members.emplace_back("fp-" + std::to_string(i), "firing");
  }
  ASSERT_EQ(Call(Method::kPost, "/v1/integrations/alertmanager", AmGroup("big", members), kKey)
                ->response->status,
            200);
  auto summaries = [](const json &page) {
    std::vector<std::string> out;
    for (const json &a : page["alerts"]) out.push_back(a["summary"]);
    return out;
  };

  // By default the first kIncidentDetailAlerts, oldest first, then the rest after the cursor.
  auto r = Call(Method::kGet, "/v1/incidents/INC-1/alerts", {}, kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  json j = Body(*r);
  EXPECT_EQ(j["incident"], "INC-1");
  ASSERT_EQ(j["alerts"].size(), static_cast<size_t>(kIncidentDetailAlerts));
  EXPECT_EQ(j["alerts"].front()["summary"], "fp-0 down");
  EXPECT_EQ(j["alerts"].back()["summary"], "fp-99 down");
  ASSERT_FALSE(j["next"].is_null());
  r = Call(Method::kGet,
           "/v1/incidents/INC-1/alerts?after=" + j["next"].get<std::string>() + "&limit=50", {},
           kViewerToken);
  ASSERT_EQ(r->response->status, 200) << r->response->body;
  j = Body(*r);
  EXPECT_EQ(summaries(j), std::vector<std::string>{"fp-100 down"});
  EXPECT_TRUE(j["next"].is_null());
  r = Call(Method::kGet, "/v1/incidents/INC-1/alerts?limit=2", {}, kViewerToken);
  EXPECT_EQ(summaries(Body(*r)), (std::vector<std::string>{"fp-0 down", "fp-1 down"}));

  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-2/alerts", {}, kViewerToken)->response->status,
            404);
  EXPECT_EQ(
      Call(Method::kGet, "/v1/incidents/INC-1/alerts?after=x", {}, kViewerToken)->response->status,
      400);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-1/alerts?limit=501", {}, kViewerToken)
                ->response->status,
            400);
  EXPECT_EQ(Call(Method::kGet, "/v1/incidents/INC-1/alerts", {}, "")->response->status, 401);
}

}  // namespace
}  // namespace loom::http
