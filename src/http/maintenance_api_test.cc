// maintenance_handlers.cc: /v1/maintenance on the Api over a real SQLite store — scheduling
// (one-off by end or duration, weekly), the problem documents of bad input, the list's groups,
// the early end with the incidents it released, the delete rules, and the incident JSON's
// "maintenance" while its service is in maintenance. Against the real binary:
// tests/integration/test_maintenance.py.

#include <future>

#include "common/time_format.h"
#include "engine/engine_test_support.h"
#include "engine/escalation_engine.h"
#include "http/api_test_support.h"

namespace loom::http::api_testing {
namespace {

using std::chrono::hours;

class MaintenanceApiTest : public ::loom::testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    CreateLoomService();
    // The engine holds the incidents' first steps (nobody is on call: they would be unrouted).
    engine_ = std::make_unique<EscalationEngine>(*store_, clock_, BuiltInPolicy(0), nullptr);
    ASSERT_TRUE(engine_->Load().ok());
    api_ = std::make_unique<Api>(*store_, clock_, Sha256Hex(kAdminToken), ApiOptions{});
  }
  void TearDown() override {
    api_.reset();
    engine_.reset();
  }

  Response Call(Method method, const std::string& path, const std::string& body = "") {
    auth_ = "Bearer " + std::string(kAdminToken);
    Request req;
    req.method = method;
    req.target = path;
    req.path = path;
    req.authorization = auth_;
    req.body = body;
    auto reply = std::make_shared<WaitableReply>();
    api_->Handle(api_->Match(method, req.path), req, reply);
    return reply->Wait();
  }
  static json Body(const Response& r) { return json::parse(r.body); }
  static std::vector<std::string> Pointers(const Response& r) {
    std::vector<std::string> out;
    const json body = Body(r);
    for (const json& e : body["errors"]) out.push_back(e["pointer"].get<std::string>());
    return out;
  }

  std::string auth_;
  std::unique_ptr<EscalationEngine> engine_;
  std::unique_ptr<Api> api_;
};

TEST_F(MaintenanceApiTest, SchedulesAOneOffWindowByDurationOrEnd) {
  Response r = Call(Method::kPost, "/v1/maintenance",
                    R"({"services":["loom"],"reason":"db upgrade","duration":"2h"})");
  ASSERT_EQ(r.status, 201) << r.body;
  json w = Body(r);
  EXPECT_EQ(w["state"], "active");
  EXPECT_EQ(w["services"], json({"loom"}));
  EXPECT_EQ(w["start"], FormatRfc3339(clock_.Now()));
  EXPECT_EQ(w["end"], FormatRfc3339(clock_.Now() + hours(2)));
  EXPECT_EQ(w["created_by"], "token:admin");
  EXPECT_EQ(w["source"], "api");
  EXPECT_TRUE(w["weekly"].is_null());

  r = Call(Method::kPost, "/v1/maintenance",
           R"({"services":["loom"],"reason":"later","start":"2026-11-03T10:00:00Z",)"
           R"("end":"2026-11-03T12:00:00Z"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["state"], "scheduled");

  r = Call(Method::kPost, "/v1/maintenance",
           R"({"services":["loom"],"reason":"patching","weekly":{"days":"sat,sun",)"
           R"("from":"02:00","to":"04:00","time_zone":"Europe/Berlin"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["weekly"], json({{"days", "sat,sun"},
                                     {"from", "02:00"},
                                     {"to", "04:00"},
                                     {"time_zone", "Europe/Berlin"}}));

  r = Call(Method::kGet, "/v1/maintenance");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["active"].size(), 1u);
  EXPECT_EQ(Body(r)["scheduled"].size(), 2u);
  EXPECT_EQ(Body(r)["scheduled"][0]["reason"], "later");  // starting soonest first
  EXPECT_TRUE(Body(r)["past"].empty());
}

