// The generic JSON format of POST /v1/integrations/generic (see generic.h and docs/api.md): the
// smallest useful event for scripts and senders without a vendor format.

#include "ingest/generic/generic.h"

#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "ingest/json_input.h"

namespace loom {
namespace {

using ingest::Json;

constexpr char kInvalidEvent[] = "event is invalid";
constexpr size_t kMaxDedupKeyLength = 255;

// A string member: nullptr when absent; records an error when present but not a string.
const std::string* OptionalString(const Json& doc, std::string_view key,
                                  std::vector<FieldError>& errors) {
  const Json* v = ingest::Member(doc, key);
  if (v == nullptr) return nullptr;
  if (!v->is_string()) {
    errors.push_back({"/" + std::string(key), std::string(key) + " must be a string"});
    return nullptr;
  }
  return v->get_ptr<const std::string*>();
}

Result<IngestRequest> ParseGeneric(std::string_view body) {
  Json doc;
  switch (ingest::ParseJsonBody(body, &doc)) {
    case ingest::JsonBodyStatus::kMalformed:
      return Error::Invalid(kInvalidEvent, {{"", "body is not valid JSON"}});
    case ingest::JsonBodyStatus::kTooDeep:
      return Error::Invalid(
          kInvalidEvent,
          {{"", "body nests deeper than " + std::to_string(ingest::kMaxJsonDepth) + " levels"}});
    case ingest::JsonBodyStatus::kOk: break;
  }
  if (!doc.is_object()) return Error::Invalid(kInvalidEvent, {{"", "body must be a JSON object"}});

  std::vector<FieldError> errors;
  AlertUpdate alert;

  if (const std::string* action = OptionalString(doc, "action", errors)) {
    if (*action == "trigger") {
      alert.action = AlertAction::kTrigger;
    } else if (*action == "acknowledge") {
      alert.action = AlertAction::kAcknowledge;
    } else if (*action == "resolve") {
      alert.action = AlertAction::kResolve;
    } else {
      errors.push_back({"/action", "action must be one of trigger, acknowledge, resolve"});
    }
  }
  const bool trigger = alert.action == AlertAction::kTrigger;

  const std::string* summary = OptionalString(doc, "summary", errors);
  if (summary != nullptr && ingest::IsBlank(*summary)) summary = nullptr;
  if (summary == nullptr) {
    // A present non-string summary already has its error.
    const Json* raw = ingest::Member(doc, "summary");
    if (trigger && (raw == nullptr || raw->is_string())) {
      errors.push_back({"/summary", "summary is missing or blank"});
    }
  }

  if (const std::string* severity = OptionalString(doc, "severity", errors)) {
    std::string word = *severity;
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (word == "critical" || word == "error" || word == "warning" || word == "info") {
      alert.raw_severity = std::move(word);
    } else if (ParseSeverity(word)) {
      alert.severity_override = std::move(word);
    } else {
      errors.push_back({"/severity",
                        "severity must be one of critical, error, warning, info, sev1, sev2, "
                        "sev3, sev4"});
    }
  } else if (trigger && ingest::Member(doc, "severity") == nullptr) {
    errors.push_back({"/severity", "severity is missing"});
  }

  const std::string* dedup_key = OptionalString(doc, "dedup_key", errors);
  if (dedup_key != nullptr && ingest::IsBlank(*dedup_key)) dedup_key = nullptr;
  if (dedup_key != nullptr && ingest::Utf8Length(*dedup_key) > kMaxDedupKeyLength) {
    errors.push_back({"/dedup_key", "dedup_key is too long (must be at most 255 characters)"});
  } else if (dedup_key == nullptr && !trigger) {
    errors.push_back({"/dedup_key", "dedup_key is required to acknowledge or resolve"});
  }

  if (const std::string* source = OptionalString(doc, "source", errors)) alert.source = *source;

  if (const std::string* kind = OptionalString(doc, "kind", errors)) {
    if (auto k = ParseIncidentKind(*kind)) {
      alert.kind = *k;
    } else {
      errors.push_back({"/kind", "kind must be one of availability, security, other"});
    }
  }

  if (const Json* details = ingest::Member(doc, "details"); details && !details->is_object()) {
    errors.push_back({"/details", "details must be a JSON object"});
  }

  if (!errors.empty()) return Error::Invalid(kInvalidEvent, std::move(errors));

  IngestRequest req;
  req.format = "generic";
  // A longer summary is cut (the full text stays in the details).
  if (summary != nullptr) alert.summary = ingest::CapTitle(*summary);
  if (dedup_key != nullptr) {
    req.dedup_key = *dedup_key;
  } else {
    req.dedup_key = RandomHex(16);
    req.dedup_key_generated = true;
  }
  alert.details_json = ingest::DumpCompact(doc);
  req.title = alert.summary;
  req.alerts.push_back(std::move(alert));
  return req;
}

}  // namespace

Result<IngestRequest> ParseGenericEvent(std::string_view body) {
  try {
    return ParseGeneric(body);
  } catch (const std::exception& e) {
    return ingest::InternalParserError("generic event", e);
  }
}

namespace {

Result<ParsedEvent> ParseEntry(std::string_view body) {
  auto parsed = ParseGenericEvent(body);
  if (!parsed.ok()) return std::move(parsed).error();
  return ParsedEvent{{}, std::move(*parsed)};
}

std::string AcceptedBody(const IngestOutcome& outcome) {
  return IncidentAcceptedBody(outcome, /*with_dedup_key=*/true);
}

}  // namespace

const IngestFormat kGenericFormat = {
    .label = "generic",
    .path = "/v1/integrations/generic",
    .key_from = KeyFrom::kRequest,
    .error_style = ErrorStyle::kProblem,
    .accepted_status = 202,
    .parse = &ParseEntry,
    .accepted_body = &AcceptedBody,
};

}  // namespace loom
