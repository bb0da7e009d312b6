#include "core/incident_transition.h"

#include <gtest/gtest.h>

#include <chrono>

#include "common/time_format.h"
#include "core/escalate_rule.h"

namespace loom {
namespace {

using Type = IncidentCommand::Type;
using std::chrono::minutes;

const TimePoint kNow = FromUnixMicros(1'800'000'000'000'000);

Incident Make(IncidentState state, Severity sev = Severity::kSev2, std::string commander = "") {
  Incident inc;
  inc.number = 7;
  inc.state = state;
  inc.severity = sev;
  inc.commander = std::move(commander);
  inc.created_at = kNow - minutes(30);
  if (state != IncidentState::kTriggered) inc.acknowledged_at = kNow - minutes(20);
  if (state == IncidentState::kResolved || state == IncidentState::kClosed) {
    inc.resolved_at = kNow - minutes(5);
  }
  return inc;
}

IncidentCommand Command(Type type, std::string actor = "user:alice") {
  IncidentCommand c;
  c.type = type;
  c.incident_number = 7;
  c.actor = std::move(actor);
  return c;
}

TransitionFacts Facts(int64_t last_seq = 4) {
  TransitionFacts f;
  f.last_seq = last_seq;
  return f;
}

std::vector<std::string> EventTypes(const TransitionPlan& plan) {
  std::vector<std::string> out;
  for (const auto& e : plan.events) out.push_back(e.type);
  return out;
}

TEST(IncidentTransition, AcknowledgeStopsTheEscalationStartsTheCadenceAndAssignsACommander) {
  auto plan =
      DecideCommand(Make(IncidentState::kTriggered), Command(Type::kAcknowledge), Facts(), kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_TRUE(plan->changed);
  EXPECT_EQ(plan->incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ(plan->incident.acknowledged_at, kNow);
  EXPECT_EQ(plan->incident.commander, "user:alice");
  EXPECT_EQ(EventTypes(*plan),
            (std::vector<std::string>{"incident.acknowledged", "incident.commander_assigned"}));
  EXPECT_EQ(plan->events[0].data_json, R"({"from":"triggered","to":"acknowledged"})");
  EXPECT_STREQ(plan->alert_status, kAlertAcknowledged);
  EXPECT_TRUE(plan->cancel_escalation);
  EXPECT_TRUE(plan->cancel_cadence);
  EXPECT_FALSE(plan->cancel_all);
  ASSERT_EQ(plan->deadlines.size(), 1u);
  EXPECT_EQ(plan->deadlines[0].kind, DeadlineKind::kCadence);
  EXPECT_EQ(plan->deadlines[0].incident_number, 7);
  EXPECT_EQ(plan->deadlines[0].due_at, kNow);
  EXPECT_EQ(plan->deadlines[0].payload_json,
            "{\"last_update_at\":" + std::to_string(ToUnixMicros(kNow)) + "}");
}

TEST(IncidentTransition, AcknowledgeKeepsACommanderAndRecordsTheLinkChannel) {
  IncidentCommand ack = Command(Type::kAcknowledge);
  ack.via = "slack";
  ack.note = "on it";
  auto plan = DecideCommand(Make(IncidentState::kTriggered, Severity::kSev1, "user:bob"), ack,
                            Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->incident.commander, "user:bob");
  ASSERT_EQ(plan->events.size(), 1u);
  EXPECT_EQ(plan->events[0].data_json,
            R"({"from":"triggered","to":"acknowledged","via":"slack","note":"on it"})");
}

TEST(IncidentTransition, UnacknowledgeArmsTheEscalationNamedByItsOwnEvent) {
  auto plan = DecideCommand(Make(IncidentState::kAcknowledged), Command(Type::kUnacknowledge),
                            Facts(9), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->incident.state, IncidentState::kTriggered);
  EXPECT_FALSE(plan->incident.acknowledged_at.has_value());
  EXPECT_EQ(EventTypes(*plan), std::vector<std::string>{"incident.unacknowledged"});
  EXPECT_TRUE(plan->cancel_all);
  EXPECT_STREQ(plan->alert_status, kAlertFiring);
  ASSERT_EQ(plan->deadlines.size(), 1u);
  EXPECT_EQ(plan->deadlines[0].kind, DeadlineKind::kEscalate);
  // Armed before its event was added: the arm is the seq that event takes.
  EXPECT_EQ(plan->deadlines[0].payload_json, R"({"arm":10,"step":0})");
}

TEST(IncidentTransition, ASeverityRaiseOfATriggeredIncidentArmsTheEscalationAgain) {
  IncidentCommand raise = Command(Type::kSetSeverity);
  raise.severity = Severity::kSev1;
  auto plan =
      DecideCommand(Make(IncidentState::kTriggered, Severity::kSev3), raise, Facts(4), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->incident.severity, Severity::kSev1);
  EXPECT_EQ(plan->events[0].data_json, R"({"from":"sev3","to":"sev1"})");
  EXPECT_TRUE(plan->cancel_escalation);
  ASSERT_EQ(plan->deadlines.size(), 1u);
  EXPECT_EQ(plan->deadlines[0].payload_json, R"({"arm":6,"step":0})");

  // Lowered: the running escalation goes on (its later steps read the new severity).
  IncidentCommand lower = Command(Type::kSetSeverity);
  lower.severity = Severity::kSev4;
  plan = DecideCommand(Make(IncidentState::kTriggered, Severity::kSev3), lower, Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->changed);
  EXPECT_FALSE(plan->cancel_escalation);
  EXPECT_TRUE(plan->deadlines.empty());

  // The same severity: nothing to do.
  lower.severity = Severity::kSev3;
  plan = DecideCommand(Make(IncidentState::kTriggered, Severity::kSev3), lower, Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->changed);
  EXPECT_TRUE(plan->events.empty());
}

TEST(IncidentTransition, ASeverityChangeWhileAcknowledgedPlansTheCadenceFromTheLastUpdate) {
  const Incident acked = Make(IncidentState::kAcknowledged, Severity::kSev3);
  IncidentCommand raise = Command(Type::kSetSeverity);
  raise.severity = Severity::kSev2;
  EXPECT_TRUE(FactsFor(acked, raise).last_status_update);
  TransitionFacts facts = Facts();
  facts.last_status_update = kNow - minutes(3);
  auto plan = DecideCommand(acked, raise, facts, kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->cancel_escalation);
  EXPECT_TRUE(plan->cancel_cadence);
  ASSERT_EQ(plan->deadlines.size(), 1u);
  EXPECT_EQ(plan->deadlines[0].kind, DeadlineKind::kCadence);
  EXPECT_EQ(plan->deadlines[0].payload_json,
            "{\"last_update_at\":" + std::to_string(ToUnixMicros(kNow - minutes(3))) + "}");

  // No update since the acknowledgement: from the acknowledgement.
  plan = DecideCommand(acked, raise, Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->deadlines[0].payload_json,
            "{\"last_update_at\":" + std::to_string(ToUnixMicros(*acked.acknowledged_at)) + "}");
}

TEST(IncidentTransition, ReassignTriggersAgainAndPagesTheAssigneeAtStepZero) {
  IncidentCommand reassign = Command(Type::kReassign);
  reassign.assignee = "carol";
  auto plan = DecideCommand(Make(IncidentState::kAcknowledged), reassign, Facts(4), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->incident.state, IncidentState::kTriggered);
  EXPECT_FALSE(plan->incident.acknowledged_at.has_value());
  EXPECT_EQ(plan->events[0].data_json, R"({"assignee":"carol","from":"acknowledged"})");
  EXPECT_TRUE(plan->cancel_all);
  ASSERT_EQ(plan->deadlines.size(), 1u);
  EXPECT_EQ(plan->deadlines[0].payload_json, R"({"arm":6,"step":0,"assignee":"carol"})");

  auto refused = DecideCommand(Make(IncidentState::kMitigated), reassign, Facts(), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  reassign.assignee.clear();
  refused = DecideCommand(Make(IncidentState::kMitigated), reassign, Facts(), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);  // checked before the state
}

TEST(IncidentTransition, EscalateRunsThePendingStepNow) {
  IncidentCommand escalate = Command(Type::kEscalate);
  escalate.via = "sms";
  const Incident triggered = Make(IncidentState::kTriggered, Severity::kSev1);
  EXPECT_TRUE(FactsFor(triggered, escalate).next_escalation);
  EXPECT_FALSE(FactsFor(Make(IncidentState::kAcknowledged), escalate).next_escalation);
  TransitionFacts facts = Facts();
  Deadline pending;
  pending.id = 31;
  pending.incident_number = 7;
  pending.kind = DeadlineKind::kEscalate;
  pending.due_at = kNow + minutes(4);
  pending.payload_json = R"({"arm":3,"step":1})";
  facts.next_escalation = pending;
  auto plan = DecideCommand(triggered, escalate, facts, kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->incident.state, IncidentState::kTriggered);
  EXPECT_EQ(EventTypes(*plan), std::vector<std::string>{"incident.escalated"});
  EXPECT_EQ(plan->events[0].actor, "user:alice");
  EXPECT_EQ(plan->events[0].data_json, R"({"via":"sms"})");
  EXPECT_TRUE(plan->cancel_escalation);
  EXPECT_FALSE(plan->cancel_all);
  ASSERT_EQ(plan->deadlines.size(), 1u);
  EXPECT_EQ(plan->deadlines[0].id, 0);
  EXPECT_EQ(plan->deadlines[0].kind, DeadlineKind::kEscalate);
  EXPECT_EQ(plan->deadlines[0].due_at, kNow);
  EXPECT_EQ(plan->deadlines[0].payload_json, R"({"arm":3,"step":1})");

  // Nothing left to escalate to, or not triggered: refused.
  auto exhausted = DecideCommand(triggered, escalate, Facts(), kNow);
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.error().code, ErrorCode::kConflict);
  auto acked = DecideCommand(Make(IncidentState::kAcknowledged), escalate, facts, kNow);
  ASSERT_FALSE(acked.ok());
  EXPECT_EQ(acked.error().code, ErrorCode::kConflict);
  EXPECT_EQ(std::string(CommandRouteName(Type::kEscalate)), "escalate");
}

TEST(IncidentTransition, ResolveEndsTheGroupAndEveryDeadline) {
  auto plan = DecideCommand(Make(IncidentState::kMitigated, Severity::kSev3),
                            Command(Type::kResolve), Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->incident.resolved_at, kNow);
  EXPECT_TRUE(plan->end_group);
  EXPECT_TRUE(plan->cancel_all);
  EXPECT_TRUE(plan->deadlines.empty());
}

TEST(IncidentTransition, TheSecurityPlaybookGatesResolveAndCloseExceptForDrills) {
  Incident sec = Make(IncidentState::kAcknowledged, Severity::kSev2, "user:alice");
  sec.kind = IncidentKind::kSecurity;
  const IncidentCommand resolve = Command(Type::kResolve);
  ASSERT_TRUE(FactsFor(sec, resolve).playbook);
  TransitionFacts facts = Facts();
  facts.playbook = SecurityPlaybookState{};
  facts.playbook->checklist.push_back({"rotate", "Rotate keys", "", std::nullopt, "", ""});
  auto refused = DecideCommand(sec, resolve, facts, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("rotate"), std::string::npos);

  sec.drill = true;
  EXPECT_FALSE(FactsFor(sec, resolve).playbook);
  EXPECT_TRUE(DecideCommand(sec, resolve, Facts(), kNow).ok());
}

TEST(IncidentTransition, CloseNeedsACompleteFinalSummary) {
  const Incident resolved = Make(IncidentState::kResolved);
  const IncidentCommand close = Command(Type::kClose);
  ASSERT_TRUE(FactsFor(resolved, close).summary);
  auto refused = DecideCommand(resolved, close, Facts(), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  ASSERT_EQ(refused.error().fields.size(), 1u);
  EXPECT_EQ(refused.error().fields[0].pointer, "/summary");

  TransitionFacts facts = Facts();
  facts.summary = FinalSummary{};
  facts.summary->root_cause = "disk full";
  refused = DecideCommand(resolved, close, facts, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("missing: customer_impact"), std::string::npos);

  facts.summary->customer_impact = "none";
  facts.summary->remediation = "bigger disk";
  facts.live_followups = 1;
  auto plan = DecideCommand(resolved, close, facts, kNow);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->incident.state, IncidentState::kClosed);
  EXPECT_EQ(plan->incident.closed_at, kNow);

  // The state is checked first: closing an open incident names the state, not the summary.
  EXPECT_FALSE(FactsFor(Make(IncidentState::kAcknowledged), close).summary);
  refused = DecideCommand(Make(IncidentState::kAcknowledged), close, Facts(), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("only a resolved incident"), std::string::npos);
}

TEST(IncidentTransition, CommanderHandoverAndStatusUpdates) {
  IncidentCommand take = Command(Type::kSetCommander);
  take.commander = "user:carol";
  auto plan = DecideCommand(Make(IncidentState::kAcknowledged, Severity::kSev2, "user:bob"), take,
                            Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(EventTypes(*plan), std::vector<std::string>{"commander.handover"});
  EXPECT_EQ(plan->events[0].data_json,
            R"({"from":"user:bob","to":"user:carol","commander":"user:carol"})");
  EXPECT_FALSE(DecideCommand(Make(IncidentState::kClosed), take, Facts(), kNow).ok());

  IncidentCommand update = Command(Type::kStatusUpdate);
  update.impact = "checkout slow";
  update.next_update_at = kNow + minutes(10);
  plan = DecideCommand(Make(IncidentState::kMitigated), update, Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->deadlines.size(), 1u);
  EXPECT_EQ(plan->deadlines[0].payload_json,
            "{\"last_update_at\":" + std::to_string(ToUnixMicros(kNow)) +
                ",\"promised_next_at\":" + std::to_string(ToUnixMicros(kNow + minutes(10))) + "}");
  // A triggered incident takes updates but has no cadence yet.
  plan = DecideCommand(Make(IncidentState::kTriggered), update, Facts(), kNow);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->deadlines.empty());
  auto refused = DecideCommand(Make(IncidentState::kResolved), update, Facts(), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("status updates end with the resolution"),
            std::string::npos);
}

// The decision takes an escalation exactly when the rule the incident view offers it by holds
// (core/escalate_rule.h): triggered, with a pending step.
TEST(IncidentTransition, EscalateFollowsTheRule) {
  for (IncidentState s : {IncidentState::kTriggered, IncidentState::kAcknowledged,
                          IncidentState::kMitigated, IncidentState::kResolved}) {
    for (bool pending : {false, true}) {
      TransitionFacts facts = Facts();
      if (pending) {
        facts.next_escalation =
            Deadline{3, 7, DeadlineKind::kEscalate, kNow + minutes(5), R"({"arm":1,"step":1})"};
      }
      const Incident inc = Make(s);
      EXPECT_EQ(DecideCommand(inc, Command(Type::kEscalate), facts, kNow).ok(),
                CheckEscalate(inc, pending).ok())
          << IncidentStateName(s) << " pending=" << pending;
    }
  }
}

TEST(IncidentTransition, AllowedActionsFollowTheStateAndTheRole) {
  const Incident triggered = Make(IncidentState::kTriggered, Severity::kSev1);
  EXPECT_TRUE(AllowedActions(triggered, Role::kViewer).empty());
  EXPECT_TRUE(AllowedActions(triggered, Role::kCalendar).empty());
  EXPECT_EQ(AllowedActions(triggered, Role::kResponder),
            (std::vector<std::string>{"acknowledge", "resolve", "commander", "severity", "reassign",
                                      "updates", "notes"}));
  // Sev1 without a commander: not mitigated or resolved until someone takes command.
  EXPECT_EQ(AllowedActions(Make(IncidentState::kAcknowledged, Severity::kSev1), Role::kAdmin),
            (std::vector<std::string>{"unacknowledge", "commander", "severity", "reassign",
                                      "updates", "notes"}));
  EXPECT_EQ(AllowedActions(Make(IncidentState::kResolved), Role::kResponder),
            (std::vector<std::string>{"close", "commander", "severity", "notes"}));
  // Every allowed action is one the decision takes in that state (no second copy of the rules).
  for (IncidentState s :
       {IncidentState::kTriggered, IncidentState::kAcknowledged, IncidentState::kMitigated,
        IncidentState::kResolved, IncidentState::kClosed}) {
    const Incident inc = Make(s, Severity::kSev3);
    for (const std::string& name : AllowedActions(inc, Role::kResponder)) {
      for (Type t : {Type::kAcknowledge, Type::kUnacknowledge, Type::kMitigate, Type::kResolve,
                     Type::kSetCommander, Type::kSetSeverity, Type::kReassign, Type::kAddNote}) {
        if (name != CommandRouteName(t)) continue;
        IncidentCommand c = Command(t);
        c.commander = "user:zed";
        c.assignee = "zed";
        c.note = "n";
        c.severity = Severity::kSev4;
        EXPECT_TRUE(DecideCommand(inc, c, Facts(), kNow).ok()) << name;
      }
    }
  }
}

}  // namespace
}  // namespace loom
