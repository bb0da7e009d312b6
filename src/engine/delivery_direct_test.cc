// DeliveryService::SendDirect: one send through the channel of the destination's type, outside
// the outbox (verification codes and tests of the contact methods people add).
#include <gtest/gtest.h>

#include "engine/delivery.h"
#include "engine/engine_test_support.h"

namespace loom {
namespace {

class RecordingChannel final : public Channel {
 public:
  SendResult Send(const Destination& to, const Notice& notice) override {
    sent.push_back({to, notice});
    SendResult r;
    r.outcome = answer;
    return r;
  }
  SendResult::Outcome answer = SendResult::Outcome::kDelivered;
  std::vector<std::pair<Destination, Notice>> sent;
};

class DeliveryDirectTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    delivery_ = std::make_unique<DeliveryService>(
        *store_, clock_, std::make_shared<Roster>(EmptyOnCallSnapshot()),
        std::map<std::string, std::shared_ptr<Channel>>{{"webhook", hook_}},
        std::vector<IncidentChannel>{}, DeliveryService::Options{});
  }
  std::shared_ptr<RecordingChannel> hook_ = std::make_shared<RecordingChannel>();
  std::unique_ptr<DeliveryService> delivery_;
};

TEST_F(DeliveryDirectTest, SendsOnceThroughTheTypesChannelAndAnswersItsOutcome) {
  Notice notice;
  notice.id = "verify-1";
  notice.type = "verification";
  notice.summary = "code 123456";
  Destination to{"webhook", "https://hooks.example.com/alice", {}};
  EXPECT_EQ(delivery_->SendDirect(to, notice).outcome, SendResult::Outcome::kDelivered);
  ASSERT_EQ(hook_->sent.size(), 1u);
  EXPECT_EQ(hook_->sent[0].first.address, "https://hooks.example.com/alice");
  EXPECT_EQ(hook_->sent[0].second.summary, "code 123456");

  hook_->answer = SendResult::Outcome::kRetry;
  EXPECT_EQ(delivery_->SendDirect(to, notice).outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(hook_->sent.size(), 2u);  // one attempt: no retry behind the caller's back
  EXPECT_TRUE(store_->PendingOutbox().value().empty());  // nothing in the outbox
}

TEST_F(DeliveryDirectTest, ATypeWithoutAChannelIsRejected) {
  SendResult r = delivery_->SendDirect(Destination{"sms", "+15551234567", {}}, Notice{});
  EXPECT_EQ(r.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(r.error, "no sms channel is configured");
}

}  // namespace
}  // namespace loom
