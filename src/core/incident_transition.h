// What a responder's command does to an incident (runbook "Incident Lifecycle"), decided in one
// place: the new state, the timeline events, the escalation and cadence deadlines to cancel and to
// start, and the member alerts' status — or the kConflict / kInvalidArgument the API answers.
// Pure: the store loads the incident and the facts the decision needs (FactsFor), calls
// DecideCommand inside the command's transaction and writes the plan as it is.
//
// The rules, by command:
//   acknowledge    triggered → acknowledged; stops the escalation, starts the status-update
//                  cadence; the acknowledger becomes commander when there is none.
//   unacknowledge  acknowledged → triggered; every pending deadline cancelled, the escalation
//                  armed again from step 0.
//   mitigate       acknowledged → mitigated (sev1/sev2 need a commander).
//   resolve        any open state → resolved (sev1/sev2 need a commander once acknowledged);
//                  ends the dedup group and every pending deadline. Security incidents: the
//                  playbook gate (checklist and report complete; drills exempt).
//   close          resolved → closed, with a complete final summary (drills exempt) and, for
//                  security incidents, the playbook gate.
//   commander      sets or hands over the commander (not on a closed incident).
//   severity       a raise of a triggered incident arms the escalation again at once; on an
//                  acknowledged or mitigated one the cadence is planned again under the new
//                  severity (from the last status update or the acknowledgement).
//   reassign       a triggered or acknowledged incident is triggered again and its escalation
//                  armed with the assignee paged at step 0.
//   status update  on an open incident; while acknowledged or mitigated it restarts the cadence
//                  (with the update's promised next time).
//   note           always.
//   escalate       a triggered incident's next escalation step (its pending "escalate" deadline)
//                  runs now; the current step's unsent pages are cancelled. kConflict when the
//                  escalation has no further step.
//
// Thread safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/deadline.h"
#include "core/followup.h"
#include "core/incident.h"
#include "core/incident_command.h"
#include "core/security_playbook.h"
#include "core/service.h"

namespace loom {

// Member alert statuses (alerts.status).
inline constexpr char kAlertFiring[] = "firing";
inline constexpr char kAlertAcknowledged[] = "acknowledged";
inline constexpr char kAlertResolved[] = "resolved";

// What the decision needs to read besides the incident; FactsFor says which of them a command
// needs, so the store reads nothing more.
struct TransitionFacts {
  // The seq of the incident's last timeline event: an escalation arm is named by the seq that
  // follows the events before it (unique per incident), and outbox keys carry it.
  int64_t last_seq = 0;
  // kSetSeverity on an acknowledged or mitigated incident: when its last status update was.
  std::optional<TimePoint> last_status_update;
  // kClose of a resolved incident: its final summary (nullopt: none) and how many of its
  // follow-ups are not cancelled.
  std::optional<FinalSummary> summary;
  int64_t live_followups = 0;
  // Resolve and close of a security incident that is not a drill: its playbook.
  std::optional<SecurityPlaybookState> playbook;
  // kEscalate: the incident's pending "escalate" deadline due first (nullopt: none).
  std::optional<Deadline> next_escalation;
};

struct NeededFacts {
  bool last_status_update = false;
  bool summary = false;
  bool playbook = false;
  bool next_escalation = false;
};

// Which facts DecideCommand reads for `command` on `incident` (the others may stay unset).
NeededFacts FactsFor(const Incident& incident, const IncidentCommand& command);

// Everything one decision writes, in order: the incident's row, the events appended to its
// timeline (all at the decision's time), the pending deadlines it cancels (with their unsent
// outbox rows), then the deadlines it starts.
struct TransitionPlan {
  struct Event {
    std::string type;
    std::string actor;
    std::string data_json;
  };
  Incident incident;       // as it is after the command
  bool changed = false;    // false: nothing to write (already so); answer `incident` as it is
  bool end_group = false;  // the dedup group closes: the next trigger opens anew
  const char* alert_status = nullptr;  // every unresolved member alert takes this status
  std::vector<Event> events;
  bool cancel_escalation = false;   // pending "escalate" deadlines
  bool cancel_cadence = false;      // pending "cadence", "update_reminder", "update_due"
  bool cancel_all = false;          // every pending deadline of the incident
  std::vector<Deadline> deadlines;  // incident_number set; ids assigned by the store
};

// Decides `command` on `incident` at `now`. kInvalidArgument for a command that lacks what it
// needs (an empty commander, assignee, note or status update), kConflict naming the rule when
// the incident's state (or a gate of the facts) refuses it.
Result<TransitionPlan> DecideCommand(const Incident& incident, const IncidentCommand& command,
                                     const TransitionFacts& facts, TimePoint now);

// The security playbook's gate on resolving or closing (core/security_playbook.h): it applies to
// security incidents that are not drills (a drill rehearses the checklist; its notes record how
// far it got, docs/drills.md), and reads `facts.playbook`.
bool NeedsPlaybookGate(const Incident& incident);
Status CheckPlaybookGate(const Incident& incident, const TransitionFacts& facts, const char* verb);

// Whether the incident's state allows a command of `type` now (the state rules DecideCommand
// applies first; the gates that need facts, such as the final summary, are not checked).
Status CheckStateAllows(const Incident& incident, IncidentCommand::Type type);

// The API's name of each command (its route under /v1/incidents/{id}/): "acknowledge",
// "unacknowledge", "mitigate", "resolve", "close", "commander", "severity", "reassign",
// "updates", "notes", "escalate".
const char* CommandRouteName(IncidentCommand::Type type);

// The commands a caller with `role` may send to `incident` now, by their route names, in the
// order above: none for a viewer (or a calendar token), else those CheckStateAllows allows.
std::vector<std::string> AllowedActions(const Incident& incident, Role role);

}  // namespace loom
