// Prometheus Alertmanager webhook v4, POST /v1/integrations/alertmanager (WIRE-FORMATS.md).
// Pure: bytes in, an IngestRequest out; see ingest/ingest_format.h for what the server does with
// it. Alertmanager drops a notification on any 4xx, so its entry answers overload with 503.
#pragma once

#include <string_view>

#include "common/result.h"
#include "core/alert.h"
#include "core/service.h"
#include "ingest/ingest_format.h"

namespace loom {

// One request per payload, dedup key = groupKey, one AlertUpdate per alert (fingerprint;
// firing → trigger, resolved → resolve).
Result<IngestRequest> ParseAlertmanagerWebhook(std::string_view body);

// Content-based grouping (core/service.h AlertGrouping): when `grouping` is enabled, sets each
// alert's group_key from its kind and the values of grouping.match_labels in its labels (the
// "labels" of an Alertmanager alert's details_json). An alert lacking one of those labels (or
// with an empty value), and an alert without labels, stays ungrouped (""). Does nothing when
// grouping is off. Never throws.
void ApplyAlertGrouping(IngestRequest& request, const AlertGrouping& grouping);

// "alertmanager", registered in ingest/ingest_formats.cc.
extern const IngestFormat kAlertmanagerFormat;

}  // namespace loom
