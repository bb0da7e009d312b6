#include "core/followup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/time_format.h"

namespace loom {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;

TimePoint T(const char* text) { return *ParseRfc3339(text); }

TEST(Followup, IdsAndStatusesRoundTrip) {
  EXPECT_EQ(FollowupId(7), "FU-7");
  EXPECT_EQ(ParseFollowupId("FU-7"), 7);
  EXPECT_EQ(ParseFollowupId("7"), 7);
  EXPECT_FALSE(ParseFollowupId("FU-"));
  EXPECT_FALSE(ParseFollowupId("FU-0"));
  EXPECT_FALSE(ParseFollowupId("INC-7"));
  for (FollowupStatus s :
       {FollowupStatus::kOpen, FollowupStatus::kDone, FollowupStatus::kCancelled}) {
    EXPECT_EQ(ParseFollowupStatus(FollowupStatusName(s)), s);
  }
  EXPECT_FALSE(ParseFollowupStatus("closed"));
}

TEST(Followup, ADueDateMeansTheEndOfThatDay) {
  EXPECT_EQ(*ParseDue("2026-12-01"), T("2026-12-01T23:59:59Z"));
  EXPECT_EQ(*ParseDue("2026-12-01T17:00:00+01:00"), T("2026-12-01T16:00:00Z"));
  EXPECT_FALSE(ParseDue("next week").ok());
  EXPECT_FALSE(ParseDue("2026-13-01").ok());
}

TEST(Followup, RemindsADayBeforeOrAtOnce) {
  Followup f;
  f.due_at = T("2026-12-03T12:00:00Z");
  FollowupTimes t = PlanFollowupTimes(f, T("2026-12-01T08:00:00Z"));
  EXPECT_EQ(t.remind_at, T("2026-12-02T12:00:00Z"));
  EXPECT_EQ(t.overdue_at, f.due_at);
  t = PlanFollowupTimes(f, T("2026-12-03T06:00:00Z"));
  EXPECT_EQ(t.remind_at, T("2026-12-03T06:00:00Z"));
  t = PlanFollowupTimes(f, T("2026-12-04T00:00:00Z"));
  EXPECT_FALSE(t.remind_at) << "already overdue: no reminder, only the overdue notice";
}

TEST(Followup, OverdueOnlyWhileOpen) {
  Followup f;
  f.due_at = T("2026-12-01T00:00:00Z");
  EXPECT_FALSE(f.Overdue(f.due_at - hours(1)));
  EXPECT_TRUE(f.Overdue(f.due_at));
  f.status = FollowupStatus::kDone;
  EXPECT_FALSE(f.Overdue(f.due_at + hours(1)));
}

TEST(Followup, FilterMatchesEveryGivenField) {
  Followup f;
  f.owner = "alice";
  f.source_kind = "incident";
  f.source_ref = "INC-3";
  f.incident_number = 3;
  f.due_at = T("2026-12-01T00:00:00Z");
  FollowupFilter filter;
  EXPECT_TRUE(Matches(f, filter));
  filter.owner = "bob";
  EXPECT_FALSE(Matches(f, filter));
  filter.owner = "alice";
  filter.source_ref = "INC-3";
  filter.now = T("2026-11-30T00:00:00Z");
  filter.overdue_only = true;
  EXPECT_FALSE(Matches(f, filter));
  filter.now = T("2026-12-02T00:00:00Z");
  EXPECT_TRUE(Matches(f, filter));
  filter.status = FollowupStatus::kDone;
  EXPECT_FALSE(Matches(f, filter));
}

TEST(Followup, PatchClosesAndReopens) {
  Followup f;
  f.number = 2;
  const TimePoint now = T("2026-12-01T10:00:00Z");
  FollowupPatch done;
  done.status = FollowupStatus::kDone;
  ASSERT_TRUE(ApplyFollowupPatch(f, done, now).ok());
  EXPECT_EQ(f.closed_at, now);
  FollowupPatch owner;
  owner.owner = "bob";
  Status refused = ApplyFollowupPatch(f, owner, now);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  owner.status = FollowupStatus::kOpen;
  ASSERT_TRUE(ApplyFollowupPatch(f, owner, now).ok());
  EXPECT_EQ(f.owner, "bob");
  EXPECT_FALSE(f.closed_at);
}

TEST(Followup, MissingSummaryPartsNameWhatCloseStillNeeds) {
  EXPECT_THAT(MissingSummaryParts(nullptr, 3), ElementsAre("summary"));
  FinalSummary s;
  EXPECT_THAT(MissingSummaryParts(&s, 0),
              ElementsAre("root_cause", "customer_impact", "remediation", "followups"));
  s.root_cause = "a";
  s.customer_impact = "b";
  s.remediation = "c";
  EXPECT_THAT(MissingSummaryParts(&s, 0), ElementsAre("followups"));
  EXPECT_TRUE(MissingSummaryParts(&s, 1).empty());
  s.no_followups_reason = "nothing to follow up";
  EXPECT_TRUE(MissingSummaryParts(&s, 0).empty());
}

}  // namespace
}  // namespace loom
