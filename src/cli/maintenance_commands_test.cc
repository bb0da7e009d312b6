#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"

namespace loom {
namespace {

using testing::CliHarness;

constexpr char kWindow[] = R"({"id":3,"services":["loom"],"reason":"db upgrade","state":"active",
  "start":"2026-12-07T10:00:00.000Z","end":"2026-12-07T11:00:00.000Z","weekly":null})";

TEST(MaintenanceCommandsTest, StartSendsTheServicesDurationAndReason) {
  CliHarness h;
  h.api.Respond(201, kWindow);
  EXPECT_EQ(h.Run({"maintenance", "start", "--service", "loom", "--for", "1h", "--reason",
                   "db upgrade", "--token", "t"}),
            0)
      << h.err.str();
  ASSERT_EQ(h.api.requests.size(), 1u);
  EXPECT_EQ(h.api.requests[0].method, "POST");
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/maintenance");
  EXPECT_EQ(
      nlohmann::json::parse(h.api.requests[0].body),
      nlohmann::json::parse(R"({"services":["loom"],"duration":"1h","reason":"db upgrade"})"));
  EXPECT_EQ(h.out.str(),
            "Scheduled maintenance window 3 on loom (active): 2026-12-07T10:00:00.000Z to "
            "2026-12-07T11:00:00.000Z\n");
}

TEST(MaintenanceCommandsTest, StartNeedsExactlyOneOfForAndEnd) {
  CliHarness h;
  EXPECT_NE(h.Run({"maintenance", "start", "--service", "loom", "--reason", "x"}), 0);
  EXPECT_NE(h.err.str().find("--for"), std::string::npos);
  EXPECT_TRUE(h.api.requests.empty());

  CliHarness refused;
  refused.api.Respond(400,
                      R"({"title":"Bad Request","status":400,"detail":"unknown service 'nope'"})");
  EXPECT_NE(
      refused.Run({"maintenance", "start", "--service", "nope", "--for", "1h", "--reason", "x"}),
      0);
  EXPECT_NE(refused.err.str().find("unknown service 'nope'"), std::string::npos);
}

TEST(MaintenanceCommandsTest, ListShowsEveryGroupAndFiltersByService) {
  CliHarness h;
  h.api.Respond(200, std::string(R"({"active":[)") + kWindow + R"(],"scheduled":[
    {"id":4,"services":["billing","loom"],"reason":"patching","state":"scheduled",
     "start":"2026-12-12T01:00:00.000Z","end":"2026-12-12T03:00:00.000Z",
     "weekly":{"days":"sat","from":"02:00","to":"04:00","time_zone":"Europe/Berlin"}}],
    "past":[{"id":1,"services":["api"],"reason":"old","state":"past",
     "start":"2026-12-01T10:00:00.000Z","end":"2026-12-01T11:00:00.000Z","weekly":null},
     {"id":2,"services":["loom"],"reason":"not needed","state":"past",
     "start":"2026-12-09T10:00:00.000Z","end":"2026-12-09T11:00:00.000Z","weekly":null,
     "cancelled_at":"2026-12-02T08:00:00.000Z","cancelled_by":"token:ops"}]})");
  EXPECT_EQ(h.Run({"maintenance", "list", "--service", "loom"}), 0) << h.err.str();
  const std::string out = h.out.str();
  EXPECT_NE(out.find("3   active"), std::string::npos) << out;
  EXPECT_NE(out.find("sat 02:00-04:00 Europe/Berlin"), std::string::npos) << out;
  EXPECT_EQ(out.find("old"), std::string::npos) << "api's window is filtered out";
  EXPECT_NE(out.find("2026-12-09T11:00:00.000Z (deleted by token:ops)"), std::string::npos) << out;

  CliHarness none;
  none.api.Respond(200, R"({"active":[],"scheduled":[],"past":[]})");
  EXPECT_EQ(none.Run({"maintenance", "list"}), 0);
  EXPECT_EQ(none.out.str(), "No maintenance windows.\n");
}

TEST(MaintenanceCommandsTest, EndNamesTheIncidentsWhoseEscalationStarts) {
  CliHarness h;
  nlohmann::json ended = nlohmann::json::parse(kWindow);
  ended["state"] = "past";
  ended["ended_at"] = "2026-12-07T10:20:00.000Z";
  ended["ended_by"] = "user:alice";
  ended["released"] = {"INC-4", "INC-9"};
  h.api.Respond(200, ended.dump());
  EXPECT_EQ(h.Run({"maintenance", "end", "3"}), 0) << h.err.str();
  EXPECT_EQ(h.api.requests[0].method, "POST");
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/maintenance/3/end");
  EXPECT_NE(h.out.str().find("Escalation starts now for INC-4, INC-9"), std::string::npos);
  EXPECT_NE(h.out.str().find("2026-12-07T10:00:00.000Z to 2026-12-07T10:20:00.000Z (ended early "
                             "by user:alice)"),
            std::string::npos)
      << h.out.str();

  CliHarness conflict;
  conflict.api.Respond(
      409, R"({"title":"Conflict","status":409,"detail":"maintenance window 3 is over"})");
  EXPECT_NE(conflict.Run({"maintenance", "delete", "3"}), 0);
  EXPECT_EQ(conflict.api.requests[0].method, "DELETE");
  EXPECT_NE(conflict.err.str().find("is over"), std::string::npos);
}

}  // namespace
}  // namespace loom
