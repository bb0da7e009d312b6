#include "core/integration_transition.h"

#include <gtest/gtest.h>

#include <chrono>

#include "common/time_format.h"

namespace loom {
namespace {

using std::chrono::minutes;

const TimePoint kNow = FromUnixMicros(1'800'000'000'000'000);
constexpr char kActor[] = "integration:loom";

Incident Make(IncidentState state, IncidentKind kind = IncidentKind::kAvailability) {
  Incident inc;
  inc.number = 3;
  inc.service_id = "loom";
  inc.state = state;
  inc.kind = kind;
  inc.alert_count = 2;
  inc.created_at = kNow - minutes(10);
  return inc;
}

TransitionFacts Facts(int64_t last_seq) {
  TransitionFacts f;
  f.last_seq = last_seq;
  return f;
}

TEST(IntegrationTransition, OpeningTriggersAndArmsTheEscalationAfterItsEvent) {
  Incident opened = Make(IncidentState::kTriggered);
  opened.title = "disk full";
  opened.severity = Severity::kSev1;
  opened.dedup_key = "disk";
  opened.drill = true;
  TransitionPlan plan = DecideOpen(opened, kActor, kNow);
  EXPECT_EQ(plan.incident.state, IncidentState::kTriggered);
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].type, "incident.triggered");
  EXPECT_EQ(plan.events[0].actor, kActor);
  EXPECT_EQ(plan.events[0].data_json,
            R"({"title":"disk full","severity":"sev1","kind":"availability","service":"loom",)"
            R"("dedup_key":"disk","drill":true})");
  ASSERT_EQ(plan.deadlines.size(), 1u);
  EXPECT_EQ(plan.deadlines[0].kind, DeadlineKind::kEscalate);
  EXPECT_EQ(plan.deadlines[0].incident_number, 3);
  EXPECT_EQ(plan.deadlines[0].due_at, kNow);
  EXPECT_EQ(plan.deadlines[0].payload_json, R"({"arm":2,"step":0})");
}

TEST(IntegrationTransition, AnIntegrationsAcknowledgementAssignsNoCommander) {
  TransitionPlan plan =
      DecideIntegrationAcknowledge(Make(IncidentState::kTriggered), kActor, Facts(5), kNow);
  EXPECT_EQ(plan.incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ(plan.incident.acknowledged_at, kNow);
  EXPECT_TRUE(plan.incident.commander.empty());
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].data_json, R"({"from":"triggered","to":"acknowledged"})");
  EXPECT_STREQ(plan.alert_status, kAlertAcknowledged);
  EXPECT_TRUE(plan.cancel_escalation);
  ASSERT_EQ(plan.deadlines.size(), 1u);
  EXPECT_EQ(plan.deadlines[0].kind, DeadlineKind::kCadence);

  // Acknowledged or later: ignored.
  for (IncidentState s :
       {IncidentState::kAcknowledged, IncidentState::kMitigated, IncidentState::kResolved}) {
    plan = DecideIntegrationAcknowledge(Make(s), kActor, Facts(5), kNow);
    EXPECT_FALSE(plan.changed);
    EXPECT_TRUE(plan.events.empty());
    EXPECT_TRUE(plan.deadlines.empty());
    EXPECT_EQ(plan.incident.state, s);
  }
}

TEST(IntegrationTransition, AnAlertUpdateChangesItsMemberByTheMembersStatus) {
  Alert firing;
  firing.status = kAlertFiring;
  Alert acknowledged;
  acknowledged.status = kAlertAcknowledged;
  Alert resolved;
  resolved.status = kAlertResolved;
  using C = MemberChange;
  // A trigger: new, fires again, or heard of again.
  EXPECT_EQ(DecideMemberChange(AlertAction::kTrigger, nullptr), C::kAdd);
  EXPECT_EQ(DecideMemberChange(AlertAction::kTrigger, &resolved), C::kRefire);
  EXPECT_EQ(DecideMemberChange(AlertAction::kTrigger, &firing), C::kHeard);
  EXPECT_EQ(DecideMemberChange(AlertAction::kTrigger, &acknowledged), C::kHeard);
  // A resolve ends a member not yet resolved, and nothing else.
  EXPECT_EQ(DecideMemberChange(AlertAction::kResolve, &firing), C::kResolve);
  EXPECT_EQ(DecideMemberChange(AlertAction::kResolve, &acknowledged), C::kResolve);
  EXPECT_EQ(DecideMemberChange(AlertAction::kResolve, &resolved), C::kNone);
  EXPECT_EQ(DecideMemberChange(AlertAction::kResolve, nullptr), C::kNone);
  // An acknowledgement is the incident's.
  EXPECT_EQ(DecideMemberChange(AlertAction::kAcknowledge, &firing), C::kNone);
  EXPECT_EQ(DecideMemberChange(AlertAction::kAcknowledge, nullptr), C::kNone);
}

