#include "http/json_codec.h"

#include <chrono>
#include <optional>

#include "common/time_format.h"

namespace loom::http {
namespace {

Json OptionalTime(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return FormatRfc3339(*t);
}

Json OptionalString(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

}  // namespace

Json EmbeddedJson(std::string_view text) {
  if (text.empty()) return Json::object();
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::string(text);
  return parsed;
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json IncidentToJson(const Incident& in) {
  Json j = Json::object();
  j["id"] = in.id();
  j["number"] = in.number;
  j["state"] = IncidentStateName(in.state);
  j["severity"] = SeverityName(in.severity);
  j["kind"] = IncidentKindName(in.kind);
  j["service"] = in.service_id;
  j["title"] = in.title;
  j["alert_count"] = in.alert_count;
  j["firing_alert_count"] = in.firing_alert_count;
  j["commander"] = OptionalString(in.commander);
  j["responders"] = in.responders;
  j["dedup_key"] = in.dedup_key;
  j["drill"] = in.drill;
  j["created_at"] = FormatRfc3339(in.created_at);
  j["updated_at"] = FormatRfc3339(in.updated_at);
  j["acknowledged_at"] = OptionalTime(in.acknowledged_at);
  j["mitigated_at"] = OptionalTime(in.mitigated_at);
  j["resolved_at"] = OptionalTime(in.resolved_at);
  j["closed_at"] = OptionalTime(in.closed_at);
  j["alerts_resolved_at"] = OptionalTime(in.alerts_resolved_at);
  j["maintenance"] = nullptr;  // the maintenance its service is in, where the reader filled it
  if (in.maintenance) {
    j["maintenance"] = {{"windows", in.maintenance->windows},
                        {"until", FormatRfc3339(in.maintenance->until)},
                        {"reason", in.maintenance->reason}};
  }
  return j;
}

Json TimelineEventToJson(const TimelineEvent& e) {
  Json j = Json::object();
  j["seq"] = e.seq;
  j["at"] = FormatRfc3339(e.at);
  j["type"] = e.type;
  j["actor"] = e.actor;
  j["data"] = EmbeddedJson(e.data_json);
  j["hash"] = e.hash;
  j["prev_hash"] = e.prev_hash;
  return j;
}

Json AlertToJson(const Alert& a) {
  Json j = Json::object();
  j["id"] = a.id;
  j["incident"] = a.incident_number > 0 ? Json(IncidentId(a.incident_number)) : Json(nullptr);
  j["service"] = a.service_id;
  j["dedup_key"] = a.dedup_key;
  j["fingerprint"] = OptionalString(a.fingerprint);
  j["status"] = a.status;
  j["summary"] = a.summary;
  j["source"] = a.source;
  j["severity"] = SeverityName(a.severity);
  j["raw_severity"] = a.raw_severity;
  j["created_at"] = FormatRfc3339(a.created_at);
  j["updated_at"] = FormatRfc3339(a.updated_at);
  j["resolved_at"] = OptionalTime(a.resolved_at);
  j["details"] = EmbeddedJson(a.details_json);
  return j;
}

Json NotificationToJson(const OutboxEntry& e) {
  Json j = Json::object();
  j["id"] = e.id;
  j["step"] = e.step;
  j["role"] = e.role;
  j["user"] = e.recipient;
  j["kind"] = e.channel;
  j["method"] = e.method;
  j["type"] = e.method_type;
  j["state"] = OutboxStateName(e.state);
  j["attempts"] = e.attempts;
  j["key"] = e.unique_key;
  j["created_at"] = FormatRfc3339(e.created_at);
  auto time_or_null = [](const std::optional<TimePoint>& t) {
    return t ? Json(FormatRfc3339(*t)) : Json(nullptr);
  };
  j["next_attempt_at"] =
      e.state == OutboxState::kPending ? time_or_null(e.next_attempt_at) : Json(nullptr);
  j["delivered_at"] = time_or_null(e.delivered_at);
  j["last_error"] = e.last_error;
  // What the provider (Twilio) reported after it accepted the message or call; null: nothing.
  j["provider_id"] = e.provider_id.empty() ? Json(nullptr) : Json(e.provider_id);
  j["delivery_status"] = e.provider_status.empty() ? Json(nullptr) : Json(e.provider_status);
  j["details"] = EmbeddedJson(e.payload_json);
  return j;
}

Json IncidentDetailToJson(const IncidentDetail& d) {
  Json j = IncidentToJson(d.incident);
  Json timeline = Json::array();
  for (const TimelineEvent& e : d.timeline) timeline.push_back(TimelineEventToJson(e));
  j["timeline"] = std::move(timeline);
  Json alerts = Json::array();
  for (const Alert& a : d.alerts) alerts.push_back(AlertToJson(a));
  j["alerts"] = std::move(alerts);
  // The rest: GET /v1/incidents/{id}/alerts?after=<alerts_next>.
  j["alerts_next"] = d.alerts_next ? Json(std::to_string(*d.alerts_next)) : Json(nullptr);
  return j;
}

Json ServiceSettingsToJson(const ServiceSettings& s) {
  Json map = Json::object();
  for (const auto& [word, sev] : s.severity_map.by_word) map[word] = SeverityName(sev);
  Json j = Json::object();
  j["severity_map"] = std::move(map);
  j["severity_fallback"] = SeverityName(s.severity_map.fallback);
  j["auto_resolve"] = s.auto_resolve;
  j["rate_limit_per_minute"] = s.rate_limit_per_minute;
  if (s.grouping.enabled()) {
    j["grouping"] = {{"window_seconds",
                      std::chrono::duration_cast<std::chrono::seconds>(s.grouping.window).count()},
                     {"match_labels", s.grouping.match_labels}};
  } else {
    j["grouping"] = nullptr;
  }
  return j;
}

Json SeverityPolicyToJson(const SeverityPolicy& policy) {
  auto seconds = [](const PolicyDuration& d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d.amount).count();
  };
  Json severities = Json::object();
  for (int i = 1; i <= 4; ++i) {
    const Severity severity = static_cast<Severity>(i);  // the key, whatever rule.severity says
    const SeverityRule& rule = policy.For(severity);
    Json sources = Json::object();
    sources["definition"] = rule.definition_source;
    sources["ack_target"] = rule.ack_source;
    sources["update_cadence"] = rule.cadence_source;
    sources["page"] = rule.page_source;
    Json j = Json::object();
    j["definition"] = rule.definition;
    j["ack_target_seconds"] = seconds(rule.ack_target);
    j["ack_target"] = rule.ack_target.text;
    j["ack_basis"] = TimeBasisName(rule.ack_target.basis);
    j["update_cadence_seconds"] = seconds(rule.update_cadence);
    j["update_cadence"] = rule.update_cadence.text;
    j["update_async"] = rule.update_cadence.async;
    j["page"] = rule.page;
    j["sources"] = std::move(sources);
    severities[SeverityName(severity)] = std::move(j);
  }
  Json j = Json::object();
  j["runbook"] = policy.runbook;
  j["repeat"] = policy.repeat;
  j["repeat_source"] = policy.repeat_source;
  j["severities"] = std::move(severities);
  return j;
}

Json ServiceToJson(const Service& s) {
  Json j = Json::object();
  j["id"] = s.id;
  j["name"] = s.name;
  j["created_at"] = FormatRfc3339(s.created_at);
  j["settings"] = ServiceSettingsToJson(s.settings);
  return j;
}

}  // namespace loom::http
