#include "core/incident_view.h"

#include <nlohmann/json.hpp>

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

std::vector<std::string> AllowedPanelWrites(const Incident& incident, Role role) {
  std::vector<std::string> out;
  if (!RoleAllows(role, Role::kResponder)) return out;
  const bool closed = incident.state == IncidentState::kClosed;
  if (incident.kind == IncidentKind::kAvailability && incident.open()) {
    out.emplace_back("probe");
  }
  out.emplace_back("evidence");
  if (incident.kind == IncidentKind::kSecurity && !closed) {
    out.emplace_back("checklist");
    out.emplace_back("security-report");
  }
  if (incident.state == IncidentState::kResolved) out.emplace_back("summary");
  if (closed) out.emplace_back("review");
  return out;
}

IncidentView ViewIncident(const Incident& incident, const std::vector<Deadline>& pending,
                          Role role) {
  IncidentView view;
  const bool triggered = incident.state == IncidentState::kTriggered;
  const bool awaits_updates =
      incident.state == IncidentState::kAcknowledged || incident.state == IncidentState::kMitigated;
  for (const Deadline& d : pending) {
    if (d.incident_number != incident.number) continue;
    // Step 0 is due the moment the escalation is armed (it pages at once): the target is the
    // step after it.
    if (triggered && d.kind == DeadlineKind::kEscalate && EscalationStep(d) >= 1) {
      Earliest(view.ack_due_at, d.due_at);
    } else if (awaits_updates && d.kind == DeadlineKind::kUpdateDue) {
      Earliest(view.next_update_due_at, d.due_at);
    }
  }
  view.allowed_actions = AllowedActions(incident, role);
  for (std::string& write : AllowedPanelWrites(incident, role)) {
    view.allowed_actions.push_back(std::move(write));
  }
  return view;
}

}  // namespace loom
