#include "engine/probe_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine_test_support.h"
#include "testing/fake_loom_node.h"

namespace loom {
namespace {

using testing::FakeLoomNode;
using ::testing::HasSubstr;

class ProbeRunnerTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    CreateLoomService();
    ProbedService loom;
    loom.service_id = "loom";
    loom.target.base_url = "http://loom.test";
    loom.target.admin_token = "admin-token";
    loom.interval = std::chrono::minutes(1);
    runner_ =
        std::make_unique<ProbeRunner>(*store_, clock_, node_, std::vector<ProbedService>{loom});
  }
  void TearDown() override {
    runner_.reset();
    store_->Shutdown();
  }

  void Resolve(int64_t number) {
    ASSERT_TRUE(Act(number, IncidentCommand::Type::kAcknowledge).ok());
    ASSERT_TRUE(Act(number, IncidentCommand::Type::kResolve).ok());
  }

  size_t Rounds(int64_t number) { return EventTypes(number, "probe.result").size(); }

  std::vector<TimelineEvent> Timeline(int64_t number) {
    Result<std::optional<IncidentDetail>> detail = store_->GetIncident(number);
    EXPECT_TRUE(detail.ok() && detail->has_value());
    return detail.ok() && detail->has_value() ? (*detail)->timeline : std::vector<TimelineEvent>{};
  }
  std::vector<TimelineEvent> ProbeEvents(int64_t number) {
    std::vector<TimelineEvent> out;
    for (TimelineEvent& e : Timeline(number)) {
      if (e.type.starts_with("probe.")) out.push_back(std::move(e));
    }
    return out;
  }
  int64_t LastSeq(int64_t number) { return Timeline(number).back().seq; }
  void ExpectChainIntact(int64_t number) {
    std::string prev;
    for (const TimelineEvent& e : Timeline(number)) {
      EXPECT_EQ(e.prev_hash, prev) << e.seq;
      EXPECT_EQ(e.hash, TimelineHash(e)) << e.seq;
      prev = e.hash;
    }
  }

  std::shared_ptr<FakeLoomNode> node_ = std::make_shared<FakeLoomNode>();
  std::unique_ptr<ProbeRunner> runner_;
};

TEST_F(ProbeRunnerTest, ProbesOnlyWhileAnAvailabilityIncidentIsOpenEveryInterval) {
  EXPECT_EQ(runner_->RunDue(), 0);  // nothing open: the node is left alone
  EXPECT_TRUE(node_->calls().empty());

  Trigger("security-1", Severity::kSev2, IncidentKind::kSecurity);
  EXPECT_EQ(runner_->RunDue(), 0);  // the security playbook has no probes

  node_->Set(FakeLoomNode::State::kPostgresDown);
  const int64_t inc = Trigger("pg-down", Severity::kSev2);
  EXPECT_EQ(runner_->RunDue(), 1);  // at once
  ASSERT_EQ(Rounds(inc), 1u);
  EXPECT_THAT(EventTypes(inc, "probe.result")[0],
              HasSubstr("\"dominant_signal\":\"persistence_write_failures\""));

  clock_.Advance(std::chrono::seconds(59));
  EXPECT_EQ(runner_->RunDue(), 0);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(runner_->RunDue(), 1);
  EXPECT_EQ(Rounds(inc), 2u);

  Resolve(inc);
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_EQ(runner_->RunDue(), 0);
  EXPECT_EQ(Rounds(inc), 2u);
  EXPECT_EQ(node_->calls().size(), 6u);
}

// Issue 16: a second incident of the service opened between two rounds of the first waited for
// the next interval (60 s by default) for its first reading.
TEST_F(ProbeRunnerTest, ANewIncidentGetsItsFirstReadingAtOnceWhileRoundsRunForAnother) {
  node_->Set(FakeLoomNode::State::kPostgresDown);
  const int64_t first = Trigger("pg-down", Severity::kSev2);
  EXPECT_EQ(runner_->RunDue(), 1);
  clock_.Advance(std::chrono::seconds(20));
  EXPECT_EQ(runner_->RunDue(), 0);

  const int64_t second = Trigger("pg-down-again", Severity::kSev1);
  EXPECT_EQ(runner_->RunDue(), 1);  // within the next tick, not 40 s later
  EXPECT_EQ(Rounds(second), 1u);
  EXPECT_EQ(Rounds(first), 2u);     // the round is recorded on both
  EXPECT_EQ(runner_->RunDue(), 0);  // and from then on both go by the common interval
  clock_.Advance(std::chrono::seconds(59));
  EXPECT_EQ(runner_->RunDue(), 0);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(runner_->RunDue(), 1);
}

