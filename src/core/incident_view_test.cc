#include "core/incident_view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "common/time_format.h"
#include "core/incident_transition.h"

namespace loom {
namespace {

using std::chrono::minutes;

const TimePoint kNow = FromUnixMicros(1'800'000'000'000'000);

Incident Make(IncidentState state) {
  Incident inc;
  inc.number = 7;
  inc.state = state;
  inc.severity = Severity::kSev3;
  return inc;
}

Deadline Escalate(int64_t number, int step, TimePoint due) {
  return {0, number, DeadlineKind::kEscalate, due,
          R"({"arm":3,"step":)" + std::to_string(step) + "}"};
}

TEST(IncidentView, AckDueIsTheNextEscalationStepOfATriggeredIncident) {
  const std::vector<Deadline> pending = {
      Escalate(7, 0, kNow),                // armed, not yet fired: no target of its own
      Escalate(7, 2, kNow + minutes(10)),  // a later step: later
      Escalate(7, 1, kNow + minutes(5)),   // the acknowledgement target
      Escalate(8, 1, kNow + minutes(1)),   // another incident
      {0, 7, DeadlineKind::kUpdateDue, kNow + minutes(2),
       "{}"},  // left from before: not while triggered
  };
  IncidentView view = ViewIncident(Make(IncidentState::kTriggered), pending, Role::kResponder);
  EXPECT_EQ(view.ack_due_at, kNow + minutes(5));
  EXPECT_FALSE(view.next_update_due_at.has_value());

  // No further step (a sev4's plan, or a service nobody is on call for): none.
  view = ViewIncident(Make(IncidentState::kTriggered), {Escalate(7, 0, kNow)}, Role::kResponder);
  EXPECT_FALSE(view.ack_due_at.has_value());
}

TEST(IncidentView, NextUpdateDueIsThePlannedUpdateOfAnAcknowledgedOrMitigatedIncident) {
  const std::vector<Deadline> pending = {
      {0, 7, DeadlineKind::kUpdateReminder, kNow + minutes(25), "{}"},
      {0, 7, DeadlineKind::kUpdateDue, kNow + minutes(30), "{}"},
      Escalate(7, 1, kNow + minutes(5)),
  };
  for (IncidentState s : {IncidentState::kAcknowledged, IncidentState::kMitigated}) {
    IncidentView view = ViewIncident(Make(s), pending, Role::kResponder);
    EXPECT_EQ(view.next_update_due_at, kNow + minutes(30));
    EXPECT_FALSE(view.ack_due_at.has_value());
  }
  IncidentView resolved = ViewIncident(Make(IncidentState::kResolved), pending, Role::kAdmin);
  EXPECT_FALSE(resolved.next_update_due_at.has_value());
  EXPECT_FALSE(resolved.ack_due_at.has_value());
}

TEST(IncidentView, AllowedActionsAreTheCallersByRole) {
  EXPECT_TRUE(
      ViewIncident(Make(IncidentState::kTriggered), {}, Role::kViewer).allowed_actions.empty());
  EXPECT_EQ(ViewIncident(Make(IncidentState::kClosed), {}, Role::kResponder).allowed_actions,
            (std::vector<std::string>{"severity", "notes", "evidence", "review"}));
  // An owner (and an admin) may do what a responder may.
  for (Role role : {Role::kOwner, Role::kAdmin}) {
    EXPECT_EQ(ViewIncident(Make(IncidentState::kClosed), {}, role).allowed_actions,
              (std::vector<std::string>{"severity", "notes", "evidence", "review"}))
        << RoleName(role);
  }
  EXPECT_TRUE(
      ViewIncident(Make(IncidentState::kClosed), {}, Role::kCalendar).allowed_actions.empty());
}

// The panels' writes, by state and kind: what the console shows a form or button for.
// "escalate" is offered while the incident is triggered and its escalation has a pending step
// (core/escalate_rule.h), to a responder or above, after the other commands.
TEST(IncidentView, EscalateIsOfferedWhileAStepIsPending) {
  const std::vector<Deadline> pending = {Escalate(7, 1, kNow + minutes(5))};
  std::vector<std::string> actions =
      ViewIncident(Make(IncidentState::kTriggered), pending, Role::kResponder).allowed_actions;
  std::vector<std::string> want = AllowedActions(Make(IncidentState::kTriggered), Role::kResponder);
  want.push_back("escalate");
  for (const std::string& w : AllowedPanelWrites(Make(IncidentState::kTriggered), Role::kResponder))
    want.push_back(w);
  EXPECT_EQ(actions, want);
  auto offers = [&](IncidentState s, const std::vector<Deadline>& d, Role role) {
    std::vector<std::string> a = ViewIncident(Make(s), d, role).allowed_actions;
    return std::find(a.begin(), a.end(), "escalate") != a.end();
  };
  EXPECT_TRUE(offers(IncidentState::kTriggered, pending, Role::kAdmin));
  EXPECT_FALSE(offers(IncidentState::kTriggered, {}, Role::kResponder));  // everyone was paged
  EXPECT_FALSE(offers(IncidentState::kTriggered, {Escalate(8, 1, kNow)}, Role::kResponder));
  EXPECT_FALSE(offers(IncidentState::kTriggered, pending, Role::kViewer));
  EXPECT_FALSE(offers(IncidentState::kAcknowledged, pending, Role::kResponder));
}

TEST(IncidentView, AllowedPanelWritesFollowTheStateAndTheKind) {
  using V = std::vector<std::string>;
  Incident availability = Make(IncidentState::kTriggered);
  availability.kind = IncidentKind::kAvailability;
  Incident security = availability;
  security.kind = IncidentKind::kSecurity;
  Incident other = availability;
  other.kind = IncidentKind::kOther;
  const struct {
    IncidentState state;
    V availability, security, other;
  } cases[] = {
      {IncidentState::kTriggered, V{"probe", "evidence"},
       V{"evidence", "checklist", "security-report"}, V{"evidence"}},
      {IncidentState::kAcknowledged, V{"probe", "evidence"},
       V{"evidence", "checklist", "security-report"}, V{"evidence"}},
      {IncidentState::kMitigated, V{"probe", "evidence"},
       V{"evidence", "checklist", "security-report"}, V{"evidence"}},
      {IncidentState::kResolved, V{"evidence", "summary"},
       V{"evidence", "checklist", "security-report", "summary"}, V{"evidence", "summary"}},
      {IncidentState::kClosed, V{"evidence", "review"}, V{"evidence", "review"},
       V{"evidence", "review"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(IncidentStateName(c.state));
    availability.state = security.state = other.state = c.state;
    for (Role role : {Role::kResponder, Role::kAdmin}) {
      EXPECT_EQ(AllowedPanelWrites(availability, role), c.availability);
      EXPECT_EQ(AllowedPanelWrites(security, role), c.security);
      EXPECT_EQ(AllowedPanelWrites(other, role), c.other);
    }
    EXPECT_TRUE(AllowedPanelWrites(security, Role::kViewer).empty());
  }
  // The view lists the commands first, then the panels' writes.
  security.state = IncidentState::kResolved;
  V want = AllowedActions(security, Role::kResponder);
  for (const std::string& w : AllowedPanelWrites(security, Role::kResponder)) want.push_back(w);
  EXPECT_EQ(ViewIncident(security, {}, Role::kResponder).allowed_actions, want);
}

}  // namespace
// The handlers serve a panel write by the same rule the view lists it by, and say why not.
TEST(IncidentView, CheckPanelWriteRefusesWhatTheViewDoesNotList) {
  Incident incident = Make(IncidentState::kMitigated);
  incident.kind = IncidentKind::kAvailability;
  Status summary = CheckPanelWrite(incident, "summary");
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kConflict);
  EXPECT_NE(summary.error().message.find("once the incident is resolved"), std::string::npos);
  EXPECT_TRUE(CheckPanelWrite(incident, "probe").ok());
  incident.state = IncidentState::kResolved;
  EXPECT_TRUE(CheckPanelWrite(incident, "summary").ok());
  Status probe = CheckPanelWrite(incident, "probe");
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.error().code, ErrorCode::kConflict);
  incident.kind = IncidentKind::kOther;
  EXPECT_NE(CheckPanelWrite(incident, "probe").error().message.find("availability playbook"),
            std::string::npos);
  EXPECT_EQ(CheckPanelWrite(incident, "nonsense").error().code, ErrorCode::kInvalidArgument);
}

}  // namespace loom
