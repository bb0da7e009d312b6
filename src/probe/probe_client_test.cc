#include "probe/probe_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/fake_loom_node.h"

namespace loom {
namespace {

using ::testing::Contains;
using testing::FakeLoomNode;
using ::testing::HasSubstr;

ProbeTarget Target() {
  ProbeTarget t;
  t.base_url = "http://loom.test";
  t.admin_token = "secret-admin-token";
  return t;
}

ProbeRound Round(FakeLoomNode& node, const LoomReading* previous = nullptr) {
  ProbeRound round;
  round.reading = ProbeLoomNode(node, Target(), TimePoint{});
  round.triage = ClassifyLoomSignals(round.reading, previous, {});
  round.recovery = CheckRecovery(round.reading, {}, {});
  return round;
}

TEST(ProbeLoomNode, ReadsTheThreeEndpointsWithTheAdminTokenWhereNeeded) {
  FakeLoomNode node;
  ProbeRound round = Round(node);
  auto calls = node.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].url, "http://loom.test/ready");
  EXPECT_THAT(calls[0].headers, ::testing::Not(Contains(HasSubstr("x-loom-admin-token"))));
  EXPECT_EQ(calls[1].url, "http://loom.test/v1/admin/status");
  EXPECT_THAT(calls[1].headers, Contains("x-loom-admin-token: secret-admin-token"));
  EXPECT_EQ(calls[2].url, "http://loom.test/metrics");
  EXPECT_THAT(calls[2].headers, Contains("x-loom-admin-token: secret-admin-token"));
  EXPECT_TRUE(round.reading.problems.empty());
  EXPECT_TRUE(NodeHealthy(round));
}

TEST(ProbeLoomNode, PostgresDownIsPersistenceWriteFailuresInTheRoundJson) {
  FakeLoomNode node;
  node.Set(FakeLoomNode::State::kPostgresDown);
  ProbeRound round = Round(node);
  EXPECT_FALSE(NodeHealthy(round));
  nlohmann::json j = ProbeRoundJson(round, "loom", "http://loom.test", "schedule");
  EXPECT_EQ(j["dominant_signal"], "persistence_write_failures");
  EXPECT_EQ(j["dominant_signal_title"], "persistence write failures");
  EXPECT_EQ(j["ready"]["status"], 503);
  EXPECT_EQ(j["ready"]["postgres"], "error");
  EXPECT_EQ(j["admin_status"]["persistence"]["writes_failed"], 2);
  EXPECT_EQ(j["recovery"]["passed"], false);
  EXPECT_EQ(j["recovery"]["failed_checks"], nlohmann::json::array({"readiness"}));
  EXPECT_EQ(j["signals"][1]["signal"], "persistence_write_failures");
  EXPECT_EQ(j["signals"][1]["mitigations"][0], "fail over or repair the database path");
  EXPECT_EQ(j["trigger"], "schedule");
  // The admin token never reaches the recorded JSON.
  EXPECT_THAT(j.dump(), ::testing::Not(HasSubstr("secret-admin-token")));
}

TEST(ProbeLoomNode, UnreachableNodeIsAReadingWithErrorsNotAFailure) {
  FakeLoomNode node;
  node.Set(FakeLoomNode::State::kUnreachable);
  ProbeRound round = Round(node);
  EXPECT_FALSE(round.reading.ready_status.has_value());
  ASSERT_EQ(round.reading.problems.size(), 3u);
  EXPECT_THAT(round.reading.problems[0], HasSubstr("/ready: Couldn't connect"));
  EXPECT_FALSE(NodeHealthy(round));
  nlohmann::json j = ProbeRoundJson(round, "loom", "http://loom.test", "on_demand");
  EXPECT_TRUE(j["ready"].is_null());
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["errors"].size(), 3u);
  // The crash is the dominant signal, each endpoint's failure its evidence.
  EXPECT_EQ(j["dominant_signal"], "node_unreachable");
  EXPECT_EQ(j["dominant_signal_title"], "node unreachable");
  EXPECT_EQ(j["signals"][0]["signal"], "node_unreachable");
  EXPECT_EQ(j["signals"][0]["evidence"], j["errors"]);
  EXPECT_THAT(j["signals"][0]["evidence"][1].get<std::string>(),
              HasSubstr("/v1/admin/status: Couldn't connect"));
  EXPECT_THAT(j.dump(), ::testing::Not(HasSubstr("no persistence failures")));
  EXPECT_THAT(j.dump(), ::testing::Not(HasSubstr("outbox lag")));
  EXPECT_EQ(j["recovery"]["failed_checks"], nlohmann::json::array({"readiness"}));
}

TEST(CurlProbeHttp, RefusesALoopbackNodeThatAllowHostsDoesNotList) {
  CurlProbeHttp http{OutboundPolicy()};
  ProbeResponse r = http.Get("http://127.0.0.1:9/ready", {}, std::chrono::seconds(1));
  EXPECT_FALSE(r.completed);
  EXPECT_THAT(r.error, HasSubstr("127.0.0.1"));
}

}  // namespace
}  // namespace loom
