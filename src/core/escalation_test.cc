#include "core/escalation.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "core/oncall.h"
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
  EXPECT_EQ(plan.steps[0].delay, minutes(0));
  ASSERT_EQ(plan.steps[0].targets.size(), 2u);
  EXPECT_EQ(plan.steps[0].targets[0].role, OnCallRole::kPrimary);
  EXPECT_EQ(plan.steps[0].targets[0].kind, ContactKind::kPage);
  EXPECT_EQ(plan.steps[0].targets[1].role, OnCallRole::kEscalationManager);
  EXPECT_EQ(plan.steps[0].targets[1].kind, ContactKind::kNotify);
  EXPECT_EQ(plan.steps[1].delay, minutes(5));
  EXPECT_EQ(plan.steps[1].targets[0].role, OnCallRole::kSecondary);
  EXPECT_EQ(plan.steps[2].delay, minutes(5));
  EXPECT_EQ(plan.steps[2].targets[0].role, OnCallRole::kEscalationManager);
  EXPECT_EQ(plan.steps[4].delay, minutes(5));
}

TEST(PlanEscalation, Sev2UsesItsFifteenMinuteTarget) {
  auto plan = PlanEscalation(Policy().For(Severity::kSev2), IncidentKind::kOther, 0);
  ASSERT_EQ(plan.steps.size(), 3u);
  EXPECT_EQ(plan.steps[1].delay, minutes(15));
  EXPECT_EQ(plan.steps[2].delay, minutes(15));
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
  EXPECT_EQ(sev3.steps[1].delay, std::chrono::hours(1));
  for (const auto& step : sev3.steps) {
    for (const auto& t : step.targets) EXPECT_NE(t.kind, ContactKind::kPage);
  }
  auto sev4 = PlanEscalation(Policy().For(Severity::kSev4), IncidentKind::kAvailability, 2);
  ASSERT_EQ(sev4.steps.size(), 1u);
  EXPECT_EQ(sev4.steps[0].targets[0].kind, ContactKind::kTicket);
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

TimePoint At(const char* text) { return *ParseRfc3339(text); }

Schedule OnePerson(const std::string& id, const std::string& who) {
  RotationLayer l;
  l.participants = {who};
  l.shift_length_minutes = 7 * 1440;
  l.handoff_minute = 0;
  l.start_days = 0;
  return *Schedule::Create(id, "UTC", {l}, {});
}

OnCallResolver Resolver(bool with_secondary) {
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "p"},
                                             {OnCallRole::kEscalationManager, "m"},
                                             {OnCallRole::kSecurityLead, "s"}};
  if (with_secondary) roles[OnCallRole::kSecondary] = "sec";
  return OnCallResolver({OnePerson("p", "alice"), OnePerson("sec", "bob"), OnePerson("m", "erin"),
                         OnePerson("s", "sam")},
                        {{"loom", roles}});
}

Incident Triggered(Severity sev, IncidentKind kind = IncidentKind::kAvailability) {
  Incident inc;
  inc.number = 1;
  inc.service_id = "loom";
  inc.severity = sev;
  inc.kind = kind;
  return inc;
}

// Walks the plan as the engine does: fire a step at its due time, then the next.
std::vector<std::pair<TimePoint, Notification>> Walk(const Incident& inc,
                                                     const EscalationPlan& plan,
                                                     const OnCallResolver& resolver,
                                                     const BusinessCalendar* cal, TimePoint start) {
  std::vector<std::pair<TimePoint, Notification>> out;
  std::optional<int> step = 0;
  TimePoint now = start;
  while (step) {
    StepDecision d = DecideEscalationStep(inc, plan, *step, resolver, cal, now);
    if (d.stop) break;
    for (const auto& n : d.notifications) out.push_back({now, n});
    step = d.next_step;
    if (d.next_due) now = *d.next_due;
  }
  return out;
}

