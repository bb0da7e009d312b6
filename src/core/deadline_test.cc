#include "core/deadline.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace loom {
namespace {

// The stored names: the database holds these strings, so they must never change.
TEST(DeadlineKindTest, NamesAreTheStoredStrings) {
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kEscalate), "escalate");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kCadence), "cadence");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kUpdateReminder), "update_reminder");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kUpdateDue), "update_due");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kFollowupReminder), "followup_reminder");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kFollowupDue), "followup_due");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kDrillDue), "drill_due");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kHeartbeatExpire), "heartbeat_expire");
}

TEST(DeadlineKindTest, ParseIsTheInverseOfName) {
  std::set<std::string> names;
  for (DeadlineKind kind :
       {DeadlineKind::kEscalate, DeadlineKind::kCadence, DeadlineKind::kUpdateReminder,
        DeadlineKind::kUpdateDue, DeadlineKind::kFollowupReminder, DeadlineKind::kFollowupDue,
        DeadlineKind::kDrillDue, DeadlineKind::kHeartbeatExpire}) {
    names.insert(DeadlineKindName(kind));
    EXPECT_EQ(ParseDeadlineKind(DeadlineKindName(kind)), kind) << DeadlineKindName(kind);
  }
  EXPECT_EQ(names.size(), 8u);  // no two kinds share a name
}

TEST(DeadlineKindTest, ParseRejectsOtherNames) {
  EXPECT_EQ(ParseDeadlineKind(""), std::nullopt);
  EXPECT_EQ(ParseDeadlineKind("Escalate"), std::nullopt);
  EXPECT_EQ(ParseDeadlineKind("escalate "), std::nullopt);
  EXPECT_EQ(ParseDeadlineKind("drill"), std::nullopt);
}

}  // namespace
}  // namespace loom
