// PagerDuty Events API v2 (alert and change events), built to WIRE-FORMATS.md.
//
// Error details imitate PagerDuty's own wording ("'payload.summary' is missing or blank") because
// the HTTP layer returns them verbatim in PagerDuty's error body, where clients and humans expect
// PagerDuty's phrasing.

#include "ingest/pagerduty/pagerduty.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "ingest/fast_json.h"
#include "ingest/json_input.h"

namespace loom {
namespace {

using ingest::FastElement;
using ingest::FastObject;

constexpr char kInvalidEvent[] = "Event object is invalid";
constexpr size_t kRoutingKeyLength = 32;
constexpr size_t kMaxDedupKeyLength = 255;
constexpr size_t kMaxSummaryLength = 1024;

// Returns the parsed object (valid until this thread parses again), or the error for a body that
// is not a JSON object.
Result<FastObject> ParseEventObject(std::string_view body) {
  FastElement doc;
  switch (ingest::ParseFastJsonBody(body, &doc)) {
    case ingest::JsonBodyStatus::kMalformed:
      return Error::Invalid(kInvalidEvent, {{"", "Event object is not valid JSON"}});
    case ingest::JsonBodyStatus::kTooDeep:
      return Error::Invalid(kInvalidEvent,
                            {{"", "Event object nests deeper than " +
                                      std::to_string(ingest::kMaxJsonDepth) + " levels"}});
    case ingest::JsonBodyStatus::kOk: break;
  }
  FastObject obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Error::Invalid(kInvalidEvent, {{"", "Event object must be a JSON object"}});
  }
  return obj;
}

// The member `key` of `obj` when it is a JSON object; records an error when it is present but
// something else, and when it is absent and `required`.
std::optional<FastElement> ObjectField(FastObject obj, std::string_view key,
                                       std::string_view pointer, bool required,
                                       std::vector<FieldError>& errors) {
  std::optional<FastElement> v = ingest::FastMember(obj, key);
  if (!v) {
    if (required) errors.push_back({std::string(pointer), "'" + std::string(key) + "' is missing"});
    return std::nullopt;
  }
  if (!v->is_object()) {
    errors.push_back({std::string(pointer), "'" + std::string(key) + "' must be a JSON object"});
    return std::nullopt;
  }
  return v;
}

// Checks a text field of `obj`. Returns the value when it is a non-blank string within
// `max_length` characters (0 = no limit), else an empty view; records an error for a present but
// wrong value, and for an absent or blank one when `required`.
std::string_view TextField(FastObject obj, std::string_view key, std::string_view pointer,
                           std::string_view display, bool required, size_t max_length,
                           std::vector<FieldError>& errors) {
  std::optional<FastElement> v = ingest::FastMember(obj, key);
  std::string_view text;
  const bool is_string = v && v->get_string().get(text) == simdjson::SUCCESS;
  if (!v || (is_string && ingest::IsBlank(text))) {
    if (required) {
      errors.push_back(
          {std::string(pointer), "'" + std::string(display) + "' is missing or blank"});
    }
    return {};
  }
  if (!is_string) {
    errors.push_back({std::string(pointer), "'" + std::string(display) + "' must be a string"});
    return {};
  }
  if (max_length > 0 && ingest::Utf8Length(text) > max_length) {
    errors.push_back({std::string(pointer), "'" + std::string(display) +
                                                "' is too long (must be at most " +
                                                std::to_string(max_length) + " characters)"});
    return {};
  }
  return text;
}

void CheckRoutingKey(FastObject doc, std::vector<FieldError>& errors, std::string* out) {
  std::string_view key =
      TextField(doc, "routing_key", "/routing_key", "routing_key", true, 0, errors);
  if (key.empty()) return;
  if (size_t length = ingest::Utf8Length(key); length != kRoutingKeyLength) {
    errors.push_back({"/routing_key", "'routing_key' is invalid: it must be 32 characters (got " +
                                          std::to_string(length) + ")"});
    return;
  }
  *out = key;
}

// payload.timestamp / change payload timestamp: optional ISO 8601.
std::optional<TimePoint> TimestampField(FastObject payload, std::string_view pointer,
                                        std::string_view display, std::vector<FieldError>& errors) {
  std::optional<FastElement> v = ingest::FastMember(payload, "timestamp");
  if (!v) return std::nullopt;
  std::string_view text;
  if (v->get_string().get(text) == simdjson::SUCCESS) {
    auto t = ParseRfc3339(text);
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
  const FastObject doc = *parsed;

  std::vector<FieldError> errors;
  PagerDutyEvent out;
  CheckRoutingKey(doc, errors, &out.routing_key);

  std::optional<AlertAction> action;
  if (std::string_view a =
          TextField(doc, "event_action", "/event_action", "event_action", true, 0, errors);
      !a.empty()) {
    action = ParseEventAction(a);
    if (!action) {
      errors.push_back({"/event_action",
                        "'event_action' is invalid (must be one of the following: 'trigger', "
                        "'acknowledge' or 'resolve')"});
    }
  }
  const bool trigger = action == AlertAction::kTrigger;

  // Optional on trigger (one is generated), required to acknowledge or resolve.
  std::string_view dedup_key =
      TextField(doc, "dedup_key", "/dedup_key", "dedup_key", action.has_value() && !trigger,
                kMaxDedupKeyLength, errors);

  AlertUpdate alert;
  std::string_view summary;
  std::string_view source;
  std::string_view severity;
  std::optional<FastElement> payload = ObjectField(doc, "payload", "/payload", trigger, errors);
  if (payload) {
    const FastObject fields = payload->get_object().value_unsafe();  // ObjectField checked it
    summary = TextField(fields, "summary", "/payload/summary", "payload.summary", trigger,
                        kMaxSummaryLength, errors);
    source = TextField(fields, "source", "/payload/source", "payload.source", trigger, 0, errors);
    severity =
        TextField(fields, "severity", "/payload/severity", "payload.severity", trigger, 0, errors);
    if (!severity.empty() && !IsPagerDutySeverity(severity)) {
      errors.push_back({"/payload/severity",
                        "'payload.severity' is invalid (must be one of the following: "
                        "'critical', 'warning', 'error' or 'info')"});
      severity = {};
    }
    alert.occurred_at = TimestampField(fields, "/payload/timestamp", "payload.timestamp", errors);
    // custom_details may be any JSON value; only an object can carry loom's own keys.
    FastObject details;
    std::optional<FastElement> details_value = ingest::FastMember(fields, "custom_details");
    if (details_value && details_value->get_object().get(details) == simdjson::SUCCESS) {
      if (auto s = ingest::FastStringMember(details, "loom_severity")) {
        alert.severity_override = *s;
      }
      if (std::optional<FastElement> kind = ingest::FastMember(details, "kind")) {
        std::optional<IncidentKind> k;
        std::string_view text;
        if (kind->get_string().get(text) == simdjson::SUCCESS) k = ParseIncidentKind(text);
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

  std::string details;
  details.reserve(body.size());
  details += '{';
  if (payload) ingest::AppendFastMember(details, "payload", *payload);
  for (std::string_view key : {"client", "client_url", "links", "images"}) {
    if (std::optional<FastElement> v = ingest::FastMember(doc, key)) {
      ingest::AppendFastMember(details, key, *v);
    }
  }
  details += '}';
  alert.details_json = std::move(details);

  alert.action = *action;
  alert.summary = summary;
  alert.source = source;
  alert.raw_severity = severity;

  IngestRequest& req = out.request;
  req.format = "pagerduty";
  if (!dedup_key.empty()) {
    req.dedup_key = dedup_key;
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
  const FastObject doc = *parsed;

  std::vector<FieldError> errors;
  PagerDutyChange out;
  CheckRoutingKey(doc, errors, &out.routing_key);

  std::string_view summary;
  std::string_view source;
  std::optional<FastElement> payload = ObjectField(doc, "payload", "/payload", true, errors);
  if (payload) {
    const FastObject fields = payload->get_object().value_unsafe();  // ObjectField checked it
    summary = TextField(fields, "summary", "/payload/summary", "payload.summary", true,
                        kMaxSummaryLength, errors);
    source = TextField(fields, "source", "/payload/source", "payload.source", false, 0, errors);
    out.event.occurred_at =
        TimestampField(fields, "/payload/timestamp", "payload.timestamp", errors);
  }
  if (!errors.empty()) return Error::Invalid(kInvalidEvent, std::move(errors));

  std::string details = "{";
  if (std::optional<FastElement> cd =
          ingest::FastMember(payload->get_object().value_unsafe(), "custom_details")) {
    ingest::AppendFastMember(details, "custom_details", *cd);
  }
  if (std::optional<FastElement> links = ingest::FastMember(doc, "links")) {
    ingest::AppendFastMember(details, "links", *links);
  }
  details += '}';
  out.event.details_json = std::move(details);
  out.event.summary = summary;
  out.event.source = source;
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

std::string PagerDutyAcceptedBody(const IngestOutcome& outcome) {
  std::string body;
  body.reserve(72 + outcome.dedup_key.size());
  body = R"({"status":"success","message":"Event processed","dedup_key":)";
  AppendJsonString(outcome.dedup_key, &body);
  body += '}';
  return body;
}

std::string PagerDutyChangeAcceptedBody(const IngestOutcome&) {
  return R"({"status":"success","message":"Change event processed"})";
}

namespace {

Result<ParsedEvent> ParseEventEntry(std::string_view body) {
  auto parsed = ParsePagerDutyEvent(body);
  if (!parsed.ok()) return std::move(parsed).error();
  return ParsedEvent{std::move(parsed->routing_key), std::move(parsed->request)};
}

Result<ParsedEvent> ParseChangeEntry(std::string_view body) {
  auto parsed = ParsePagerDutyChange(body);
  if (!parsed.ok()) return std::move(parsed).error();
  return ParsedEvent{std::move(parsed->routing_key), std::move(parsed->event)};
}

}  // namespace

const IngestFormat kPagerDutyEventFormat = {
    .label = "pagerduty",
    .path = "/v2/enqueue",
    .key_from = KeyFrom::kBody,
    .error_style = ErrorStyle::kPagerDuty,
    .accepted_status = 202,
    .parse = &ParseEventEntry,
    .accepted_body = &PagerDutyAcceptedBody,
};

const IngestFormat kPagerDutyChangeFormat = {
    .label = "pagerduty_change",
    .path = "/v2/change/enqueue",
    .key_from = KeyFrom::kBody,
    .error_style = ErrorStyle::kPagerDuty,
    .accepted_status = 202,
    .parse = &ParseChangeEntry,
    .accepted_body = &PagerDutyChangeAcceptedBody,
};

}  // namespace loom