TEST(DecideEscalationStep, Sev1WalksPrimarySecondaryManagerFiveMinutesApart) {
  auto resolver = Resolver(true);
  auto plan = PlanEscalation(Policy().For(Severity::kSev1), IncidentKind::kAvailability, 1);
  TimePoint t0 = At("2026-11-04T03:00:00Z");
  auto pages = Walk(Triggered(Severity::kSev1), plan, resolver, nullptr, t0);
  ASSERT_EQ(pages.size(), 5u);
  EXPECT_EQ(pages[0].second.user, "alice");
  EXPECT_EQ(pages[0].first, t0);
  EXPECT_EQ(pages[1].second.user, "erin");  // notified at once
  EXPECT_EQ(pages[1].second.kind, ContactKind::kNotify);
  EXPECT_EQ(pages[2].second.user, "bob");
  EXPECT_EQ(pages[2].first, t0 + minutes(5));
  EXPECT_EQ(pages[3].second.user, "erin");
  EXPECT_EQ(pages[3].second.kind, ContactKind::kPage);
  EXPECT_EQ(pages[3].first, t0 + minutes(10));
  EXPECT_EQ(pages[4].first, t0 + minutes(15));  // the one repeat
}

TEST(DecideEscalationStep, EmptyRoleIsSkippedAtOnceNotWaitedOut) {
  auto resolver = Resolver(false);
  auto plan = PlanEscalation(Policy().For(Severity::kSev1), IncidentKind::kAvailability, 0);
  TimePoint t0 = At("2026-11-04T03:00:00Z");
  StepDecision secondary =
      DecideEscalationStep(Triggered(Severity::kSev1), plan, 1, resolver, nullptr, t0);
  ASSERT_EQ(secondary.skipped.size(), 1u);
  EXPECT_EQ(secondary.skipped[0], OnCallRole::kSecondary);
  EXPECT_TRUE(secondary.notifications.empty());
  EXPECT_EQ(secondary.next_due, t0);  // the manager is paged now
}

TEST(DecideEscalationStep, AcknowledgementStopsEveryLaterStep) {
  auto resolver = Resolver(true);
  auto plan = PlanEscalation(Policy().For(Severity::kSev2), IncidentKind::kAvailability, 2);
  Incident inc = Triggered(Severity::kSev2);
  inc.state = IncidentState::kAcknowledged;
  for (int step = 0; step < 3; ++step) {
    StepDecision d =
        DecideEscalationStep(inc, plan, step, resolver, nullptr, At("2026-11-04T03:00:00Z"));
    EXPECT_TRUE(d.stop);
    EXPECT_TRUE(d.notifications.empty());
    EXPECT_FALSE(d.next_due);
  }
}

TEST(DecideEscalationStep, SecurityLeadIsPagedWithThePrimary) {
  auto resolver = Resolver(true);
  auto plan = PlanEscalation(Policy().For(Severity::kSev2), IncidentKind::kSecurity, 0);
  StepDecision d = DecideEscalationStep(Triggered(Severity::kSev2, IncidentKind::kSecurity), plan,
                                        0, resolver, nullptr, At("2026-11-04T03:00:00Z"));
  ASSERT_EQ(d.notifications.size(), 3u);
  EXPECT_EQ(d.notifications[2].user, "sam");
  EXPECT_EQ(d.notifications[2].kind, ContactKind::kPage);
}

TEST(DecideEscalationStep, Sev3TicketEscalatesAfterOneBusinessHour) {
  auto resolver = Resolver(true);
  auto cal = BusinessCalendar::Create("UTC", "mon-fri", "09:00", "17:00", {});
  auto plan = PlanEscalation(Policy().For(Severity::kSev3), IncidentKind::kAvailability, 2);
  // Friday 16:30: the secondary's ticket is due Monday 09:30.
  auto tickets =
      Walk(Triggered(Severity::kSev3), plan, resolver, &*cal, At("2026-11-06T16:30:00Z"));
  ASSERT_EQ(tickets.size(), 2u);
  EXPECT_EQ(tickets[0].second.kind, ContactKind::kTicket);
  EXPECT_EQ(tickets[1].second.user, "bob");
  EXPECT_EQ(tickets[1].first, At("2026-11-09T09:30:00Z"));
}

}  // namespace
}  // namespace loom