// Issue 16: one timeline entry per round made the timeline of a long outage unreadable. The
// timeline is hash-chained and append-only: identical rounds are counted, and the count is written
// forward as probe.unchanged, never by editing the probe.result before it.
TEST_F(ProbeRunnerTest, IdenticalScheduledRoundsAreFoldedIntoAnUnchangedCount) {
  node_->Set(FakeLoomNode::State::kPostgresDown);
  const int64_t inc = Trigger("pg-down", Severity::kSev2);
  ASSERT_EQ(runner_->RunDue(), 1);
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_EQ(runner_->RunDue(), 1);  // the auth rate is measurable from now on: a new result
  ASSERT_EQ(Rounds(inc), 2u);
  const int64_t result_seq = LastSeq(inc);

  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::minutes(1));
    ASSERT_EQ(runner_->RunDue(), 1);
  }
  EXPECT_EQ(Rounds(inc), 2u);  // counted, not recorded one by one
  EXPECT_TRUE(EventTypes(inc, "probe.unchanged").empty());
  EXPECT_EQ(LastSeq(inc), result_seq);

  // The node recovers: the count goes on the timeline, then the new result.
  node_->Set(FakeLoomNode::State::kRecovered);
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_EQ(runner_->RunDue(), 1);
  std::vector<TimelineEvent> probe = ProbeEvents(inc);
  ASSERT_EQ(probe.size(), 4u);
  EXPECT_EQ(probe[2].type, "probe.unchanged");
  auto unchanged = nlohmann::json::parse(probe[2].data_json);
  EXPECT_EQ(unchanged["result_seq"], result_seq);
  EXPECT_EQ(unchanged["count"], 3);
  EXPECT_EQ(unchanged["total"], 3);
  EXPECT_EQ(unchanged["from"], "2026-11-02T09:02:00.000Z");
  EXPECT_EQ(unchanged["through"], "2026-11-02T09:04:00.000Z");
  EXPECT_EQ(probe[3].type, "probe.result");
  EXPECT_THAT(probe[3].data_json, HasSubstr("\"healthy\":true"));
  ExpectChainIntact(inc);
}

TEST_F(ProbeRunnerTest, ALongStreakIsWrittenEveryTenMinutesAndWhenTheIncidentCloses) {
  node_->Set(FakeLoomNode::State::kUnreachable);
  const int64_t inc = Trigger("crashed", Severity::kSev2);
  ASSERT_EQ(runner_->RunDue(), 1);  // unreachable: no rates either way, so every round is alike
  for (int i = 0; i < 25; ++i) {
    clock_.Advance(std::chrono::minutes(1));
    ASSERT_EQ(runner_->RunDue(), 1);
  }
  EXPECT_EQ(Rounds(inc), 1u);
  auto unchanged = EventTypes(inc, "probe.unchanged");
  ASSERT_EQ(unchanged.size(), 2u);  // at 10 and 20 minutes
  EXPECT_THAT(unchanged[0], HasSubstr("\"count\":10"));
  EXPECT_THAT(unchanged[1], HasSubstr("\"count\":10"));
  EXPECT_THAT(unchanged[1], HasSubstr("\"total\":20"));

  // An on-demand round is recorded although nothing changed: somebody asked.
  clock_.Advance(std::chrono::seconds(10));
  ASSERT_TRUE(runner_->RunRound("loom", "on_demand", "user:alice", inc).ok());
  EXPECT_EQ(Rounds(inc), 2u);
  unchanged = EventTypes(inc, "probe.unchanged");
  ASSERT_EQ(unchanged.size(), 3u);  // the 5 rounds before it
  EXPECT_THAT(unchanged[2], HasSubstr("\"count\":5"));

  clock_.Advance(std::chrono::minutes(1));
  ASSERT_EQ(runner_->RunDue(), 1);
  clock_.Advance(std::chrono::minutes(1));
  ASSERT_EQ(runner_->RunDue(), 1);
  ASSERT_TRUE(Act(inc, IncidentCommand::Type::kAcknowledge).ok());
  ASSERT_TRUE(Act(inc, IncidentCommand::Type::kResolve).ok());
  EXPECT_EQ(runner_->RunDue(), 0);
  unchanged = EventTypes(inc, "probe.unchanged");
  ASSERT_EQ(unchanged.size(), 4u);  // the last two rounds, written once the incident closed
  EXPECT_THAT(unchanged[3], HasSubstr("\"count\":2"));
  EXPECT_THAT(unchanged[3], HasSubstr("\"total\":2"));
  ExpectChainIntact(inc);
}

TEST_F(ProbeRunnerTest, TheCountIsWrittenWhenAnotherInstanceTakesOverTheRounds) {
  node_->Set(FakeLoomNode::State::kUnreachable);
  const int64_t inc = Trigger("crashed", Severity::kSev2);
  ASSERT_EQ(runner_->RunDue(), 1);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::minutes(1));
    ASSERT_EQ(runner_->RunDue(), 1);
  }
  EXPECT_TRUE(EventTypes(inc, "probe.unchanged").empty());
  runner_->SetScheduled(false);
  EXPECT_EQ(runner_->RunDue(), 0);
  auto unchanged = EventTypes(inc, "probe.unchanged");
  ASSERT_EQ(unchanged.size(), 1u);
  EXPECT_THAT(unchanged[0], HasSubstr("\"count\":3"));
  EXPECT_EQ(runner_->RunDue(), 0);  // once
  EXPECT_EQ(EventTypes(inc, "probe.unchanged").size(), 1u);
}

