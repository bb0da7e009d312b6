// PagerDuty Events API v2 (alert and change events), built to WIRE-FORMATS.md.
//
// Error details imitate PagerDuty's own wording ("'payload.summary' is missing or blank") because
// the HTTP layer returns them verbatim in PagerDuty's error body, where clients and humans expect
// PagerDuty's phrasing.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/time_format.h"
#include "ingest/formats.h"
#include "ingest/json_input.h"

namespace loom {
namespace {

using ingest::Json;

constexpr char kInvalidEvent[] = "Event object is invalid";
constexpr size_t kRoutingKeyLength = 32;
constexpr size_t kMaxDedupKeyLength = 255;
constexpr size_t kMaxSummaryLength = 1024;

// Returns the parsed object, or the error for a body that is not a JSON object.
Result<Json> ParseEventObject(std::string_view body) {
  Json doc;
  switch (ingest::ParseJsonBody(body, &doc)) {
    case ingest::JsonBodyStatus::kMalformed:
      return Error::Invalid(kInvalidEvent, {{"", "Event object is not valid JSON"}});
    case ingest::JsonBodyStatus::kTooDeep:
      return Error::Invalid(kInvalidEvent,
                            {{"", "Event object nests deeper than " +
                                      std::to_string(ingest::kMaxJsonDepth) + " levels"}});
    case ingest::JsonBodyStatus::kOk: break;
  }
  if (!doc.is_object()) {
    return Error::Invalid(kInvalidEvent, {{"", "Event object must be a JSON object"}});
  }
  return doc;
}

// Checks a text field of `obj`. Returns the value when it is a non-blank string within
// `max_length` characters (0 = no limit); records an error for a present but wrong value, and
// for an absent or blank one when `required`.
std::string* TextField(Json& obj, std::string_view key, std::string_view pointer,
                       std::string_view display, bool required, size_t max_length,
                       std::vector<FieldError>& errors) {
  Json* v = ingest::Member(obj, key);
  if (v == nullptr || (v->is_string() && ingest::IsBlank(v->get_ref<const std::string&>()))) {
    if (required) {
      errors.push_back(
          {std::string(pointer), "'" + std::string(display) + "' is missing or blank"});
    }
    return nullptr;
  }
  if (!v->is_string()) {
    errors.push_back({std::string(pointer), "'" + std::string(display) + "' must be a string"});
    return nullptr;
  }
  auto* text = v->get_ptr<std::string*>();
  if (max_length > 0 && ingest::Utf8Length(*text) > max_length) {
    errors.push_back({std::string(pointer), "'" + std::string(display) +
                                                "' is too long (must be at most " +
                                                std::to_string(max_length) + " characters)"});
    return nullptr;
  }
  return text;
}

void CheckRoutingKey(Json& doc, std::vector<FieldError>& errors, std::string* out) {
  const std::string* key =
      TextField(doc, "routing_key", "/routing_key", "routing_key", true, 0, errors);
  if (key == nullptr) return;
  if (size_t length = ingest::Utf8Length(*key); length != kRoutingKeyLength) {
    errors.push_back({"/routing_key", "'routing_key' is invalid: it must be 32 characters (got " +
                                          std::to_string(length) + ")"});
    return;
  }
  *out = *key;
}

// payload.timestamp / change payload timestamp: optional ISO 8601.
std::optional<TimePoint> TimestampField(const Json& payload, std::string_view pointer,
                                        std::string_view display, std::vector<FieldError>& errors) {
  const Json* v = ingest::Member(payload, "timestamp");
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) {
    auto t = ParseRfc3339(v->get_ref<const std::string&>());
    if (t.ok()) return *t;
  }
  errors.push_back(
      {std::string(pointer),
       "'" + std::string(display) +
           "' is not a valid ISO 8601 timestamp (e.g. 2026-11-27T10:45:33.123+00:00)"});
  return std::nullopt;
}

std::optional<AlertAction> ParseEventAction(std::string_view s) {
  if (s == "trigger") return AlertAction::kTrigger;
  if (s == "acknowledge") return AlertAction::kAcknowledge;
  if (s == "resolve") return AlertAction::kResolve;
  return std::nullopt;
}

bool IsPagerDutySeverity(std::string_view s) {
  return s == "critical" || s == "error" || s == "warning" || s == "info";
}

Result<PagerDutyEvent> ParseEvent(std::string_view body) {
  auto parsed = ParseEventObject(body);
  if (!parsed.ok()) return std::move(parsed).error();
  Json& doc = *parsed;

  std::vector<FieldError> errors;
  PagerDutyEvent out;
  CheckRoutingKey(doc, errors, &out.routing_key);

  std::optional<AlertAction> action;
  if (const std::string* a =
          TextField(doc, "event_action", "/event_action", "event_action", true, 0, errors)) {
    action = ParseEventAction(*a);
    if (!action) {
      errors.push_back({"/event_action",
                        "'event_action' is invalid (must be one of the following: 'trigger', "
                        "'acknowledge' or 'resolve')"});
    }
  }
  const bool trigger = action == AlertAction::kTrigger;

  // Optional on trigger (one is generated), required to acknowledge or resolve.
  std::string* dedup_key = TextField(doc, "dedup_key", "/dedup_key", "dedup_key",
                                     action.has_value() && !trigger, kMaxDedupKeyLength, errors);

  AlertUpdate alert;
  std::string* summary = nullptr;
  std::string* source = nullptr;
  std::string* severity = nullptr;
  Json* payload = ingest::Member(doc, "payload");
  if (payload == nullptr) {
    if (trigger) errors.push_back({"/payload", "'payload' is missing"});
  } else if (!payload->is_object()) {
    errors.push_back({"/payload", "'payload' must be a JSON object"});
    payload = nullptr;
  } else {
    summary = TextField(*payload, "summary", "/payload/summary", "payload.summary", trigger,
                        kMaxSummaryLength, errors);
    source = TextField(*payload, "source", "/payload/source", "payload.source", trigger, 0, errors);
    severity = TextField(*payload, "severity", "/payload/severity", "payload.severity", trigger, 0,
                         errors);
    if (severity != nullptr && !IsPagerDutySeverity(*severity)) {
      errors.push_back({"/payload/severity",
                        "'payload.severity' is invalid (must be one of the following: "
                        "'critical', 'warning', 'error' or 'info')"});
      severity = nullptr;
    }
    alert.occurred_at = TimestampField(*payload, "/payload/timestamp", "payload.timestamp", errors);
    // custom_details may be any JSON value; only an object can carry loom's own keys.
    const Json* details = ingest::Member(*payload, "custom_details");
    if (details != nullptr && details->is_object()) {
      if (const std::string* s = ingest::StringMember(*details, "loom_severity")) {
        alert.severity_override = *s;
      }
      if (const Json* kind = ingest::Member(*details, "kind")) {
        std::optional<IncidentKind> k;
        if (kind->is_string()) k = ParseIncidentKind(kind->get_ref<const std::string&>());
        if (k) {
          alert.kind = *k;
        } else {
          errors.push_back({"/payload/custom_details/kind",
                            "'payload.custom_details.kind' is invalid (must be one of the "
                            "following: 'availability', 'security' or 'other')"});
        }
      }
    }
  }

  if (!errors.empty()) return Error::Invalid(kInvalidEvent, std::move(errors));

  // Serialise what is kept before moving strings out of the document.
  std::string details;
  details.reserve(body.size());
  details += '{';
  if (payload != nullptr) ingest::AppendMember(details, "payload", *payload);
  for (std::string_view key : {"client", "client_url", "links", "images"}) {
    if (const Json* v = ingest::Member(doc, key)) ingest::AppendMember(details, key, *v);
  }
  details += '}';
  alert.details_json = std::move(details);

  alert.action = *action;
  if (summary != nullptr) alert.summary = std::move(*summary);
  if (source != nullptr) alert.source = std::move(*source);
  if (severity != nullptr) alert.raw_severity = std::move(*severity);

  IngestRequest& req = out.request;
  req.format = "pagerduty";
  if (dedup_key != nullptr) {
    req.dedup_key = std::move(*dedup_key);
  } else {
    req.dedup_key = RandomHex(16);
    req.dedup_key_generated = true;
  }
  req.title = alert.summary;
  req.alerts.push_back(std::move(alert));
  return out;
}

Result<PagerDutyChange> ParseChange(std::string_view body) {
  auto parsed = ParseEventObject(body);
  if (!parsed.ok()) return std::move(parsed).error();
  Json& doc = *parsed;

  std::vector<FieldError> errors;
  PagerDutyChange out;
  CheckRoutingKey(doc, errors, &out.routing_key);

  std::string* summary = nullptr;
  std::string* source = nullptr;
  Json* payload = ingest::Member(doc, "payload");
  if (payload == nullptr) {
    errors.push_back({"/payload", "'payload' is missing"});
  } else if (!payload->is_object()) {
    errors.push_back({"/payload", "'payload' must be a JSON object"});
    payload = nullptr;
  } else {
    summary = TextField(*payload, "summary", "/payload/summary", "payload.summary", true,
                        kMaxSummaryLength, errors);
    source = TextField(*payload, "source", "/payload/source", "payload.source", false, 0, errors);
    out.event.occurred_at =
        TimestampField(*payload, "/payload/timestamp", "payload.timestamp", errors);
  }
  if (!errors.empty()) return Error::Invalid(kInvalidEvent, std::move(errors));

  std::string details = "{";
  if (const Json* cd = ingest::Member(*payload, "custom_details")) {
    ingest::AppendMember(details, "custom_details", *cd);
  }
  if (const Json* links = ingest::Member(doc, "links")) {
    ingest::AppendMember(details, "links", *links);
  }
  details += '}';
  out.event.details_json = std::move(details);
  out.event.summary = std::move(*summary);
  if (source != nullptr) out.event.source = std::move(*source);
  return out;
}

}  // namespace

Result<PagerDutyEvent> ParsePagerDutyEvent(std::string_view body) {
  try {
    return ParseEvent(body);
  } catch (const std::exception& e) {
    return ingest::InternalParserError("PagerDuty event", e);
  }
}

Result<PagerDutyChange> ParsePagerDutyChange(std::string_view body) {
  try {
    return ParseChange(body);
  } catch (const std::exception& e) {
    return ingest::InternalParserError("PagerDuty change event", e);
  }
}

}  // namespace loom
