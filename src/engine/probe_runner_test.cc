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
