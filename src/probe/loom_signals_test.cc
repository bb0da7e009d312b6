#include "probe/loom_signals.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace loom {
namespace {

std::string Fixture(const std::string& name) {
  return testing::ReadFileOrDie(testing::TestDataPath("loom-node/" + name));
}

LoomReading Healthy(TimePoint at) {
  LoomReading r;
  r.at = at;
  ReadReadyResponse(200, Fixture("ready.json"), r);
  ReadAdminStatusResponse(200, Fixture("admin-status.json"), r);
  ReadMetricsResponse(200, Fixture("metrics.txt"), r);
  return r;
}

LoomReading PgDown(TimePoint at) {
  LoomReading r;
  r.at = at;
  ReadReadyResponse(503, Fixture("pg-down/ready-unhealthy.json"), r);
  ReadAdminStatusResponse(200, Fixture("pg-down/admin-status-pg-down.json"), r);
  ReadMetricsResponse(200, Fixture("pg-down/metrics-pg-down.txt"), r);
  return r;
}

TEST(LoomSignals, HealthyNodeHasNoDominantSignalAndPassesRecovery) {
  LoomReading r = Healthy(TimePoint{});
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.outboxes.size(), 3u);
  Triage t = ClassifyLoomSignals(r, nullptr, {});
  EXPECT_FALSE(t.dominant);
  EXPECT_TRUE(CheckRecovery(r, {}, {}).passed);
  BlockingAlert firing;
  firing.incident_number = 3;
  firing.alert_id = 5;
  firing.name = "LoomPersistenceFailures";
  EXPECT_FALSE(CheckRecovery(r, {}, {firing}).passed);
}

TEST(LoomSignals, RecoveryNamesTheAlertsThatBlockIt) {
  BlockingAlert a;
  a.incident_number = 7;
  a.alert_id = 12;
  a.name = "LoomPersistenceFailures";
  a.labels = {{"alertname", "LoomPersistenceFailures"},
              {"instance", "127.0.0.1:18787"},
              {"service", "loom"}};
  a.status = "firing";
  BlockingAlert b = a;
  b.incident_number = 9;
  b.name = "LoomReadyProbeFailing";
  b.labels = {};
  RecoveryCheck rc = CheckRecovery(Healthy(TimePoint{}), {}, {a, b});
  EXPECT_FALSE(rc.passed);
  ASSERT_EQ(rc.failed_checks, std::vector<std::string>{"critical_alerts"});
  EXPECT_EQ(rc.failures[0],
            "2 critical alert(s) of the service still firing: LoomPersistenceFailures "
            "{instance=\"127.0.0.1:18787\", service=\"loom\"} (INC-7); LoomReadyProbeFailing "
            "(INC-9)");
  ASSERT_EQ(rc.blocking_alerts.size(), 2u);
  EXPECT_EQ(rc.blocking_alerts[1].incident_number, 9);
}

TEST(LoomSignals, PostgresDownIsPersistenceFailureWithEvidence) {
  LoomReading r = PgDown(TimePoint{});
  Triage t = ClassifyLoomSignals(r, nullptr, {});
  ASSERT_TRUE(t.dominant);
  EXPECT_EQ(*t.dominant, LoomSignal::kPersistenceFailures);
  const auto& f = t.Of(LoomSignal::kPersistenceFailures);
  EXPECT_TRUE(f.active);
  bool mentions_ready = false, mentions_error = false;
  for (const auto& e : f.evidence) {
    mentions_ready |= e.find("checks.postgres") != std::string::npos;
    mentions_error |= e.find("ECONNREFUSED") != std::string::npos;
  }
  EXPECT_TRUE(mentions_ready);
  EXPECT_TRUE(mentions_error);
  EXPECT_EQ(f.mitigations.at(0), "fail over or repair the database path");
  RecoveryCheck rc = CheckRecovery(r, {}, {});
  EXPECT_FALSE(rc.passed);
}

TEST(LoomSignals, SignatureInvalidCountsAsAnAuthSpike) {
  LoomReading before = Healthy(TimePoint{});
  LoomReading after = PgDown(TimePoint{} + std::chrono::seconds(30));
  SignalThresholds t;
  t.auth_errors_per_minute = 10;
  Triage triage = ClassifyLoomSignals(after, &before, t);
  // Auth errors go from 4 (CAPABILITY_DENIED) to 18 (SIGNATURE_INVALID) in 30 s: 28/min.
  EXPECT_TRUE(triage.Of(LoomSignal::kAuthErrorSpike).active)
      << triage.Of(LoomSignal::kAuthErrorSpike).evidence.at(0);
  // Persistence still dominates.
  EXPECT_EQ(*triage.dominant, LoomSignal::kPersistenceFailures);
}

TEST(LoomSignals, StaleLastErrorAfterRecoveryIsExplainedNotWaitedOn) {
  LoomReading r;
  ReadReadyResponse(200, Fixture("pg-down/ready-recovered.json"), r);
  ReadMetricsResponse(200, Fixture("pg-down/metrics-pg-down.txt"), r);  // last_error still 1
  RecoveryCheck rc = CheckRecovery(r, {}, {});
  EXPECT_TRUE(rc.passed);
  ASSERT_EQ(rc.notes.size(), 1u);
  EXPECT_NE(rc.notes[0].find("next write"), std::string::npos);

  LoomReading flushed;
  ReadReadyResponse(200, Fixture("pg-down/ready-recovered.json"), flushed);
  ReadMetricsResponse(200, Fixture("pg-down/metrics-recovered-after-write.txt"), flushed);
  EXPECT_TRUE(CheckRecovery(flushed, {}, {}).notes.empty());
}

