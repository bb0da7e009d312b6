#include "core/integration_transition.h"

#include <algorithm>

#include "common/json_writer.h"
#include "core/transition_planner.h"

namespace loom {

TransitionPlan DecideOpen(const Incident& opened, const std::string& actor, TimePoint now) {
  TransitionPlanner p(opened, /*last_seq=*/0, now);
  Incident& inc = p.incident();
  inc.state = IncidentState::kTriggered;
  p.plan().changed = true;
  JsonObjectWriter data;
  data.Add("title", inc.title)
      .Add("severity", SeverityName(inc.severity))
      .Add("kind", IncidentKindName(inc.kind))
      .Add("service", inc.service_id)
      .Add("dedup_key", inc.dedup_key);
  if (inc.drill) data.AddBool("drill", true);
  p.Event("incident.triggered", actor, data.Finish());
  p.StartEscalation();
  return p.Take();
}

TransitionPlan DecideIntegrationAcknowledge(const Incident& incident, const std::string& actor,
                                            const TransitionFacts& facts, TimePoint now) {
  TransitionPlanner p(incident, facts.last_seq, now);
  Incident& inc = p.incident();
  TransitionPlan& plan = p.plan();
  if (inc.state != IncidentState::kTriggered) return p.Take();  // already acknowledged or later
  plan.changed = true;
  inc.state = IncidentState::kAcknowledged;
  inc.acknowledged_at = now;
  inc.updated_at = now;
  plan.alert_status = kAlertAcknowledged;
  p.Event("incident.acknowledged", actor,
          JsonObjectWriter().Add("from", "triggered").Add("to", "acknowledged").Finish());
  plan.cancel_escalation = true;
  p.StartCadence(now, std::nullopt);
  return p.Take();
}

MemberChange DecideMemberChange(AlertAction action, const Alert* member) {
  switch (action) {
    case AlertAction::kTrigger:
      if (member == nullptr) return MemberChange::kAdd;
      return member->status == kAlertResolved ? MemberChange::kRefire : MemberChange::kHeard;
    case AlertAction::kResolve:
      return member != nullptr && member->status != kAlertResolved ? MemberChange::kResolve
                                                                   : MemberChange::kNone;
    case AlertAction::kAcknowledge: return MemberChange::kNone;
  }
  return MemberChange::kNone;
}

bool GroupCloses(const Incident& incident) { return incident.firing_alert_count <= 0; }

int64_t ResolveEveryMember(Incident& incident) {
  const int64_t resolved = std::max<int64_t>(incident.firing_alert_count, 0);
  incident.firing_alert_count = 0;
  return resolved;
}

bool GroupCloseNeedsPlaybook(const Incident& incident, bool auto_resolve) {
  return incident.open() && auto_resolve && NeedsPlaybookGate(incident);
}

TransitionPlan DecideGroupClosed(const Incident& incident, const std::string& actor,
                                 int64_t alerts_resolved, bool auto_resolve,
                                 const TransitionFacts& facts, TimePoint now) {
  TransitionPlanner p(incident, facts.last_seq, now);
  Incident& inc = p.incident();
  TransitionPlan& plan = p.plan();
  plan.changed = true;
  plan.end_group = true;
  inc.alerts_resolved_at = now;
  inc.updated_at = now;
  p.Event("alerts.resolved", actor,
          JsonObjectWriter()
              .Add("resolved", alerts_resolved)
              .Add("alert_count", inc.alert_count)
              .Finish());
  // A security incident's playbook gate holds an auto-resolve too (it stays open).
  if (inc.open() && auto_resolve && CheckPlaybookGate(inc, facts, "resolved").ok()) {
    const IncidentState from = inc.state;
    inc.state = IncidentState::kResolved;
    inc.resolved_at = now;
    p.Event("incident.resolved", actor,
            JsonObjectWriter()
                .Add("from", IncidentStateName(from))
                .Add("to", "resolved")
                .Add("reason", "auto_resolve")
                .Finish());
    plan.cancel_all = true;
  }
  return p.Take();
}

}  // namespace loom
