// PushFollowUps over a real store with a fake clock: pages whose incident was acknowledged are
// settled once, one settle per message; a failed settle is tried again after its backoff (or the
// vendor's Retry-After) and given up after max_attempts; StorePageLog remembers pages durably.
#include "engine/push_followups.h"

#include <gtest/gtest.h>

#include "engine/engine_test_support.h"

namespace loom {
namespace {

class FakeSettler final : public PushSettler {
 public:
  SendResult Settle(const std::vector<PushPageToSettle>& pages) override {
    calls.push_back(pages);
    SendResult r;
    if (!answers.empty()) {
      r = answers.front();
      answers.erase(answers.begin());
    } else {
      r.outcome = SendResult::Outcome::kDelivered;
    }
    return r;
  }
  std::vector<std::vector<PushPageToSettle>> calls;
  std::vector<SendResult> answers;
};

class PushFollowUpsTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    CreateLoomService();
    settler_ = std::make_shared<FakeSettler>();
    PushFollowUps::Options options;
    options.retry.initial = std::chrono::seconds(10);
    options.retry.max_attempts = 3;
    options.jitter = [] { return 1.0; };
    followups_ = std::make_unique<PushFollowUps>(
        *store_, clock_,
        std::map<std::string, std::shared_ptr<PushSettler>>{{"pushover", settler_}}, options);
    log_ = std::make_unique<StorePageLog>(*store_);
  }

  PushPage Page(const std::string& ref, int64_t incident) {
    PushPage p;
    p.channel = "pushover";
    p.ref = ref;
    p.incident_number = incident;
    p.recipient = "alice";
    p.created_at = clock_.Now();
    return p;
  }

  std::shared_ptr<FakeSettler> settler_;
  std::unique_ptr<PushFollowUps> followups_;
  std::unique_ptr<StorePageLog> log_;
};

TEST_F(PushFollowUpsTest, SettlesEachMessageOnceAfterTheAcknowledgement) {
  const int64_t a = Trigger("fu-a", Severity::kSev1);
  const int64_t b = Trigger("fu-b", Severity::kSev1);
  // One receipt for a bundle of both, another for b alone.
  ASSERT_TRUE(log_->Remember({Page("r1", a), Page("r1", b), Page("r2", b)}).ok());
  EXPECT_EQ(followups_->RunOnce(), 0u);  // nothing acknowledged yet
  EXPECT_TRUE(settler_->calls.empty());

  ASSERT_TRUE(Act(a, IncidentCommand::Type::kAcknowledge).ok());
  EXPECT_EQ(followups_->RunOnce(), 1u);
  ASSERT_EQ(settler_->calls.size(), 1u);
  ASSERT_EQ(settler_->calls[0].size(), 1u);  // r1's page of a (b is still triggered)
  EXPECT_EQ(settler_->calls[0][0].page.ref, "r1");
  EXPECT_EQ(settler_->calls[0][0].incident_state, "acknowledged");
  EXPECT_EQ(followups_->RunOnce(), 0u);  // settled: not again

  ASSERT_TRUE(Act(b, IncidentCommand::Type::kAcknowledge).ok());
  EXPECT_EQ(followups_->RunOnce(), 2u);  // r1's page of b, and r2
  EXPECT_EQ(settler_->calls.size(), 3u);
  EXPECT_EQ(followups_->RunOnce(), 0u);
}

TEST_F(PushFollowUpsTest, AFailedSettleIsRetriedAfterItsBackoffThenGivenUp) {
  const int64_t a = Trigger("fu-retry", Severity::kSev1);
  ASSERT_TRUE(log_->Remember({Page("r1", a)}).ok());
  ASSERT_TRUE(Act(a, IncidentCommand::Type::kAcknowledge).ok());
  SendResult down;
  down.outcome = SendResult::Outcome::kRetry;
  down.error = "HTTP 503";
  SendResult throttled = down;
  throttled.retry_after = std::chrono::seconds(60);
  settler_->answers = {down, throttled, down};

  EXPECT_EQ(followups_->RunOnce(), 1u);  // attempt 1 fails: backoff 10s
  clock_.Advance(std::chrono::seconds(9));
  EXPECT_EQ(followups_->RunOnce(), 0u);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(followups_->RunOnce(), 1u);  // attempt 2: Retry-After 60s beats the 20s backoff
  clock_.Advance(std::chrono::seconds(59));
  EXPECT_EQ(followups_->RunOnce(), 0u);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(followups_->RunOnce(), 1u);  // attempt 3 fails: max_attempts, given up
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(followups_->RunOnce(), 0u);
  EXPECT_EQ(settler_->calls.size(), 3u);
  std::vector<PushPage> page = store_->FindPushPages("pushover", "r1").value();
  ASSERT_EQ(page.size(), 1u);
  EXPECT_TRUE(page[0].settled);
}

TEST_F(PushFollowUpsTest, APageOfAChannelWithoutSettlerIsSettledWithNothingDone) {
  const int64_t a = Trigger("fu-none", Severity::kSev1);
  PushPage p = Page("t1", a);
  p.channel = "telegram";
  ASSERT_TRUE(log_->Remember({p}).ok());
  ASSERT_TRUE(Act(a, IncidentCommand::Type::kAcknowledge).ok());
  EXPECT_EQ(followups_->RunOnce(), 1u);
  EXPECT_TRUE(settler_->calls.empty());
  EXPECT_EQ(followups_->RunOnce(), 0u);
}

}  // namespace
}  // namespace loom