TEST_F(MaintenanceApiTest, BadInputIsAProblemNamingTheFields) {
  Response r = Call(Method::kPost, "/v1/maintenance", R"({"services":[],"duration":"soon"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(Pointers(r), (std::vector<std::string>{"/services", "/reason", "/duration"}));

  r = Call(Method::kPost, "/v1/maintenance",
           R"({"services":["loom"],"reason":"x","start":"tomorrow","end":"2026-11-03T12:00:00Z"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Pointers(r), std::vector<std::string>{"/start"});
  r = Call(Method::kPost, "/v1/maintenance", R"({"services":["loom"],"reason":"x"})");
  EXPECT_EQ(Pointers(r), std::vector<std::string>{"/end"});
  r = Call(Method::kPost, "/v1/maintenance",
           R"({"services":["loom"],"reason":"x","end":"2026-11-01T12:00:00Z"})");
  EXPECT_EQ(r.status, 400);  // before the default start, now
  EXPECT_EQ(Pointers(r), std::vector<std::string>{"/end"});
  r = Call(Method::kPost, "/v1/maintenance",
           R"({"services":["loom","ghost"],"reason":"x","duration":"1h"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Pointers(r), std::vector<std::string>{"/services/1"});
  r = Call(Method::kPost, "/v1/maintenance",
           R"({"services":["loom"],"reason":"x","duration":"1h","weekly":{"days":"sat",)"
           R"("from":"02:00","to":"04:00","time_zone":"UTC"}})");
  EXPECT_EQ(Pointers(r), std::vector<std::string>{"/duration"});
  r = Call(Method::kPost, "/v1/maintenance", "[1]");
  EXPECT_EQ(r.status, 400);
}

TEST_F(MaintenanceApiTest, EndReleasesTheHeldIncidentsAndDeleteOnlyBeforeTheStart) {
  json active = Body(Call(Method::kPost, "/v1/maintenance",
                          R"({"services":["loom"],"reason":"db upgrade","duration":"1h"})"));
  json later = Body(Call(Method::kPost, "/v1/maintenance",
                         R"({"services":["loom"],"reason":"later","start":"2026-11-03T10:00:00Z",)"
                         R"("duration":"1h"})"));
  const std::string active_id = std::to_string(active["id"].get<int64_t>());
  const std::string later_id = std::to_string(later["id"].get<int64_t>());

  // An open incident of the service carries the maintenance in its JSON.
  const int64_t n = Trigger("db", Severity::kSev1);
  Response r = Call(Method::kGet, "/v1/incidents/" + IncidentId(n));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["maintenance"]["reason"], "db upgrade");
  EXPECT_EQ(Body(r)["maintenance"]["windows"], json({active["id"]}));
  r = Call(Method::kGet, "/v1/incidents");
  EXPECT_EQ(Body(r)["incidents"][0]["maintenance"]["until"], active["end"]);

  EXPECT_EQ(Call(Method::kDelete, "/v1/maintenance/" + active_id).status, 409);
  EXPECT_EQ(Call(Method::kPost, "/v1/maintenance/" + later_id + "/end").status, 409);
  EXPECT_EQ(Call(Method::kPost, "/v1/maintenance/77/end").status, 404);
  EXPECT_EQ(Call(Method::kGet, "/v1/maintenance/abc").status, 404);

  r = Call(Method::kDelete, "/v1/maintenance/" + later_id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "cancelled");
  EXPECT_EQ(Body(r)["cancelled_by"], "token:admin");

  r = Call(Method::kPost, "/v1/maintenance/" + active_id + "/end");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "past");
  EXPECT_EQ(Body(r)["ended_by"], "token:admin");
  EXPECT_EQ(Body(r)["released"], json({IncidentId(n)}));
  r = Call(Method::kGet, "/v1/incidents/" + IncidentId(n));
  EXPECT_TRUE(Body(r)["maintenance"].is_null());
  r = Call(Method::kGet, "/v1/maintenance");
  EXPECT_EQ(Body(r)["past"].size(), 2u);
}

}  // namespace
}  // namespace loom::http::api_testing
