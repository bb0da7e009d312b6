#include "core/escalation.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace loom {
namespace {

using std::chrono::minutes;

SeverityPolicy Policy() {
  auto doc = ParseRunbookMarkdown(
      testing::ReadFileOrDie(testing::TestDataPath("runbook/INCIDENT-RESPONSE-ONCALL.md")));
  return *SeverityPolicyFromRunbook(*doc, "rb.md");
}

TEST(PlanEscalation, Sev1PagesPrimaryThenSecondaryThenManagerAtAckTargets) {
  auto plan = PlanEscalation(Policy().For(Severity::kSev1), IncidentKind::kAvailability, 2);
  EXPECT_EQ(plan.basis, TimeBasis::kWall);
  ASSERT_EQ(plan.steps.size(), 5u);  // primary, secondary, manager + 2 repeats
  EXPECT_EQ(plan.steps[0].offset, minutes(0));
  ASSERT_EQ(plan.steps[0].targets.size(), 2u);
  EXPECT_EQ(plan.steps[0].targets[0].role, OnCallRole::kPrimary);
  EXPECT_EQ(plan.steps[0].targets[0].kind, ContactKind::kPage);
  EXPECT_EQ(plan.steps[0].targets[1].role, OnCallRole::kEscalationManager);
  EXPECT_EQ(plan.steps[0].targets[1].kind, ContactKind::kNotify);
  EXPECT_EQ(plan.steps[1].offset, minutes(5));
  EXPECT_EQ(plan.steps[1].targets[0].role, OnCallRole::kSecondary);
  EXPECT_EQ(plan.steps[2].offset, minutes(10));
  EXPECT_EQ(plan.steps[2].targets[0].role, OnCallRole::kEscalationManager);
  EXPECT_EQ(plan.steps[4].offset, minutes(20));
}

TEST(PlanEscalation, Sev2UsesItsFifteenMinuteTarget) {
  auto plan = PlanEscalation(Policy().For(Severity::kSev2), IncidentKind::kOther, 0);
  ASSERT_EQ(plan.steps.size(), 3u);
  EXPECT_EQ(plan.steps[1].offset, minutes(15));
  EXPECT_EQ(plan.steps[2].offset, minutes(30));
}

TEST(PlanEscalation, SecurityIncidentsAlsoPageTheSecurityLeadAtOnce) {
  for (Severity s : {Severity::kSev1, Severity::kSev3, Severity::kSev4}) {
    auto plan = PlanEscalation(Policy().For(s), IncidentKind::kSecurity, 1);
    bool paged = false;
    for (const auto& t : plan.steps[0].targets) {
      paged |= t.role == OnCallRole::kSecurityLead && t.kind == ContactKind::kPage;
    }
    EXPECT_TRUE(paged) << SeverityName(s);
  }
}

TEST(PlanEscalation, Sev3IsATicketCountedInBusinessHoursAndSev4IsAsync) {
  auto sev3 = PlanEscalation(Policy().For(Severity::kSev3), IncidentKind::kAvailability, 2);
  EXPECT_EQ(sev3.basis, TimeBasis::kBusinessHours);
  ASSERT_EQ(sev3.steps.size(), 2u);
  EXPECT_EQ(sev3.steps[0].targets[0].kind, ContactKind::kTicket);
  EXPECT_EQ(sev3.steps[1].offset, std::chrono::hours(1));
  for (const auto& step : sev3.steps) {
    for (const auto& t : step.targets) EXPECT_NE(t.kind, ContactKind::kPage);
  }
  auto sev4 = PlanEscalation(Policy().For(Severity::kSev4), IncidentKind::kAvailability, 2);
  ASSERT_EQ(sev4.steps.size(), 1u);
  EXPECT_EQ(sev4.steps[0].targets[0].kind, ContactKind::kTicket);
}

}  // namespace
}  // namespace loom
