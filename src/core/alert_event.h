// Normalised inbound alert events: what every ingest format (PagerDuty Events v2, Alertmanager
// webhook v4, generic) is turned into before the store applies it in one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/incident.h"
#include "core/severity.h"

namespace loom {

enum class AlertAction { kTrigger, kAcknowledge, kResolve };
const char* AlertActionName(AlertAction a);

// One alert inside an ingest request.
struct AlertUpdate {
  AlertAction action = AlertAction::kTrigger;
  // Alertmanager: the alert's fingerprint; member alerts of one incident are keyed by it and keep
  // their own firing/resolved state. PagerDuty: empty (every trigger is a new member alert; a
  // resolve resolves all member alerts of the dedup key).
  std::string fingerprint;
  std::string summary;
  std::string source;
  std::string raw_severity;       // the sender's word: "critical", "warning", ...
  std::string severity_override;  // `loom_severity` label / custom_details.loom_severity, if any
  Severity severity = Severity::kSev2;  // set by ApplySeverityMapping once the service is known
  IncidentKind kind = IncidentKind::kAvailability;
  std::optional<TimePoint> occurred_at;  // payload.timestamp / startsAt / endsAt
  std::string details_json;  // the sender's alert object, stored as received (JSON text)
  // Set by ApplyAlertGrouping when the service groups alerts (AlertGrouping): alerts with equal
  // keys may share an incident. "" = not grouped.
  std::string group_key;
};

// One request's worth of alerts for one dedup scope; applied atomically.
struct IngestRequest {
  std::string format;  // "pagerduty", "alertmanager", "generic"
  std::string service_id;
  int64_t integration_key_id = 0;
  // The dedup scope within the integration key: PagerDuty dedup_key, Alertmanager groupKey.
  std::string dedup_key;
  bool dedup_key_generated = false;
  std::string title;  // the incident title if this opens one
  std::vector<AlertUpdate> alerts;
  // Drills (core/drill.h): the incident this opens is flagged `drill`, and its first timeline
  // event is by `actor` (empty: the integration).
  bool drill = false;
  std::string actor;
};

// Sets every alert's `severity` from its raw word and override under the service's mapping.
void ApplySeverityMapping(IngestRequest& request, const SeverityMapping& mapping);

struct IngestOutcome {
  std::string dedup_key;
  int64_t incident_number =
      0;  // 0 when the event matched no open incident (ack/resolve of nothing)
  bool incident_created = false;
  int64_t alerts_firing = 0;
  int64_t alerts_resolved = 0;
};

}  // namespace loom
