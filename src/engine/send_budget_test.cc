#include "engine/send_budget.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::minutes;

TEST(SendBudgetTest, HoldsTheMessageAfterTheLimitUntilTheOldestLeavesTheHour) {
  testing::FakeClock clock;
  SendBudget budget(3);
  const TimePoint start = clock.Now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(budget.NextSlot("alice/sms", clock.Now()), clock.Now());
    budget.Record("alice/sms", clock.Now());
    clock.Advance(minutes(10));
  }
  // 30 minutes in: three went, the fourth waits for the first to be an hour old.
  EXPECT_TRUE(budget.Exhausted("alice/sms", clock.Now()));
  EXPECT_EQ(budget.NextSlot("alice/sms", clock.Now()), start + minutes(60));
  // Another person, or another channel of the same person, has its own budget.
  EXPECT_EQ(budget.NextSlot("bob/sms", clock.Now()), clock.Now());
  EXPECT_EQ(budget.NextSlot("alice/voice", clock.Now()), clock.Now());
  clock.Advance(minutes(30));
  EXPECT_EQ(budget.NextSlot("alice/sms", clock.Now()), clock.Now());
  budget.Record("alice/sms", clock.Now());
  EXPECT_EQ(budget.NextSlot("alice/sms", clock.Now()), start + minutes(70));
  EXPECT_EQ(budget.Remaining("alice/sms", clock.Now()), 0);
  EXPECT_EQ(budget.Remaining("bob/sms", clock.Now()), 3);
}

TEST(SendBudgetTest, AnHourLaterEverythingIsForgotten) {
  testing::FakeClock clock;
  SendBudget budget(1);
  budget.Record("k", clock.Now());
  EXPECT_TRUE(budget.Exhausted("k", clock.Now() + minutes(59)));
  EXPECT_FALSE(budget.Exhausted("k", clock.Now() + minutes(60)));
}

}  // namespace
}  // namespace loom
