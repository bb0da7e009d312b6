// The incident and its lifecycle state machine (runbook "Incident Lifecycle" steps 1-5):
//   triggered → acknowledged → mitigated → resolved → closed
// Pure domain: no I/O. The store persists what these functions decide.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/maintenance_hold.h"
#include "core/severity.h"

namespace loom {

enum class IncidentState { kTriggered, kAcknowledged, kMitigated, kResolved, kClosed };
enum class IncidentKind { kAvailability, kSecurity, kOther };

const char* IncidentStateName(IncidentState s);
std::optional<IncidentState> ParseIncidentState(std::string_view text);
const char* IncidentKindName(IncidentKind k);
// "security", "availability", "other"; nullopt for anything else.
std::optional<IncidentKind> ParseIncidentKind(std::string_view text);

// "INC-42" <-> 42
std::string IncidentId(int64_t number);
std::optional<int64_t> ParseIncidentId(std::string_view id);

struct Incident {
  int64_t number = 0;  // id() is "INC-<number>"
  std::string service_id;
  std::string title;
  Severity severity = Severity::kSev2;
  IncidentKind kind = IncidentKind::kAvailability;
  IncidentState state = IncidentState::kTriggered;
  std::string commander;  // user id or token name; empty while none
  std::vector<std::string> responders;
  std::string dedup_key;           // the PagerDuty dedup_key / Alertmanager groupKey it groups
  int64_t alert_count = 0;         // alerts (trigger events / member alerts) grouped into it
  int64_t firing_alert_count = 0;  // member alerts not yet resolved
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> acknowledged_at, mitigated_at, resolved_at, closed_at;
  std::optional<TimePoint> alerts_resolved_at;  // when every member alert was resolved
  bool drill = false;
  // The maintenance its service is in (core/maintenance.h), filled only by a reader that asks:
  // the store, when it hands the incident to a deadline handler, and the API's incident reads.
  // nullopt otherwise, and when the service is in no maintenance. Not stored with the incident.
  std::optional<MaintenanceHold> maintenance;

  std::string id() const { return IncidentId(number); }
  bool open() const { return state != IncidentState::kResolved && state != IncidentState::kClosed; }
};

// What a responder asks of an incident.
// kUnacknowledge returns an acknowledged incident to triggered (escalation starts again).
enum class IncidentAction { kAcknowledge, kMitigate, kResolve, kClose, kUnacknowledge };
const char* IncidentActionName(IncidentAction a);

// Decides the next state for `action`, or a kConflict error that says why the transition is
// illegal. Sev1/Sev2 incidents need an incident commander from acknowledgement on: mitigate and
// resolve are refused while `commander` is empty (acknowledge itself assigns one).
Result<IncidentState> NextState(const Incident& incident, IncidentAction action);

}  // namespace loom
