// What an API client needs to show an incident without a copy of the policy (docs/api.md
// "Incidents"): when the acknowledgement and the next status update are due, as the escalation
// engine will act on them, and which commands the caller may send now.
//
// Thread safety: stateless functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/deadline.h"
#include "core/incident.h"
#include "core/service.h"

namespace loom {

struct IncidentView {
  // Triggered: when the escalation moves on if nobody acknowledges — the due time of its next
  // step (the first is the severity's acknowledgement target after the escalation was armed:
  // opened, unacknowledged, reassigned or raised; business-hours targets counted in business
  // hours). nullopt in any other state, or when the escalation has no further step.
  std::optional<TimePoint> ack_due_at;
  // Acknowledged or mitigated: when the next status update is due, as the cadence planned it
  // (core/cadence.h). nullopt in any other state or for an async severity.
  std::optional<TimePoint> next_update_due_at;
  // AllowedActions (core/incident_transition.h) for the caller's role, then "escalate" while
  // CheckEscalate (core/escalate_rule.h) allows it (a pending "escalate" deadline among
  // `pending`), then its AllowedPanelWrites. The role is the caller's role on the incident's
  // service's team (core/authorization.h EffectiveRole), which the HTTP layer passes.
  std::vector<std::string> allowed_actions;
};

// The writes outside the incident commands a caller with `role` may make to `incident` now, by
// their routes under /v1/incidents/{id}/, in this order (none for a viewer or a calendar token):
//   "probe"            an availability incident that is open (triggered, acknowledged, mitigated);
//                      the server also needs a probe configured for its service;
//   "evidence"         any incident, in any state;
//   "checklist", "security-report"
//                      a security incident that is not closed (its playbook is final then);
//   "summary"          a resolved incident (the final summary close waits for);
//   "review"           a closed incident (draft, edit and publish its review).
std::vector<std::string> AllowedPanelWrites(const Incident& incident, Role role);

// The state rule of one panel write above, for the handler that serves it: OK when `incident`'s
// kind and state allow `write` now, kConflict (409) saying why otherwise. Role checks are the
// handler's.
Status CheckPanelWrite(const Incident& incident, std::string_view write);

// `pending` is the store's pending deadlines (of this incident or of all: others are ignored),
// which hold the times decided by core/incident_transition and engine/deadline_rules.
IncidentView ViewIncident(const Incident& incident, const std::vector<Deadline>& pending,
                          Role role);

}  // namespace loom
