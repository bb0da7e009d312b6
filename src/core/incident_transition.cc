#include "core/incident_transition.h"

#include "common/json_writer.h"
#include "common/time_format.h"
#include "core/escalate_rule.h"
#include "core/transition_planner.h"

namespace loom {
namespace {

using Type = IncidentCommand::Type;

bool AwaitsUpdates(const Incident& inc) {
  return inc.state == IncidentState::kAcknowledged || inc.state == IncidentState::kMitigated;
}

std::optional<IncidentAction> ActionOf(Type type) {
  switch (type) {
    case Type::kAcknowledge: return IncidentAction::kAcknowledge;
    case Type::kMitigate: return IncidentAction::kMitigate;
    case Type::kResolve: return IncidentAction::kResolve;
    case Type::kClose: return IncidentAction::kClose;
    case Type::kUnacknowledge: return IncidentAction::kUnacknowledge;
    default: return std::nullopt;
  }
}

// The final summary is part of the close (runbook "Communications"). A drill closes through
// `drill finish`, whose notes file is its summary (docs/drills.md).
Status CheckFinalSummary(const Incident& inc, const TransitionFacts& facts) {
  if (inc.drill) return OkStatus();
  const FinalSummary* summary = facts.summary ? &*facts.summary : nullptr;
  std::vector<std::string> missing = MissingSummaryParts(summary, facts.live_followups);
  if (missing.empty()) return OkStatus();
  if (summary == nullptr) {
    Error e = Error::Conflict(
        inc.id() +
        " cannot close before its final summary is written: root cause, customer impact, "
        "remediation and follow-ups (PUT /v1/incidents/" +
        inc.id() + "/summary, or the incident's page in the web console)");
    e.fields = {{"/summary", "is required before close"}};
    return e;
  }
  std::string list;
  std::vector<FieldError> errors;
  for (const std::string& part : missing) {
    list += (list.empty() ? "" : ", ") + part;
    errors.push_back({"/summary/" + part, "is required before close"});
  }
  Error e = Error::Conflict(inc.id() + " cannot close without a complete final summary; missing: " +
                            list + " (PUT /v1/incidents/" + inc.id() + "/summary)");
  e.fields = std::move(errors);
  return e;
}

JsonObjectWriter& WithNote(JsonObjectWriter& w, const IncidentCommand& command) {
  if (!command.note.empty()) w.Add("note", command.note);
  return w;
}

// kInvalidArgument when the command lacks what it needs.
Status CheckCommand(const IncidentCommand& command) {
  switch (command.type) {
    case Type::kSetCommander:
      if (command.commander.empty()) return Error::Invalid("the commander must not be empty");
      break;
    case Type::kReassign:
      if (command.assignee.empty()) return Error::Invalid("the assignee must not be empty");
      break;
    case Type::kStatusUpdate:
      if (command.impact.empty() && command.scope.empty() && command.mitigation.empty()) {
        return Error::Invalid("a status update needs at least one of impact, scope, mitigation");
      }
      break;
    case Type::kAddNote:
      if (command.note.empty()) return Error::Invalid("the note must not be empty");
      break;
    default: break;
  }
  return OkStatus();
}

// A lifecycle action (acknowledge, mitigate, resolve, close, unacknowledge), its state legal.
Status DecideAction(TransitionPlanner& p, IncidentState next, const IncidentCommand& command,
                    const TransitionFacts& facts, TimePoint now) {
  Incident& inc = p.incident();
  TransitionPlan& plan = p.plan();
  if (command.type == Type::kClose) {
    if (Status s = CheckFinalSummary(inc, facts); !s.ok()) return s;
  }
  if (next == IncidentState::kResolved || next == IncidentState::kClosed) {
    const char* verb = next == IncidentState::kResolved ? "resolved" : "closed";
    if (Status s = CheckPlaybookGate(inc, facts, verb); !s.ok()) return s;
    // A responder's resolve or close ends the dedup group: the next trigger opens a new incident.
    plan.end_group = true;
  }
  const IncidentState from = inc.state;
  inc.state = next;
  inc.updated_at = now;
  switch (next) {
    case IncidentState::kAcknowledged:
      inc.acknowledged_at = now;
      plan.cancel_escalation = true;
      p.StartCadence(now, std::nullopt);
      break;
    case IncidentState::kTriggered:  // unacknowledged: escalation starts again from step 0
      inc.acknowledged_at.reset();
      plan.cancel_all = true;
      plan.alert_status = kAlertFiring;
      p.StartEscalation();
      break;
    case IncidentState::kMitigated: inc.mitigated_at = now; break;
    case IncidentState::kResolved:
      inc.resolved_at = now;
      plan.cancel_all = true;
      break;
    case IncidentState::kClosed:
      inc.closed_at = now;
      plan.cancel_all = true;
      break;
  }
  const std::string type = next == IncidentState::kTriggered
                               ? std::string("incident.unacknowledged")
                               : std::string("incident.") + IncidentStateName(next);
  JsonObjectWriter data;
  data.Add("from", IncidentStateName(from)).Add("to", IncidentStateName(next));
  if (!command.via.empty()) data.Add("via", command.via);
  p.Event(type.c_str(), command.actor, WithNote(data, command).Finish());
  if (next == IncidentState::kAcknowledged) {
    plan.alert_status = kAlertAcknowledged;
    // The acknowledger takes command when nobody has it (sev1/sev2 need one from here on).
    if (inc.commander.empty() && !command.actor.empty()) {
      inc.commander = command.actor;
      p.Event("incident.commander_assigned", command.actor,
              JsonObjectWriter().Add("commander", command.actor).Finish());
    }
  }
  return OkStatus();
}

}  // namespace

bool NeedsPlaybookGate(const Incident& inc) {
  // A security drill rehearses the checklist; its notes record how far it got (docs/drills.md).
  return inc.kind == IncidentKind::kSecurity && !inc.drill;
}

Status CheckPlaybookGate(const Incident& inc, const TransitionFacts& facts, const char* verb) {
  if (!NeedsPlaybookGate(inc)) return OkStatus();
  return CheckSecurityCloseGate(inc.id(), verb,
                                facts.playbook ? *facts.playbook : SecurityPlaybookState{});
}

NeededFacts FactsFor(const Incident& inc, const IncidentCommand& command) {
  NeededFacts need;
  switch (command.type) {
    case Type::kSetSeverity:
      need.last_status_update = command.severity != inc.severity && AwaitsUpdates(inc);
      break;
    case Type::kClose:
      need.summary = inc.state == IncidentState::kResolved && !inc.drill;
      need.playbook = NeedsPlaybookGate(inc);
      break;
    case Type::kResolve: need.playbook = NeedsPlaybookGate(inc); break;
    case Type::kEscalate: need.next_escalation = inc.state == IncidentState::kTriggered; break;
    default: break;
  }
  return need;
}

Status CheckStateAllows(const Incident& inc, Type type) {
  if (std::optional<IncidentAction> action = ActionOf(type)) {
    Result<IncidentState> next = NextState(inc, *action);
    if (!next.ok()) return std::move(next).error();
    return OkStatus();
  }
  switch (type) {
    case Type::kSetCommander:
      if (inc.state == IncidentState::kClosed) {
        return Error::Conflict(inc.id() + " is closed; its commander can no longer change");
      }
      break;
    case Type::kReassign:
      if (inc.state != IncidentState::kTriggered && inc.state != IncidentState::kAcknowledged) {
        return Error::Conflict(inc.id() + " is " + IncidentStateName(inc.state) +
                               "; only a triggered or acknowledged incident can be reassigned");
      }
      break;
    case Type::kEscalate:
      // The step is checked with the facts (DecideCommand): here only the state.
      if (Status escalates = CheckEscalate(inc, /*step_pending=*/true); !escalates.ok()) {
        return escalates;
      }
      break;
    case Type::kStatusUpdate:
      if (!inc.open()) {
        return Error::Conflict(inc.id() + " is " + IncidentStateName(inc.state) +
                               "; status updates end with the resolution");
      }
      break;
    default: break;  // a severity change and a note are allowed in every state
  }
  return OkStatus();
}

Result<TransitionPlan> DecideCommand(const Incident& incident, const IncidentCommand& command,
                                     const TransitionFacts& facts, TimePoint now) {
  if (Status s = CheckCommand(command); !s.ok()) return std::move(s).error();
  if (Status s = CheckStateAllows(incident, command.type); !s.ok()) return std::move(s).error();
  TransitionPlanner p(incident, facts.last_seq, now);
  Incident& inc = p.incident();
  TransitionPlan& plan = p.plan();
  plan.changed = true;

  if (std::optional<IncidentAction> action = ActionOf(command.type)) {
    Result<IncidentState> next = NextState(inc, *action);
    if (!next.ok()) return std::move(next).error();
    if (Status s = DecideAction(p, *next, command, facts, now); !s.ok())
      return std::move(s).error();
    return p.Take();
  }

  switch (command.type) {
    case Type::kSetCommander: {
      if (command.commander == inc.commander) {
        plan.changed = false;
        break;
      }
      // One commander at a time: replacing one is a handover, recorded as such.
      const bool handover = !inc.commander.empty();
      JsonObjectWriter data;
      if (handover) data.Add("from", inc.commander).Add("to", command.commander);
      data.Add("commander", command.commander);
      inc.commander = command.commander;
      inc.updated_at = now;
      p.Event(handover ? "commander.handover" : "incident.commander_assigned", command.actor,
              WithNote(data, command).Finish());
      break;
    }
    case Type::kSetSeverity: {
      if (command.severity == inc.severity) {
        plan.changed = false;
        break;
      }
      JsonObjectWriter data;
      data.Add("from", SeverityName(inc.severity)).Add("to", SeverityName(command.severity));
      const bool raised = static_cast<int>(command.severity) < static_cast<int>(inc.severity);
      inc.severity = command.severity;
      inc.updated_at = now;
      p.Event("incident.severity_changed", command.actor, WithNote(data, command).Finish());
      if (inc.state == IncidentState::kTriggered && raised) {
        // Re-evaluated at once under the new severity: a Sev3 raised to Sev1 pages now. A lowered
        // severity keeps its running escalation; each later step reads the new severity.
        plan.cancel_escalation = true;
        p.StartEscalation();
      } else if (AwaitsUpdates(inc)) {
        TimePoint since = inc.acknowledged_at.value_or(now);
        if (facts.last_status_update && *facts.last_status_update > since) {
          since = *facts.last_status_update;
        }
        p.StartCadence(since, std::nullopt);
      }
      break;
    }
    case Type::kReassign: {
      JsonObjectWriter data;
      data.Add("assignee", command.assignee).Add("from", IncidentStateName(inc.state));
      inc.state = IncidentState::kTriggered;
      inc.acknowledged_at.reset();
      inc.updated_at = now;
      plan.alert_status = kAlertFiring;
      p.Event("incident.reassigned", command.actor, WithNote(data, command).Finish());
      // Re-armed: the assignee is paged now and, unacknowledged, the plan goes on from step 1.
      plan.cancel_all = true;
      p.StartEscalation(command.assignee);
      break;
    }
    case Type::kStatusUpdate: {
      JsonObjectWriter data;
      if (!command.impact.empty()) data.Add("impact", command.impact);
      if (!command.scope.empty()) data.Add("scope", command.scope);
      if (!command.mitigation.empty()) data.Add("mitigation", command.mitigation);
      if (command.next_update_at) {
        data.Add("next_update_at", ToUnixMicros(*command.next_update_at));
      }
      inc.updated_at = now;
      p.Event("incident.status_update", command.actor, WithNote(data, command).Finish());
      if (AwaitsUpdates(inc)) p.StartCadence(now, command.next_update_at);
      break;
    }
    case Type::kEscalate: {
      if (Status escalates = CheckEscalate(inc, facts.next_escalation.has_value());
          !escalates.ok()) {
        return std::move(escalates).error();
      }
      // The pending step runs now, in this transaction: the same deadline, due now.
      Deadline next = *facts.next_escalation;
      next.id = 0;
      next.due_at = now;
      JsonObjectWriter data;
      if (!command.via.empty()) data.Add("via", command.via);
      inc.updated_at = now;
      p.Event("incident.escalated", command.actor, WithNote(data, command).Finish());
      plan.cancel_escalation = true;
      plan.deadlines.push_back(std::move(next));
      break;
    }
    case Type::kAddNote:
      inc.updated_at = now;
      p.Event("incident.note", command.actor,
              JsonObjectWriter().Add("note", command.note).Finish());
      break;
    default: break;
  }
  return p.Take();
}

const char* CommandRouteName(Type type) {
  switch (type) {
    case Type::kAcknowledge: return "acknowledge";
    case Type::kUnacknowledge: return "unacknowledge";
    case Type::kMitigate: return "mitigate";
    case Type::kResolve: return "resolve";
    case Type::kClose: return "close";
    case Type::kSetCommander: return "commander";
    case Type::kSetSeverity: return "severity";
    case Type::kReassign: return "reassign";
    case Type::kStatusUpdate: return "updates";
    case Type::kAddNote: return "notes";
    case Type::kEscalate: return "escalate";
  }
  return "notes";
}

std::vector<std::string> AllowedActions(const Incident& incident, Role role) {
  std::vector<std::string> out;
  if (!RoleAllows(role, Role::kResponder)) return out;
  for (Type type : {Type::kAcknowledge, Type::kUnacknowledge, Type::kMitigate, Type::kResolve,
                    Type::kClose, Type::kSetCommander, Type::kSetSeverity, Type::kReassign,
                    Type::kStatusUpdate, Type::kAddNote}) {
    if (CheckStateAllows(incident, type).ok()) out.emplace_back(CommandRouteName(type));
  }
  return out;
}

}  // namespace loom