TEST_F(ProbeRunnerTest, AnUnreachableNodeIsTheDominantSignalAndTheGateRefuses) {
  node_->Set(FakeLoomNode::State::kUnreachable);
  const int64_t inc = Trigger("crashed", Severity::kSev2);
  ASSERT_EQ(runner_->RunDue(), 1);
  auto results = EventTypes(inc, "probe.result");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0], HasSubstr("\"dominant_signal\":\"node_unreachable\""));
  EXPECT_THAT(results[0], ::testing::Not(HasSubstr("no persistence failures")));
  auto refused = runner_->VerifyForResolve(inc, "loom", "", "user:alice");
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->passed);
  EXPECT_EQ(refused->recovery.failed_checks, std::vector<std::string>{"readiness"});
  EXPECT_EQ(refused->round["dominant_signal"], "node_unreachable");
}

TEST_F(ProbeRunnerTest, AnInstanceThatDoesNotLeadRunsNoScheduledRound) {
  node_->Set(FakeLoomNode::State::kPostgresDown);
  const int64_t inc = Trigger("pg-down", Severity::kSev2);
  runner_->SetScheduled(false);
  EXPECT_EQ(runner_->RunDue(), 0);
  EXPECT_EQ(Rounds(inc), 0u);
  EXPECT_TRUE(node_->calls().empty());
  // Asked for a round, it probes all the same.
  ASSERT_TRUE(runner_->RunRound("loom", "on_demand", "user:alice", inc).ok());
  EXPECT_EQ(Rounds(inc), 1u);

  runner_->SetScheduled(true);  // it leads now
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(runner_->RunDue(), 1);
  EXPECT_EQ(Rounds(inc), 2u);
}

TEST_F(ProbeRunnerTest, OnDemandRoundResetsTheSchedule) {
  const int64_t inc = Trigger("lag", Severity::kSev2);
  auto round = runner_->RunRound("loom", "on_demand", "token:ops", 0);
  ASSERT_TRUE(round.ok()) << round.error().message;
  EXPECT_EQ(round->recorded, std::vector<int64_t>{inc});
  EXPECT_EQ(round->json["trigger"], "on_demand");
  EXPECT_EQ(runner_->RunDue(), 0);  // the on-demand round was just now
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(runner_->RunDue(), 1);
  EXPECT_FALSE(runner_->RunRound("billing", "on_demand", "token:ops", 0).ok());
}

TEST_F(ProbeRunnerTest, RecoveryGateRefusesWhileDownRecordsOverridesAndPassesAfterRecovery) {
  node_->Set(FakeLoomNode::State::kPostgresDown);
  const int64_t inc = Trigger("pg", Severity::kSev2);

  auto refused = runner_->VerifyForResolve(inc, "loom", "", "user:alice");
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_FALSE(refused->passed);
  EXPECT_FALSE(refused->overridden);
  EXPECT_EQ(refused->recovery.failed_checks, std::vector<std::string>{"readiness"});
  EXPECT_TRUE(EventTypes(inc, "recovery.").empty());

  auto overridden = runner_->VerifyForResolve(inc, "loom", "customer traffic moved", "user:bob");
  ASSERT_TRUE(overridden.ok());
  EXPECT_TRUE(overridden->overridden);
  auto gate = EventTypes(inc, "recovery.");
  ASSERT_EQ(gate.size(), 1u);
  EXPECT_THAT(gate[0], HasSubstr("recovery.override"));
  EXPECT_THAT(gate[0], HasSubstr("customer traffic moved"));

  // A failing round is never reused: the gate probes again and sees the recovery.
  node_->Set(FakeLoomNode::State::kRecovered);
  auto passed = runner_->VerifyForResolve(inc, "loom", "", "user:alice");
  ASSERT_TRUE(passed.ok());
  EXPECT_TRUE(passed->passed);
  EXPECT_THAT(EventTypes(inc, "recovery.").back(), HasSubstr("recovery.verified"));

  // A passing round younger than 30 s is reused without probing.
  const size_t calls = node_->calls().size();
  clock_.Advance(std::chrono::seconds(10));
  ASSERT_TRUE(runner_->VerifyForResolve(inc, "loom", "", "user:alice").ok());
  EXPECT_EQ(node_->calls().size(), calls);
}

TEST_F(ProbeRunnerTest, FiringCriticalAlertBlocksTheGate) {
  const int64_t inc = Trigger("critical", Severity::kSev1);
  auto decision = runner_->VerifyForResolve(inc, "loom", "", "user:alice");
  ASSERT_TRUE(decision.ok());
  EXPECT_FALSE(decision->passed);
  EXPECT_EQ(decision->recovery.failed_checks, std::vector<std::string>{"critical_alerts"});
}

}  // namespace
}  // namespace loom
