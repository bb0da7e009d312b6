#include "store/sql/row_codec.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

namespace loom::sql {

const char kIncidentColumns[] =
    "number, service_id, title, severity, kind, state, commander, responders_json, dedup_key, "
    "alert_count, firing_alert_count, created_at, updated_at, acknowledged_at, mitigated_at, "
    "resolved_at, closed_at, alerts_resolved_at, drill, integration_key_id, group_open, "
    "last_seq, last_hash";

const char kAlertColumns[] =
    "id, incident_number, service_id, dedup_key, fingerprint, status, summary, source, "
    "raw_severity, severity, created_at, updated_at, resolved_at, details_json";

const char kTimelineColumns[] = "incident_number, seq, at, type, actor, data_json, prev_hash, hash";
const char kOutboxColumns[] =
    "id, unique_key, incident_number, step, role, recipient, channel, method, method_type,"
    " payload_json, state, attempts, created_at, next_attempt_at, delivered_at, last_error,"
    " message_id, provider_id, provider_status";

namespace {

Severity SeverityFromInt(int64_t v) {
  if (v < 1 || v > 4) return Severity::kSev2;
  return static_cast<Severity>(v);
}

}  // namespace

void ReadIncidentRow(const Query& q, IncidentRow* row) {
  Incident& inc = row->incident;
  inc.number = q.Int(0);
  inc.service_id = q.Text(1);
  inc.title = q.Text(2);
  inc.severity = SeverityFromInt(q.Int(3));
  inc.kind = ParseIncidentKind(q.TextView(4)).value_or(IncidentKind::kOther);
  inc.state = ParseIncidentState(q.TextView(5)).value_or(IncidentState::kTriggered);
  inc.commander = q.Text(6);
  inc.responders = DecodeResponders(q.TextView(7));
  inc.dedup_key = q.Text(8);
  inc.alert_count = q.Int(9);
  inc.firing_alert_count = q.Int(10);
  inc.created_at = q.Time(11);
  inc.updated_at = q.Time(12);
  inc.acknowledged_at = q.OptionalTime(13);
  inc.mitigated_at = q.OptionalTime(14);
  inc.resolved_at = q.OptionalTime(15);
  inc.closed_at = q.OptionalTime(16);
  inc.alerts_resolved_at = q.OptionalTime(17);
  inc.drill = q.Int(18) != 0;
  row->integration_key_id = q.Int(19);
  row->group_open = q.Int(20) != 0;
  row->last_seq = q.Int(21);
  row->last_hash = q.Text(22);
}

void ReadAlert(const Query& q, Alert* a) {
  a->id = q.Int(0);
  a->incident_number = q.Int(1);
  a->service_id = q.Text(2);
  a->dedup_key = q.Text(3);
  a->fingerprint = q.Text(4);
  a->status = q.Text(5);
  a->summary = q.Text(6);
  a->source = q.Text(7);
  a->raw_severity = q.Text(8);
  a->severity = SeverityFromInt(q.Int(9));
  a->created_at = q.Time(10);
  a->updated_at = q.Time(11);
  a->resolved_at = q.OptionalTime(12);
  a->details_json = q.Text(13);
}

Status ReadOutboxRow(const Query& q, OutboxEntry* e) {
  e->id = q.Int(0);
  e->unique_key = q.Text(1);
  e->incident_number = q.Int(2);
  e->step = static_cast<int>(q.Int(3));
  e->role = q.Text(4);
  e->recipient = q.Text(5);
  e->channel = q.Text(6);
  e->method = q.Text(7);
  e->method_type = q.Text(8);
  e->payload_json = q.Text(9);
  std::optional<OutboxState> state = ParseOutboxState(q.TextView(10));
  if (!state)
    return Error::Internal("outbox row " + q.Text(0) + " has unknown state " + q.Text(10));
  e->state = *state;
  e->attempts = static_cast<int>(q.Int(11));
  e->created_at = q.Time(12);
  e->next_attempt_at = q.OptionalTime(13);
  e->delivered_at = q.OptionalTime(14);
  e->last_error = q.Text(15);
  e->message_id = q.IsNull(16) ? std::string() : q.Text(16);
  e->provider_id = q.IsNull(17) ? std::string() : q.Text(17);
  e->provider_status = q.IsNull(18) ? std::string() : q.Text(18);
  return OkStatus();
}

void ReadTimelineEvent(const Query& q, TimelineEvent* e) {
  e->incident_number = q.Int(0);
  e->seq = q.Int(1);
  e->at = q.Time(2);
  e->type = q.Text(3);
  e->actor = q.Text(4);
  e->data_json = q.Text(5);
  e->prev_hash = q.Text(6);
  e->hash = q.Text(7);
}

std::string EncodeResponders(const std::vector<std::string>& responders) {
  std::string out = "[";
  for (size_t i = 0; i < responders.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(responders[i], &out);
  }
  out += ']';
  return out;
}

std::vector<std::string> DecodeResponders(std::string_view json) {
  std::vector<std::string> out;
  if (json.empty() || json == "[]") return out;  // the common case, without a parser
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& v : parsed) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string EncodeSettings(const ServiceSettings& settings) {
  nlohmann::json map = nlohmann::json::object();
  for (const auto& [word, severity] : settings.severity_map.by_word) {
    map[word] = SeverityName(severity);
  }
  nlohmann::json j = {
      {"severity_map", std::move(map)},
      {"fallback", SeverityName(settings.severity_map.fallback)},
      {"auto_resolve", settings.auto_resolve},
      {"rate_limit_per_minute", settings.rate_limit_per_minute},
  };
  if (settings.grouping.enabled()) {
    j["grouping"] = {{"window_us", settings.grouping.window.count()},
                     {"match_labels", settings.grouping.match_labels}};
  }
  return j.dump();
}

Result<ServiceSettings> DecodeSettings(std::string_view json) {
  ServiceSettings settings;
  if (json.empty()) return settings;
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Error::Internal("service settings are not a JSON object");
  if (auto it = j.find("severity_map"); it != j.end() && it->is_object()) {
    settings.severity_map.by_word.clear();
    for (auto& [word, value] : it->items()) {
      if (!value.is_string()) continue;
      if (auto s = ParseSeverity(value.get<std::string>())) {
        settings.severity_map.by_word[word] = *s;
      }
    }
  }
  if (auto it = j.find("fallback"); it != j.end() && it->is_string()) {
    if (auto s = ParseSeverity(it->get<std::string>())) settings.severity_map.fallback = *s;
  }
  if (auto it = j.find("auto_resolve"); it != j.end() && it->is_boolean()) {
    settings.auto_resolve = it->get<bool>();
  }
  if (auto it = j.find("rate_limit_per_minute"); it != j.end() && it->is_number_integer()) {
    settings.rate_limit_per_minute = it->get<int64_t>();
  }
  if (auto it = j.find("grouping"); it != j.end() && it->is_object()) {
    if (auto w = it->find("window_us"); w != it->end() && w->is_number_integer()) {
      settings.grouping.window = Duration(w->get<int64_t>());
    }
    if (auto labels = it->find("match_labels"); labels != it->end() && labels->is_array()) {
      for (const auto& label : *labels) {
        if (label.is_string()) settings.grouping.match_labels.push_back(label.get<std::string>());
      }
    }
  }
  return settings;
}

}  // namespace loom::sql
