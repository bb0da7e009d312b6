// What GET /v1/incidents and /v1/incidents/{id} say of the policy (ack_due_at,
// next_update_due_at, allowed_actions), checked against what the escalation engine then does:
// the Api, a real store and the engine on one fake clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/time_format.h"
#include "engine/engine_test_support.h"
#include "engine/escalation_engine.h"
#include "http/api.h"
#include "http/awaited_reply.h"
#include "testing/weekly_schedule.h"

namespace loom::http {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kAdminToken[] = "bootstrap-admin-token";
constexpr char kViewerToken[] = "loo_viewer";

class IncidentViewTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    policy_ = BuiltInPolicy(/*repeat=*/1);
    OpenStore();
    CreateLoomService();
    Result<ApiToken> viewer = AwaitWrite<ApiToken>([&](auto done) {
      store_->CreateToken("dash", Role::kViewer, Sha256Hex(kViewerToken), done);
    });
    ASSERT_TRUE(viewer.ok()) << viewer.error().message;
    engine_ = std::make_unique<EscalationEngine>(
        *store_, clock_, policy_,
        std::make_shared<Roster>(
            testing::WeeklyRoster("loom", {{OnCallRole::kPrimary, "alice"},
                                           {OnCallRole::kSecondary, "bob"},
                                           {OnCallRole::kEscalationManager, "erin"}})));
    ASSERT_TRUE(engine_->Load().ok());
    api_ = std::make_unique<Api>(*store_, clock_, Sha256Hex(kAdminToken), ApiOptions{}, policy_);
  }
  void TearDown() override {
    api_.reset();
    engine_.reset();
  }

  // The answer to one request, whatever its status.
  Response Send(Method method, const std::string& path, const std::string& token = kAdminToken,
                const std::string& body = "{}") {
    const std::string auth = "Bearer " + token;
    Request req;
    req.method = method;
    req.target = path;
    req.path = path;
    req.authorization = auth;
    if (method == Method::kPost || method == Method::kPut) req.body = body;
    auto reply = std::make_shared<AwaitedReply>();
    api_->Handle(api_->Match(method, req.path), req, reply);
    return reply->Get();
  }
  json Call(Method method, const std::string& path, const std::string& token = kAdminToken,
            const std::string& body = "{}") {
    Response r = Send(method, path, token, body);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  json Get(int64_t n, const std::string& token = kAdminToken) {
    return Call(Method::kGet, "/v1/incidents/INC-" + std::to_string(n), token);
  }

  // Whether the escalation has notified the secondary of incident `n` (its timeline).
  bool SecondaryPaged(int64_t n) {
    for (const std::string& e : EventTypes(n, "escalation.notified")) {
      if (e.find(R"("role":"secondary")") != std::string::npos) return true;
    }
    return false;
  }

  void AdvanceAndRun(Duration d) {
    clock_.Advance(d);
    engine_->RunDue();
  }

  std::shared_ptr<const SeverityPolicy> policy_;
  std::unique_ptr<EscalationEngine> engine_;
  std::unique_ptr<Api> api_;
};

TEST_F(IncidentViewTest, AckDueAtIsWhenTheEngineEscalates) {
  const int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  const TimePoint opened = clock_.Now();
  json j = Get(n);
  EXPECT_EQ(j["ack_due_at"], FormatRfc3339(opened + minutes(5)));  // the runbook's Sev1 target
  EXPECT_EQ(j["next_update_due_at"], nullptr);
  EXPECT_EQ(j["allowed_actions"],
            json({"acknowledge", "resolve", "commander", "severity", "reassign", "updates", "notes",
                  "escalate", "probe", "evidence"}));

  AdvanceAndRun(minutes(5) - seconds(1));
  EXPECT_FALSE(SecondaryPaged(n)) << "nobody else is paged before ack_due_at";
  AdvanceAndRun(seconds(1));
  EXPECT_TRUE(SecondaryPaged(n));
  // The next step's target: the escalation manager, one ack target later.
  EXPECT_EQ(Get(n)["ack_due_at"], FormatRfc3339(opened + minutes(10)));

  // A raised severity arms the escalation again at once: a Sev3 raised to Sev1 is due one Sev1
  // target after the raise, and the engine pages the secondary then.
  const int64_t m = Trigger("api", Severity::kSev3);
  engine_->RunDue();
  clock_.Advance(minutes(7));
  json raised = Call(Method::kPost, "/v1/incidents/INC-" + std::to_string(m) + "/severity",
                     kAdminToken, R"({"severity":"sev1"})");
  EXPECT_EQ(raised["severity"], "sev1");
  engine_->RunDue();
  const TimePoint raised_at = clock_.Now();
  EXPECT_EQ(Get(m)["ack_due_at"], FormatRfc3339(raised_at + minutes(5)));
  AdvanceAndRun(minutes(5) - seconds(1));
  EXPECT_FALSE(SecondaryPaged(m));
  AdvanceAndRun(seconds(1));
  EXPECT_TRUE(SecondaryPaged(m));
}