TEST(LoomSignals, QueueLagOverThresholdAndGrowth) {
  LoomReading before = Healthy(TimePoint{});
  LoomReading after = Healthy(TimePoint{} + std::chrono::minutes(1));
  after.outboxes[0].lag_ms = 90'000;
  after.outboxes[0].queued = 40;
  Triage t = ClassifyLoomSignals(after, &before, {});
  ASSERT_TRUE(t.dominant);
  EXPECT_EQ(*t.dominant, LoomSignal::kQueueLag);
  EXPECT_EQ(t.Of(LoomSignal::kQueueLag).evidence.size(), 2u);
  EXPECT_FALSE(CheckRecovery(after, {}, {}).passed);
}

// A crashed node answers nothing: that is the dominant signal, the gate refuses, and no other
// signal claims health ("no persistence failures", "outbox lag 0 ms") from a reading that did not
// happen.
TEST(LoomSignals, NodeThatAnswersNothingIsUnreachableNotHealthy) {
  LoomReading r;
  r.problems = {"/ready: Couldn't connect to server (http://loom.test:80)",
                "/v1/admin/status: Timeout was reached (http://loom.test:80)",
                "/metrics: Couldn't connect to server (http://loom.test:80)"};
  ASSERT_TRUE(NodeUnreachable(r));
  Triage t = ClassifyLoomSignals(r, nullptr, {});
  ASSERT_TRUE(t.dominant);
  EXPECT_EQ(*t.dominant, LoomSignal::kNodeUnreachable);
  EXPECT_STREQ(LoomSignalName(LoomSignal::kNodeUnreachable), "node_unreachable");
  EXPECT_STREQ(LoomSignalTitle(LoomSignal::kNodeUnreachable), "node unreachable");
  const SignalFinding& down = t.Of(LoomSignal::kNodeUnreachable);
  EXPECT_TRUE(down.active);
  EXPECT_EQ(down.evidence, r.problems);  // each failing endpoint with its error
  EXPECT_FALSE(down.mitigations.empty());
  for (LoomSignal s :
       {LoomSignal::kPersistenceFailures, LoomSignal::kQueueLag, LoomSignal::kAuthErrorSpike}) {
    const SignalFinding& f = t.Of(s);
    EXPECT_FALSE(f.active);
    ASSERT_EQ(f.evidence.size(), 1u);
    EXPECT_EQ(f.evidence[0].rfind("not measured", 0), 0u) << f.evidence[0];
  }
  // The previous round's figures do not stand in for this one's.
  LoomReading before = Healthy(TimePoint{});
  r.at = TimePoint{} + std::chrono::minutes(1);
  EXPECT_EQ(*ClassifyLoomSignals(r, &before, {}).dominant, LoomSignal::kNodeUnreachable);

  RecoveryCheck rc = CheckRecovery(r, {}, {});
  EXPECT_FALSE(rc.passed);
  EXPECT_EQ(rc.failed_checks, std::vector<std::string>{"readiness"});
  EXPECT_EQ(rc.failures, std::vector<std::string>{"the node is unreachable: no endpoint answered"});
}

TEST(LoomSignals, AnsweringEndpointsAreNamedAndUnreadFiguresAreNotMeasured) {
  LoomReading healthy = Healthy(TimePoint{});
  Triage t = ClassifyLoomSignals(healthy, nullptr, {});
  EXPECT_FALSE(t.Of(LoomSignal::kNodeUnreachable).active);
  EXPECT_EQ(t.Of(LoomSignal::kNodeUnreachable).evidence,
            std::vector<std::string>{
                "the node answered: /ready 200, /v1/admin/status 200, /metrics 200"});
  EXPECT_EQ(t.Of(LoomSignal::kPersistenceFailures).evidence,
            std::vector<std::string>{"no persistence failures reported"});

  // Only /ready answered, and without a body: neither persistence nor the outboxes were read.
  LoomReading partial;
  ReadReadyResponse(502, "Bad Gateway", partial);
  partial.problems.push_back("/v1/admin/status: Timeout was reached (http://loom.test:80)");
  partial.problems.push_back("/metrics: Timeout was reached (http://loom.test:80)");
  Triage p = ClassifyLoomSignals(partial, nullptr, {});
  EXPECT_FALSE(p.dominant);
  EXPECT_EQ(p.Of(LoomSignal::kNodeUnreachable).evidence,
            std::vector<std::string>{"the node answered: /ready 502"});
  EXPECT_EQ(p.Of(LoomSignal::kPersistenceFailures).evidence.at(0).rfind("not measured", 0), 0u);
  EXPECT_EQ(p.Of(LoomSignal::kQueueLag).evidence.at(0).rfind("not measured", 0), 0u);
  EXPECT_FALSE(CheckRecovery(partial, {}, {}).passed);
}

TEST(LoomSignals, RefusedAdminTokenIsReportedAsAProblem) {
  LoomReading r;
  ReadAdminStatusResponse(403, Fixture("admin-status-wrong-token.json"), r);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("403"), std::string::npos);
}

}  // namespace
}  // namespace loom
