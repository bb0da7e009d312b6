#include "core/escalate_rule.h"

namespace loom {

Status CheckEscalate(const Incident& incident, bool step_pending) {
  if (incident.state != IncidentState::kTriggered) {
    return Error::Conflict(incident.id() + " is " + IncidentStateName(incident.state) +
                           "; only a triggered incident escalates");
  }
  if (!step_pending) {
    return Error::Conflict(incident.id() +
                           " has no further escalation step: everyone in its escalation has "
                           "been paged");
  }
  return OkStatus();
}

}  // namespace loom
