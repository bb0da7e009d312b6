#include <gtest/gtest.h>

#include "cli/cli_test_harness.h"

namespace loom {
namespace {

using testing::CliHarness;

constexpr char kHeartbeats[] = R"({"heartbeats":[
  {"id":"nightly-backup","service":"loom","name":"nightly-backup","interval":"1h","grace":"5m",
   "enabled":true,"state":"expired","last_ping_at":"2026-12-07T02:00:04.000Z","incident":"INC-7"},
  {"id":"watchdog","service":"monitoring","name":"Watchdog","interval":"1m","grace":"0s",
   "enabled":false,"state":"inactive","last_ping_at":null,"incident":null}]})";

TEST(HeartbeatCommandsTest, ListPrintsStateLastPingAndIncident) {
  CliHarness h;
  h.api.Respond(200, kHeartbeats);
  EXPECT_EQ(h.Run({"heartbeat", "list", "--token", "t"}), 0) << h.err.str();
  EXPECT_EQ(h.api.requests[0].url, "http://127.0.0.1:8080/v1/heartbeats");
  EXPECT_EQ(h.out.str(),
            "ID              SERVICE     STATE                EVERY  GRACE  LAST PING            "
            "     INCIDENT\n"
            "nightly-backup  loom        expired              1h     5m     "
            "2026-12-07T02:00:04.000Z  INC-7\n"
            "watchdog        monitoring  inactive (disabled)  1m     0s     -                    "
            "     -\n");
}

TEST(HeartbeatCommandsTest, ListFiltersByServiceAndSaysWhenThereAreNone) {
  CliHarness h;
  h.api.Respond(200, kHeartbeats);
  EXPECT_EQ(h.Run({"heartbeat", "list", "--service", "loom"}), 0) << h.err.str();
  EXPECT_EQ(h.out.str().find("watchdog"), std::string::npos);
  EXPECT_NE(h.out.str().find("nightly-backup"), std::string::npos);

  CliHarness none;
  none.api.Respond(200, R"({"heartbeats":[]})");
  EXPECT_EQ(none.Run({"heartbeat", "list"}), 0);
  EXPECT_EQ(none.out.str(), "No heartbeats.\n");

  CliHarness json;
  json.api.Respond(200, kHeartbeats);
  EXPECT_EQ(json.Run({"heartbeat", "list", "--json"}), 0);
  EXPECT_NE(json.out.str().find("\"Watchdog\""), std::string::npos);

  CliHarness denied;
  denied.api.Respond(401, R"({"title":"Unauthorized","status":401,"detail":"no token"})");
  EXPECT_NE(denied.Run({"heartbeat", "list"}), 0);
  EXPECT_NE(denied.err.str().find("no token"), std::string::npos);
}

}  // namespace
}  // namespace loom
