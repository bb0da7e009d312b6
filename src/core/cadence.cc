#include "core/cadence.h"

#include <algorithm>

#include "common/time_format.h"

namespace loom {

std::optional<TimePoint> NextUpdateDue(const Incident& incident, const SeverityRule& rule,
                                       const CadenceState& cadence) {
  if (rule.update_cadence.async) return std::nullopt;
  if (incident.state != IncidentState::kAcknowledged &&
      incident.state != IncidentState::kMitigated) {
    return std::nullopt;
  }
  if (!incident.acknowledged_at) return std::nullopt;
  TimePoint base = cadence.last_update_at.value_or(*incident.acknowledged_at);
  TimePoint due = base + rule.update_cadence.amount;
  if (cadence.promised_next_at && *cadence.promised_next_at < due) due = *cadence.promised_next_at;
  return due;
}

TimePoint ReminderTime(TimePoint due, const SeverityRule& rule) {
  Duration lead = rule.update_cadence.amount / 5;
  lead = std::clamp<Duration>(lead, std::chrono::minutes(1), std::chrono::minutes(5));
  return due - lead;
}

Status CheckPromisedNextUpdate(TimePoint now, TimePoint promised, const SeverityRule& rule) {
  if (promised <= now) {
    return Error::Invalid("the next update time must be in the future",
                          {{"/next_update_at", "must be after " + FormatRfc3339(now)}});
  }
  if (!rule.update_cadence.async && promised > now + rule.update_cadence.amount) {
    return Error::Invalid(
        "next_update_at must be no later than " + FormatRfc3339(now + rule.update_cadence.amount) +
            ": the update cadence of " + SeverityName(rule.severity) + " is \"" +
            rule.update_cadence.text + "\"",
        {{"/next_update_at",
          "must be no later than " + FormatRfc3339(now + rule.update_cadence.amount)}});
  }
  return OkStatus();
}

}  // namespace loom
