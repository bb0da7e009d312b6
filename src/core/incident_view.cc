#include "core/incident_view.h"

#include <nlohmann/json.hpp>

#include "core/escalate_rule.h"
#include "core/incident_transition.h"

namespace loom {
namespace {

// The step of an "escalate" deadline's payload ({"arm":A,"step":N}); 0 when unreadable.
int64_t EscalationStep(const Deadline& d) {
  const nlohmann::json payload = nlohmann::json::parse(d.payload_json, nullptr, false);
  if (!payload.is_object()) return 0;
  auto it = payload.find("step");
  return it != payload.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

void Earliest(std::optional<TimePoint>& slot, TimePoint t) {
  if (!slot || t < *slot) slot = t;
}

}  // namespace

Status CheckPanelWrite(const Incident& incident, std::string_view write) {
  const bool closed = incident.state == IncidentState::kClosed;
  const std::string state = IncidentStateName(incident.state);
  if (write == "probe") {
    if (incident.kind != IncidentKind::kAvailability) {
      return Error::Conflict(incident.id() + " is a " + IncidentKindName(incident.kind) +
                             " incident; probes belong to the availability playbook");
    }
    if (!incident.open()) {
      return Error::Conflict(incident.id() + " is " + state +
                             "; the availability playbook probes while the incident is open");
    }
    return OkStatus();
  }
  if (write == "evidence") return OkStatus();
  if (write == "checklist" || write == "security-report") {
    if (incident.kind != IncidentKind::kSecurity) {
      return Error::Conflict(incident.id() + " is not a security incident");
    }
    if (closed) return Error::Conflict(incident.id() + " is closed; its playbook is final");
    return OkStatus();
  }
  if (write == "summary") {
    if (incident.state != IncidentState::kResolved) {
      return Error::Conflict(incident.id() + " is " + state +
                             "; the final summary is written once the incident is resolved, "
                             "before it closes");
    }
    return OkStatus();
  }
  if (write == "review") {
    if (!closed) return Error::Conflict(incident.id() + " is " + state + "; reviews follow close");
    return OkStatus();
  }
  return Error::Invalid("unknown panel write '" + std::string(write) + "'");
}

std::vector<std::string> AllowedPanelWrites(const Incident& incident, Role role) {
  std::vector<std::string> out;
  if (!RoleAllows(role, Role::kResponder)) return out;
  for (const char* write :
       {"probe", "evidence", "checklist", "security-report", "summary", "review"}) {
    if (CheckPanelWrite(incident, write).ok()) out.emplace_back(write);
  }
  return out;
}

IncidentView ViewIncident(const Incident& incident, const std::vector<Deadline>& pending,
                          Role role) {
  IncidentView view;
  const bool triggered = incident.state == IncidentState::kTriggered;
  const bool awaits_updates =
      incident.state == IncidentState::kAcknowledged || incident.state == IncidentState::kMitigated;
  bool escalation_pending = false;
  for (const Deadline& d : pending) {
    if (d.incident_number != incident.number) continue;
    escalation_pending = escalation_pending || d.kind == DeadlineKind::kEscalate;
    // Step 0 is due the moment the escalation is armed (it pages at once): the target is the
    // step after it.
    if (triggered && d.kind == DeadlineKind::kEscalate && EscalationStep(d) >= 1) {
      Earliest(view.ack_due_at, d.due_at);
    } else if (awaits_updates && d.kind == DeadlineKind::kUpdateDue) {
      Earliest(view.next_update_due_at, d.due_at);
    }
  }
  view.allowed_actions = AllowedActions(incident, role);
  // Escalating also needs a step to run: the rule that the decision applies (core/escalate_rule.h).
  if (RoleAllows(role, Role::kResponder) && CheckEscalate(incident, escalation_pending).ok()) {
    view.allowed_actions.emplace_back(CommandRouteName(IncidentCommand::Type::kEscalate));
  }
  for (std::string& write : AllowedPanelWrites(incident, role)) {
    view.allowed_actions.push_back(std::move(write));
  }
  return view;
}

}  // namespace loom
