// What each kind of deadline does when it fires (see Deadline in store/store.h), as a pure
// function of the incident as it is now, the severity policy and the on-call roster:
//
//   escalate        run one step of the runbook's escalation (core/escalation): outbox entries for
//                   who is on call, "escalation.role_skipped" for empty roles, the next step's
//                   deadline — nothing once the incident is no longer triggered. A service
//                   with no on-call roles configured gets one "escalation.unrouted" event.
//   cadence         plan the next status update (core/cadence): a reminder and a due deadline.
//   update_reminder remind the commander that the status update is due soon.
//   update_due      record the missed update; for paging severities notify the escalation
//                   manager; then plan the next one, one cadence later.
//
// Outbox keys are unique per (incident, escalation arm, step, channel, recipient), so firing a
// deadline twice never pages twice. An arm is one run of the escalation: the incident's first
// trigger, or a re-arm after a raised severity or an unacknowledge.
#pragma once

#include <optional>

#include "core/incident.h"
#include "core/roster.h"
#include "core/severity_policy.h"
#include "store/store.h"

namespace loom {

DeadlineEffects DecideDeadline(const Deadline& deadline, const std::optional<Incident>& incident,
                               TimePoint now, const SeverityPolicy& policy,
                               const OnCallSnapshot& oncall);

}  // namespace loom
