// The runbook's Communications cadence: from acknowledgement on, a status update (impact, scope,
// mitigation, next update time) is due every `update_cadence` of the severity — or sooner when the
// last update promised an earlier time. The commander is reminded shortly before it is due.
#pragma once

#include <optional>

#include "common/clock.h"
#include "common/result.h"
#include "core/incident.h"
#include "core/severity_policy.h"

namespace loom {

struct CadenceState {
  std::optional<TimePoint> last_update_at;
  std::optional<TimePoint> promised_next_at;  // "next update time" of the last update
};

// When the next status update is due; nullopt when none is (not yet acknowledged, resolved or
// closed, or an async severity).
std::optional<TimePoint> NextUpdateDue(const Incident& incident, const SeverityRule& rule,
                                       const CadenceState& cadence);

// When to remind the commander: a fifth of the cadence before it is due, at most 5 minutes and
// at least 1 minute before (never before the last update).
TimePoint ReminderTime(TimePoint due, const SeverityRule& rule);

// A status update's promised next update time must be in the future and no later than the
// cadence allows; otherwise kInvalidArgument saying the limit.
Status CheckPromisedNextUpdate(TimePoint now, TimePoint promised, const SeverityRule& rule);

}  // namespace loom
