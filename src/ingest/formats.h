// Parsers for the inbound wire formats (see WIRE-FORMATS.md). Pure: bytes in, IngestRequest out.
//
// Each parser validates the whole body and returns every problem it finds at once (Error.fields:
// pointer + detail), so the HTTP layer can render the vendor's own error body. Unknown fields are
// ignored. Bodies nesting deeper than 64 levels are refused as invalid. No parser throws; an
// unexpected library failure (allocation) comes back as ErrorCode::kInternal. The caller resolves
// the integration key to a service, fills service_id and integration_key_id, and calls
// ApplySeverityMapping.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "core/alert.h"
#include "core/alert_event.h"
#include "core/service.h"

namespace loom {

// PagerDuty Events API v2, POST /v2/enqueue.
struct PagerDutyEvent {
  std::string routing_key;
  IngestRequest request;  // one AlertUpdate; dedup_key generated when absent on trigger
};
Result<PagerDutyEvent> ParsePagerDutyEvent(std::string_view body);

// PagerDuty change event, POST /v2/change/enqueue.
struct PagerDutyChange {
  std::string routing_key;
  ChangeEvent event;  // service_id left empty
};
Result<PagerDutyChange> ParsePagerDutyChange(std::string_view body);

// Alertmanager webhook v4, POST /v1/integrations/alertmanager: one request per payload, dedup key
// = groupKey, one AlertUpdate per alert (fingerprint; firing → trigger, resolved → resolve).
Result<IngestRequest> ParseAlertmanagerWebhook(std::string_view body);

// Content-based grouping (core/service.h AlertGrouping): when `grouping` is enabled, sets each
// alert's group_key from its kind and the values of grouping.match_labels in its labels (the
// "labels" of an Alertmanager alert's details_json). An alert lacking one of those labels (or
// with an empty value), and an alert of another format (no labels), stays ungrouped (""). Does
// nothing when grouping is off. Never throws.
void ApplyAlertGrouping(IngestRequest& request, const AlertGrouping& grouping);

// Generic JSON, POST /v1/integrations/generic:
// {"summary", "severity" (critical|error|warning|info|sev1..sev4), "dedup_key"?, "source"?,
//  "kind"?, "action"? (trigger|acknowledge|resolve), "details"? (object)}.
// summary and severity are required to trigger, dedup_key to acknowledge or resolve (a trigger
// without one gets a generated key). critical..info become raw_severity, sev1..sev4 the override.
Result<IngestRequest> ParseGenericEvent(std::string_view body);

}  // namespace loom
