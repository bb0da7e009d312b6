// JSON encodings of the API's objects, exactly as docs/api.md shows them: timestamps as RFC 3339
// UTC strings (FormatRfc3339), null for unset optional timestamps and empty optional strings,
// incident ids as "INC-<n>", stored JSON text (timeline data, alert details) embedded as JSON.
//
// Thread safety: stateless functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/alert.h"
#include "core/incident.h"
#include "core/incident_query.h"
#include "core/outbox.h"
#include "core/service.h"
#include "core/severity_policy.h"
#include "core/timeline.h"

namespace loom::http {

// Insertion-ordered, so objects read in the order docs/api.md lists their fields.
using Json = nlohmann::ordered_json;

Json IncidentToJson(const Incident& incident);
Json TimelineEventToJson(const TimelineEvent& event);
Json AlertToJson(const Alert& alert);
// The incident object plus "timeline" and "alerts".
Json IncidentDetailToJson(const IncidentDetail& detail);
// One outbox entry of GET /v1/incidents/{id}/notifications.
Json NotificationToJson(const OutboxEntry& entry);
Json ServiceToJson(const Service& service);
Json ServiceSettingsToJson(const ServiceSettings& settings);
// GET /v1/policy: the runbook, repeat, and per severity each value with its source.
Json SeverityPolicyToJson(const SeverityPolicy& policy);

// Stored JSON text as a value: "" → {}; text that does not parse is kept as a JSON string.
Json EmbeddedJson(std::string_view text);

// Compact serialisation that never throws (invalid UTF-8 is replaced by U+FFFD).
std::string DumpJson(const Json& value);

}  // namespace loom::http
