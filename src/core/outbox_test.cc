#include "core/outbox.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

// The stored names: the database holds these strings, so they must never change.
TEST(OutboxStateTest, NamesAreTheStoredStrings) {
  EXPECT_STREQ(OutboxStateName(OutboxState::kPending), "pending");
  EXPECT_STREQ(OutboxStateName(OutboxState::kDelivered), "delivered");
  EXPECT_STREQ(OutboxStateName(OutboxState::kDead), "dead");
  EXPECT_STREQ(OutboxStateName(OutboxState::kCancelled), "cancelled");
  EXPECT_STREQ(OutboxStateName(OutboxState::kUndeliverable), "undeliverable");
}

TEST(OutboxStateTest, ParseIsTheInverseOfName) {
  for (OutboxState state : {OutboxState::kPending, OutboxState::kDelivered, OutboxState::kDead,
                            OutboxState::kCancelled, OutboxState::kUndeliverable}) {
    EXPECT_EQ(ParseOutboxState(OutboxStateName(state)), state) << OutboxStateName(state);
  }
}

TEST(OutboxStateTest, ParseRejectsOtherNames) {
  EXPECT_EQ(ParseOutboxState(""), std::nullopt);
  EXPECT_EQ(ParseOutboxState("Pending"), std::nullopt);
  EXPECT_EQ(ParseOutboxState("retry"), std::nullopt);
}

TEST(OutboxStateTest, NewEntriesAndRecordsArePending) {
  EXPECT_EQ(OutboxEntry{}.state, OutboxState::kPending);
  EXPECT_EQ(DeliveryRecord{}.state, OutboxState::kPending);
}

}  // namespace
}  // namespace loom
