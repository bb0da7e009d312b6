// Prometheus Alertmanager webhook v4, built to WIRE-FORMATS.md and checked against real
// Alertmanager 0.25 deliveries (tests/data/alertmanager/).
//
// Alertmanager drops a notification on any 4xx, so only a body that is structurally not a v4
// payload is refused; label values (a `kind` we do not know, a non-string label) never are.

#include "ingest/alertmanager/alertmanager.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/time_format.h"
#include "ingest/json_input.h"

namespace loom {
namespace {

using ingest::Json;

constexpr char kInvalidPayload[] = "not a valid Alertmanager webhook v4 payload";
// Alertmanager's zero time, sent as endsAt while an alert fires.
constexpr std::string_view kZeroTimePrefix = "0001-01-01T";

// A label or annotation value, or "" when absent or not a string.
std::string_view StringIn(const Json* map, std::string_view key) {
  if (map == nullptr || !map->is_object()) return {};
  const std::string* s = ingest::StringMember(*map, key);
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

// First 16 hex characters of SHA-256 over the labels sorted by name, each as
// name 0xff value 0xff (nlohmann objects iterate in key order). Stable across restarts, so a
// sender without fingerprints still gets its firing and resolved notifications matched.
std::string LabelFingerprint(const Json& labels) {
  std::string canonical;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (!it->is_string()) continue;
    canonical += it.key();
    canonical += '\xff';
    canonical += it->get_ref<const std::string&>();
    canonical += '\xff';
  }
  return Sha256Hex(canonical).substr(0, 16);
}

// startsAt / endsAt: optional; Alertmanager's zero time means "not set".
std::optional<TimePoint> AlertTime(const Json& alert, std::string_view key,
                                   const std::string& pointer, std::vector<FieldError>& errors) {
  const Json* v = ingest::Member(alert, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) {
    const auto& text = v->get_ref<const std::string&>();
    if (text.empty() || text.starts_with(kZeroTimePrefix)) return std::nullopt;
    auto t = ParseRfc3339(text);
    if (t.ok()) return *t;
  }
  errors.push_back({pointer, std::string(key) + " is not an RFC 3339 timestamp"});
  return std::nullopt;
}

Result<IngestRequest> ParseWebhook(std::string_view body) {
  Json doc;
  switch (ingest::ParseJsonBody(body, &doc)) {
    case ingest::JsonBodyStatus::kMalformed:
      return Error::Invalid(kInvalidPayload, {{"", "body is not valid JSON"}});
    case ingest::JsonBodyStatus::kTooDeep:
      return Error::Invalid(
          kInvalidPayload,
          {{"", "body nests deeper than " + std::to_string(ingest::kMaxJsonDepth) + " levels"}});
    case ingest::JsonBodyStatus::kOk: break;
  }
  if (!doc.is_object()) {
    return Error::Invalid(kInvalidPayload, {{"", "body must be a JSON object"}});
  }

  std::vector<FieldError> errors;
  const std::string* version = ingest::StringMember(doc, "version");
  if (version == nullptr) {
    errors.push_back({"/version", "version is missing; expected \"4\""});
  } else if (*version != "4") {
    errors.push_back({"/version", "version \"" + *version + "\" is not supported; expected \"4\""});
  }
  std::string* group_key = nullptr;
  if (Json* gk = ingest::Member(doc, "groupKey");
      gk != nullptr && gk->is_string() && !gk->get_ref<const std::string&>().empty()) {
    group_key = gk->get_ptr<std::string*>();
  } else {
    errors.push_back({"/groupKey", "groupKey is missing or not a non-empty string"});
  }
  if (const Json* status = ingest::Member(doc, "status")) {
    if (!status->is_string() || (*status != "firing" && *status != "resolved")) {
      errors.push_back({"/status", "status must be \"firing\" or \"resolved\""});
    }
  }

  const Json* alerts = ingest::Member(doc, "alerts");
  if (alerts == nullptr || !alerts->is_array() || alerts->empty()) {
    errors.push_back({"/alerts", "alerts must be a non-empty array"});
    alerts = nullptr;
  }

  const Json* common_labels = ingest::Member(doc, "commonLabels");
  const Json* common_annotations = ingest::Member(doc, "commonAnnotations");
  std::string_view external_url;
  if (const std::string* url = ingest::StringMember(doc, "externalURL")) external_url = *url;

  IngestRequest req;
  req.format = "alertmanager";
  if (alerts != nullptr) {
    req.alerts.reserve(alerts->size());
    for (size_t i = 0; i < alerts->size(); ++i) {
      const Json& alert = (*alerts)[i];
      const std::string base = "/alerts/" + std::to_string(i);
      if (!alert.is_object()) {
        errors.push_back({base, "alert must be a JSON object"});
        continue;
      }
      AlertUpdate update;
      const std::string* status = ingest::StringMember(alert, "status");
      if (status != nullptr && *status == "firing") {
        update.action = AlertAction::kTrigger;
      } else if (status != nullptr && *status == "resolved") {
        update.action = AlertAction::kResolve;
      } else {
        errors.push_back({base + "/status", "status must be \"firing\" or \"resolved\""});
      }
      const Json* labels = ingest::Member(alert, "labels");
      if (labels == nullptr || !labels->is_object()) {
        errors.push_back({base + "/labels", "labels must be a JSON object"});
        labels = nullptr;
      }
      const Json* annotations = ingest::Member(alert, "annotations");
      // When it happened: endsAt for a resolved alert (when set), else startsAt. Only the
      // timestamp used is parsed (and so can be refused); the other is kept in the details.
      if (update.action == AlertAction::kResolve) {
        update.occurred_at = AlertTime(alert, "endsAt", base + "/endsAt", errors);
      }
      if (!update.occurred_at) {
        update.occurred_at = AlertTime(alert, "startsAt", base + "/startsAt", errors);
      }
      if (!errors.empty() || labels == nullptr) continue;  // only collecting errors from here on

      if (const std::string* fp = ingest::StringMember(alert, "fingerprint"); fp && !fp->empty()) {
        update.fingerprint = *fp;
      } else {
        update.fingerprint = LabelFingerprint(*labels);
      }
      std::string_view summary = StringIn(annotations, "summary");
      update.summary = ingest::CapTitle(summary.empty() ? StringIn(labels, "alertname") : summary);
      std::string_view instance = StringIn(labels, "instance");
      update.source = instance.empty() ? external_url : instance;
      update.raw_severity = StringIn(labels, "severity");
      update.severity_override = StringIn(labels, "loom_severity");
      update.kind =
          ParseIncidentKind(StringIn(labels, "kind")).value_or(IncidentKind::kAvailability);
      update.details_json = ingest::DumpCompact(alert);
      req.alerts.push_back(std::move(update));
    }
  }
  if (!errors.empty()) return Error::Invalid(kInvalidPayload, std::move(errors));

  // Title: what a responder reads first. The common summary describes the whole group; a lone
  // alert's summary or the alert name are the next best.
  std::string_view title = StringIn(common_annotations, "summary");
  if (title.empty()) title = StringIn(ingest::Member((*alerts)[0], "annotations"), "summary");
  if (!title.empty()) {
    req.title = title;
  } else if (std::string_view name = StringIn(common_labels, "alertname"); !name.empty()) {
    req.title = name;
    if (alerts->size() > 1) req.title += " (" + std::to_string(alerts->size()) + " alerts)";
  } else {
    req.title = *group_key;
  }
  req.title = ingest::CapTitle(req.title);
  req.dedup_key = std::move(*group_key);
  return req;
}

// The group key of one alert, or "" when it cannot be grouped.
std::string GroupKey(const AlertUpdate& alert, const AlertGrouping& grouping) {
  Json details;
  if (ingest::ParseJsonBody(alert.details_json, &details) != ingest::JsonBodyStatus::kOk ||
      !details.is_object()) {
    return {};
  }
  const Json* labels = ingest::Member(details, "labels");
  if (labels == nullptr || !labels->is_object()) return {};
  std::string canonical = IncidentKindName(alert.kind);
  canonical += '\xff';
  for (const std::string& name : grouping.match_labels) {
    std::string_view value = StringIn(labels, name);
    if (value.empty()) return {};
    canonical += name;
    canonical += '\xff';
    canonical += value;
    canonical += '\xff';
  }
  return Sha256Hex(canonical).substr(0, 32);
}

}  // namespace

void ApplyAlertGrouping(IngestRequest& request, const AlertGrouping& grouping) {
  if (!grouping.enabled()) return;
  for (AlertUpdate& alert : request.alerts) {
    try {
      alert.group_key = GroupKey(alert, grouping);
    } catch (const std::exception&) {
      alert.group_key.clear();  // only allocation can fail: the alert opens its own incident
    }
  }
}

Result<IngestRequest> ParseAlertmanagerWebhook(std::string_view body) {
  try {
    return ParseWebhook(body);
  } catch (const std::exception& e) {
    return ingest::InternalParserError("Alertmanager webhook", e);
  }
}

namespace {

Result<ParsedEvent> ParseEntry(std::string_view body) {
  auto parsed = ParseAlertmanagerWebhook(body);
  if (!parsed.ok()) return std::move(parsed).error();
  return ParsedEvent{{}, std::move(*parsed)};
}

std::string AcceptedBody(const IngestOutcome& outcome) {
  return IncidentAcceptedBody(outcome, /*with_dedup_key=*/false);
}

}  // namespace

const IngestFormat kAlertmanagerFormat = {
    .label = "alertmanager",
    .path = "/v1/integrations/alertmanager",
    .key_from = KeyFrom::kRequest,
    .error_style = ErrorStyle::kProblem,
    .retries_only_5xx = true,
    .accepted_status = 200,
    .parse = &ParseEntry,
    .accepted_body = &AcceptedBody,
    .apply_grouping = &ApplyAlertGrouping,
};

}  // namespace loom