// "escalate" is offered exactly while POST .../escalate is taken: each offered escalation pages
// the next role at once, and once everyone has been paged it is neither offered nor taken.
TEST_F(IncidentViewTest, EscalateIsOfferedWhileTheServerTakesIt) {
  const int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  const std::string escalate = "/v1/incidents/INC-" + std::to_string(n) + "/escalate";
  auto offered = [&] {
    json actions = Get(n)["allowed_actions"];
    return std::find(actions.begin(), actions.end(), "escalate") != actions.end();
  };
  int taken = 0;
  for (; taken < 10 && offered(); ++taken) {
    EXPECT_EQ(Send(Method::kPost, escalate).status, 200);
    engine_->RunDue();
    if (taken == 0) {
      EXPECT_TRUE(SecondaryPaged(n));
    }
  }
  EXPECT_GE(taken, 2);  // the secondary, then the escalation manager
  EXPECT_FALSE(offered());
  EXPECT_EQ(Send(Method::kPost, escalate).status, 409);

  // An acknowledged incident does not escalate.
  const int64_t m = Trigger("api", Severity::kSev2);
  engine_->RunDue();
  json acked = Call(Method::kPost, "/v1/incidents/INC-" + std::to_string(m) + "/acknowledge");
  EXPECT_EQ(acked["state"], "acknowledged");
  json actions = Get(m)["allowed_actions"];
  EXPECT_EQ(std::find(actions.begin(), actions.end(), "escalate"), actions.end());
  EXPECT_EQ(Send(Method::kPost, "/v1/incidents/INC-" + std::to_string(m) + "/escalate").status,
            409);
}

TEST_F(IncidentViewTest, NextUpdateDueAtIsWhenTheEngineRecordsAMissedUpdate) {
  const int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  clock_.Advance(minutes(1));
  json acked = Call(Method::kPost, "/v1/incidents/INC-" + std::to_string(n) + "/acknowledge");
  EXPECT_EQ(acked["state"], "acknowledged");
  engine_->RunDue();
  json j = Get(n);
  EXPECT_EQ(j["ack_due_at"], nullptr);
  const std::string due = j["next_update_due_at"];
  EXPECT_EQ(due, FormatRfc3339(clock_.Now() + minutes(15)));  // the runbook's Sev1 cadence
  EXPECT_EQ(j["allowed_actions"],
            json({"unacknowledge", "mitigate", "resolve", "commander", "severity", "reassign",
                  "updates", "notes", "probe", "evidence"}));

  AdvanceAndRun(minutes(15) - seconds(1));
  EXPECT_TRUE(EventTypes(n, "update.missed").empty());
  AdvanceAndRun(seconds(1));
  ASSERT_EQ(EventTypes(n, "update.missed").size(), 1u);
  EXPECT_EQ(EventTypes(n, "update.missed")[0], "update.missed {\"due_at\":\"" + due + "\"}");
  // Then the next one, one cadence later.
  EXPECT_EQ(Get(n)["next_update_due_at"], FormatRfc3339(clock_.Now() + minutes(15)));
}

TEST_F(IncidentViewTest, AViewerSeesTheDueTimesButNoActions) {
  const int64_t n = Trigger("db", Severity::kSev2);
  engine_->RunDue();
  json one = Get(n, kViewerToken);
  EXPECT_EQ(one["allowed_actions"], json::array());
  EXPECT_EQ(one["ack_due_at"], FormatRfc3339(clock_.Now() + minutes(15)));

  json list = Call(Method::kGet, "/v1/incidents", kViewerToken);
  ASSERT_EQ(list["incidents"].size(), 1u);
  EXPECT_EQ(list["incidents"][0]["allowed_actions"], json::array());
  EXPECT_EQ(list["incidents"][0]["ack_due_at"], one["ack_due_at"]);
  list = Call(Method::kGet, "/v1/incidents");
  EXPECT_EQ(list["incidents"][0]["allowed_actions"][0], "acknowledge");
}

// The writes of the incident page's panels (core/incident_view.h AllowedPanelWrites) follow the
// incident through its life, and the server takes what they list.
TEST_F(IncidentViewTest, AllowedActionsNameThePanelsWritesTheServerTakes) {
  auto tail = [](const json& actions, size_t n) {
    return json(std::vector<json>(actions.end() - static_cast<std::ptrdiff_t>(n), actions.end()));
  };
  const int64_t n = Trigger("db", Severity::kSev3);
  EXPECT_EQ(tail(Get(n)["allowed_actions"], 2), json({"probe", "evidence"}));
  ASSERT_TRUE(Act(n, IncidentCommand::Type::kResolve).ok());
  json resolved = Get(n)["allowed_actions"];
  EXPECT_EQ(tail(resolved, 2), json({"evidence", "summary"}));
  const std::string inc = "/v1/incidents/INC-" + std::to_string(n);
  json summary = Call(Method::kPut, inc + "/summary", kAdminToken,
                      R"({"root_cause":"disk","customer_impact":"none","remediation":"swap",)"
                      R"("followups":[],"no_followups_reason":"nothing to follow"})");
  EXPECT_EQ(summary["root_cause"], "disk");
  ASSERT_TRUE(Act(n, IncidentCommand::Type::kClose).ok());
  EXPECT_EQ(tail(Get(n)["allowed_actions"], 2), json({"evidence", "review"}));

  // A security incident: its checklist and report until it is closed, no probe.
  const int64_t s = Trigger("intrusion", Severity::kSev2, IncidentKind::kSecurity);
  json security = Get(s)["allowed_actions"];
  EXPECT_EQ(tail(security, 3), json({"evidence", "checklist", "security-report"}));
  for (const json& a : security) EXPECT_NE(a, "probe");
  json checklist = Call(Method::kGet, "/v1/incidents/INC-" + std::to_string(s) + "/checklist");
  ASSERT_FALSE(checklist["items"].empty());
  const std::string item = checklist["items"][0]["id"];
  json done = Call(Method::kPost, "/v1/incidents/INC-" + std::to_string(s) + "/checklist/" + item,
                   kAdminToken, R"({"done":true})");
  EXPECT_EQ(done["done"], 1);
}

}  // namespace
}  // namespace loom::http
