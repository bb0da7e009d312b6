// The rule of POST /v1/incidents/{id}/escalate (docs/api.md "Incidents"), in one place: the
// decision (core/incident_transition.h DecideCommand) refuses an escalation that breaks it, and
// the incident view (core/incident_view.h) offers "escalate" in allowed_actions only while it
// holds, so the console shows the button exactly when the server takes the command.
//
// Thread safety: a pure function.
#pragma once

#include "common/result.h"
#include "core/incident.h"

namespace loom {

// OK when `incident` may be escalated now: it is triggered (acknowledging, mitigating or
// resolving ends the escalation) and its escalation has a step still to run (`step_pending`: a
// pending "escalate" deadline, which escalating runs at once). kConflict saying why otherwise.
// Role checks are the caller's (responder on the incident's team).
Status CheckEscalate(const Incident& incident, bool step_pending);

}  // namespace loom