TEST(IntegrationTransition, TheGroupClosesWhenNoAlertFires) {
  Incident inc = Make(IncidentState::kAcknowledged);
  inc.firing_alert_count = 1;
  EXPECT_FALSE(GroupCloses(inc));
  inc.firing_alert_count = 0;
  EXPECT_TRUE(GroupCloses(inc));
  inc.firing_alert_count = -1;  // counted down past zero by a repeated resolve: closed all the same
  EXPECT_TRUE(GroupCloses(inc));
}

TEST(IntegrationTransition, AResolveOfTheKeyResolvesEveryMemberAndClosesTheGroup) {
  Incident inc = Make(IncidentState::kAcknowledged);
  inc.firing_alert_count = 3;
  EXPECT_EQ(ResolveEveryMember(inc), 3);
  EXPECT_EQ(inc.firing_alert_count, 0);
  EXPECT_TRUE(GroupCloses(inc));
  inc.firing_alert_count = -1;  // a count already past zero resolves nothing more
  EXPECT_EQ(ResolveEveryMember(inc), 0);
  EXPECT_TRUE(GroupCloses(inc));
}

TEST(IntegrationTransition, TheGroupClosesAndAutoResolveResolvesAnOpenIncident) {
  TransitionPlan plan =
      DecideGroupClosed(Make(IncidentState::kAcknowledged), kActor, 2, false, Facts(5), kNow);
  EXPECT_TRUE(plan.end_group);
  EXPECT_EQ(plan.incident.alerts_resolved_at, kNow);
  EXPECT_EQ(plan.incident.state, IncidentState::kAcknowledged);
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].data_json, R"({"resolved":2,"alert_count":2})");
  EXPECT_FALSE(plan.cancel_all);

  plan = DecideGroupClosed(Make(IncidentState::kAcknowledged), kActor, 2, true, Facts(5), kNow);
  EXPECT_EQ(plan.incident.state, IncidentState::kResolved);
  EXPECT_EQ(plan.incident.resolved_at, kNow);
  ASSERT_EQ(plan.events.size(), 2u);
  EXPECT_EQ(plan.events[1].data_json,
            R"({"from":"acknowledged","to":"resolved","reason":"auto_resolve"})");
  EXPECT_TRUE(plan.cancel_all);

  // Already resolved by a responder: the group closes, nothing else.
  plan = DecideGroupClosed(Make(IncidentState::kResolved), kActor, 1, true, Facts(5), kNow);
  EXPECT_EQ(plan.events.size(), 1u);
  EXPECT_FALSE(plan.cancel_all);
}

TEST(IntegrationTransition, ASecurityIncidentStaysOpenUntilItsPlaybookAllows) {
  const Incident sec = Make(IncidentState::kTriggered, IncidentKind::kSecurity);
  ASSERT_TRUE(GroupCloseNeedsPlaybook(sec, true));
  EXPECT_FALSE(GroupCloseNeedsPlaybook(sec, false));
  TransitionFacts facts = Facts(5);
  facts.playbook = SecurityPlaybookState{};
  facts.playbook->checklist.push_back({"contain", "Contain", "", std::nullopt, "", ""});
  TransitionPlan plan = DecideGroupClosed(sec, kActor, 1, true, facts, kNow);
  EXPECT_EQ(plan.incident.state, IncidentState::kTriggered);
  EXPECT_TRUE(plan.end_group);

  facts.playbook->checklist[0].done_at = kNow;
  facts.playbook->report = SecurityReport{};
  EXPECT_EQ(DecideGroupClosed(sec, kActor, 1, true, facts, kNow).incident.state,
            IncidentState::kResolved);
  // A drill rehearses the checklist: no gate, nothing to read.
  Incident drill = sec;
  drill.drill = true;
  EXPECT_FALSE(GroupCloseNeedsPlaybook(drill, true));
  EXPECT_EQ(DecideGroupClosed(drill, kActor, 1, true, Facts(5), kNow).incident.state,
            IncidentState::kResolved);
}

}  // namespace
}  // namespace loom
