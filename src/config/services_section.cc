// `services:` — ids, integration keys, severity map, roles, business hours and alert grouping;
// a service's incident channels and probe have their own files (docs/configuration.md
// "services[]").

#include <algorithm>
#include <cctype>

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {
namespace {

// What must be unique across all services.
struct SeenInServices {
  std::map<std::string, int> service_ids;  // id → line
  // Integration key value → where it was first configured (path, line).
  std::map<std::string, std::pair<std::string, int>> keys;
  std::map<std::string, int> heartbeat_ids;  // id → line
};

template <typename T>
Status StatusOf(const Result<T>& r) {
  if (r.ok()) return OkStatus();
  return r.error();
}

// One `integration_keys:` item; its value is appended to `out` unless a key with that value is
// in `sites` (key value → path and line of its first configuration), which records it.
void ParseIntegrationKey(YamlWalker& w, std::map<std::string, std::pair<std::string, int>>* sites,
                         const YAML::Node& node, const std::string& path,
                         std::vector<std::string>* out) {
  if (node.IsNull()) {
    w.Report(node, path, "must be { key_env: VAR } or { key: <32 hex characters> }");
    return;
  }
  auto m = w.Mapping(node, path, {"key_env", "key"});
  if (!m) return;
  const Entry* key_env = Find(*m, "key_env");
  const Entry* key = Find(*m, "key");
  if ((key_env == nullptr) == (key == nullptr)) {
    w.Report(node, path, "set exactly one of key_env (preferred) or key");
    return;
  }
  std::string value;
  const Entry* site = key_env != nullptr ? key_env : key;
  std::string site_path;
  if (key_env != nullptr) {
    site_path = Join(path, "key_env");
    std::string name;
    if (!w.EnvValue(key_env, site_path, &name, &value)) return;
    if (value.size() != kIntegrationKeyLength || !IsHex(value)) {
      w.Report(key_env->value, site_path,
               "environment variable " + name + " must hold 32 hex characters (it has " +
                   std::to_string(value.size()) + " characters" +
                   (IsHex(value) ? "" : ", not all hex") + ")");
      return;
    }
  } else {
    site_path = Join(path, "key");
    if (!w.String(key, site_path, &value)) {
      if (key->value.IsNull()) w.Report(key->key, site_path, "is empty");
      return;
    }
    // Never echo the value: it is a secret.
    if (value.size() != kIntegrationKeyLength || !IsHex(value)) {
      w.Report(key->value, site_path,
               "must be 32 hex characters (it has " + std::to_string(value.size()) + " characters" +
                   (IsHex(value) ? "" : ", not all hex") + ")");
      return;
    }
  }
  int line = LineOf(site->value);
  if (auto [it, fresh] = sites->emplace(value, std::make_pair(site_path, line)); !fresh) {
    w.Report(line, site_path,
             "the same integration key is already configured at " + it->second.first + " (line " +
                 std::to_string(it->second.second) + ")");
    return;
  }
  out->push_back(std::move(value));
}

void ParseSeverityMap(YamlWalker& w, const Entry& e, const std::string& path,
                      SeverityMapping* out) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    w.Report(e.value, path, "must be a mapping like { critical: sev1, warning: sev3 }");
    return;
  }
  std::map<std::string, int> seen;
  for (auto it = e.value.begin(); it != e.value.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar() || key.Scalar().empty()) {
      w.Report(key, path, "keys must be severity words such as critical");
      continue;
    }
    std::string word = key.Scalar();
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string entry_path = Join(path, key.Scalar());
    if (auto [at, fresh] = seen.emplace(word, LineOf(key)); !fresh) {
      w.Report(key, entry_path,
               "duplicate key (first set at line " + std::to_string(at->second) + ")");
      continue;
    }
    std::optional<Severity> sev;
    if (value.IsScalar()) sev = ParseSeverity(value.Scalar());
    if (!sev) {
      w.Report(value.IsDefined() && !value.IsNull() ? value : key, entry_path,
               "must be one of sev1, sev2, sev3, sev4");
      continue;
    }
    out->by_word[word] = *sev;
  }
}

// `grouping: { window: 30m, match_labels: [service, env] }` (core/service.h AlertGrouping).
void ParseGrouping(YamlWalker& w, const Entry& e, const std::string& path, AlertGrouping* out) {
  auto m = w.Mapping(e.value, path, {"window", "match_labels"});
  if (!m) return;
  const Entry* window = Find(*m, "window");
  if (window == nullptr || window->value.IsNull()) {
    w.Report(window != nullptr ? window->key : e.value, Join(path, "window"),
             "is required (e.g. 30m)");
  } else if (w.DurationValue(window, Join(path, "window"), false, &out->window) &&
             out->window > std::chrono::hours(24)) {
    w.Report(window->value, Join(path, "window"), "must be at most 24h");
    out->window = Duration::zero();
  }
  const Entry* labels = Find(*m, "match_labels");
  const std::string labels_path = Join(path, "match_labels");
  if (labels == nullptr || labels->value.IsNull() ||
      (labels->value.IsSequence() && labels->value.size() == 0)) {
    w.Report(labels != nullptr ? labels->key : e.value, labels_path,
             "is required: the labels whose values alerts must share (e.g. [service, env])");
    return;
  }
  w.ForEachItem(*labels, labels_path, "label names",
                [&](const YAML::Node& item, const std::string& item_path) {
                  const std::string name = item.IsScalar() ? item.Scalar() : std::string();
                  const bool valid =
                      !name.empty() &&
                      (std::isalpha(static_cast<unsigned char>(name[0])) != 0 || name[0] == '_') &&
                      std::all_of(name.begin(), name.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                      });
                  if (!valid) {
                    w.Report(item, item_path, "must be a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
                  } else if (std::find(out->match_labels.begin(), out->match_labels.end(), name) !=
                             out->match_labels.end()) {
                    w.Report(item, item_path, "duplicate label '" + name + "'");
                  } else {
                    out->match_labels.push_back(name);
                  }
                });
}

void ParseRoles(YamlWalker& w, const DefinedNames& names, const Entry& e, const std::string& path,
                std::map<OnCallRole, std::string>* out) {
  auto m =
      w.Mapping(e.value, path, {"primary", "secondary", "escalation_manager", "security_lead"});
  if (!m) return;
  for (const auto& [name, entry] : *m) {
    const std::string role_path = Join(path, name);
    std::string schedule;
    if (!w.String(&entry, role_path, &schedule)) continue;
    if (names.schedules.count(schedule) == 0) {
      w.Report(entry.value, role_path, "unknown schedule '" + schedule + "' (not in schedules:)");
      continue;
    }
    if (auto role = ParseOnCallRole(name)) (*out)[*role] = std::move(schedule);
  }
}

void ParseBusinessHours(YamlWalker& w, const Entry& e, const std::string& path,
                        BusinessHoursConfig* out) {
  auto m = w.Mapping(e.value, path, {"time_zone", "days", "from", "to", "holidays"});
  if (!m) return;
  if (Find(*m, "time_zone") == nullptr) w.Report(e.value, Join(path, "time_zone"), "is required");
  w.CheckedString(Find(*m, "time_zone"), Join(path, "time_zone"), &out->time_zone, CheckTimeZone);
  w.CheckedString(Find(*m, "days"), Join(path, "days"), &out->days,
                  [](const std::string& t) { return StatusOf(ParseWeekdays(t)); });
  auto time_of_day = [](const std::string& t) { return StatusOf(ParseTimeOfDay(t)); };
  const Entry* from = Find(*m, "from");
  const Entry* to = Find(*m, "to");
  const bool from_ok = w.CheckedString(from, Join(path, "from"), &out->from, time_of_day);
  const bool to_ok = w.CheckedString(to, Join(path, "to"), &out->to, time_of_day);
  if ((from == nullptr || from_ok) && (to == nullptr || to_ok) &&
      *ParseTimeOfDay(out->to) <= *ParseTimeOfDay(out->from)) {
    w.Report(to != nullptr ? to->value : e.value, Join(path, "to"),
             "business hours must end after they start (" + out->from + "-" + out->to + ")");
  }
  if (const Entry* holidays = Find(*m, "holidays")) {
    w.ForEachItem(*holidays, Join(path, "holidays"), "dates YYYY-MM-DD",
                  [&](const YAML::Node& item, const std::string& item_path) {
                    if (!item.IsScalar() || !ParseCivilDate(item.Scalar()).ok()) {
                      w.Report(item, item_path, "is not a date YYYY-MM-DD");
                      return;
                    }
                    out->holidays.push_back(item.Scalar());
                  });
  }
}

void ParseService(YamlWalker& w, const DefinedNames& names, SeenInServices* seen,
                  const YAML::Node& node, const std::string& path, ServiceConfig* out) {
  auto m = w.Mapping(node, path,
                     {"id", "name", "team", "integration_keys", "severity_map", "auto_resolve",
                      "rate_limit_per_minute", "roles", "business_hours", "incident_channels",
                      "probe", "grouping", "heartbeats"});
  if (!m) return;
  Service& s = out->service;

  const Entry* id = Find(*m, "id");
  if (!w.String(id, Join(path, "id"), &s.id)) {
    if (id == nullptr || id->value.IsNull()) w.Report(node, Join(path, "id"), "is required");
  } else {
    w.ValidUniqueId(&seen->service_ids, s.id, IsValidServiceId(s.id), kServiceIdRule, id->value,
                    Join(path, "id"), "service");
  }
  if (!w.String(Find(*m, "name"), Join(path, "name"), &s.name) || s.name.empty()) s.name = s.id;
  ParseTeamRef(w, names, Find(*m, "team"), Join(path, "team"), &out->team);

  if (const Entry* keys = Find(*m, "integration_keys"); keys && !keys->value.IsNull()) {
    const std::string keys_path = Join(path, "integration_keys");
    if (!keys->value.IsSequence()) {
      w.Report(keys->value, keys_path, "must be a list of { key_env: VAR } or { key: <32 hex> }");
    } else {
      for (size_t i = 0; i < keys->value.size(); ++i) {
        ParseIntegrationKey(w, &seen->keys, keys->value[i], Index(keys_path, i),
                            &out->integration_keys);
      }
    }
  }
  if (const Entry* map = Find(*m, "severity_map")) {
    ParseSeverityMap(w, *map, Join(path, "severity_map"), &s.settings.severity_map);
  }
  w.Bool(Find(*m, "auto_resolve"), Join(path, "auto_resolve"), &s.settings.auto_resolve);
  w.Int(Find(*m, "rate_limit_per_minute"), Join(path, "rate_limit_per_minute"), 0, 1'000'000'000,
        &s.settings.rate_limit_per_minute);

  if (const Entry* e = Find(*m, "roles"))
    ParseRoles(w, names, *e, Join(path, "roles"), &out->roles);
  if (const Entry* e = Find(*m, "business_hours"); e != nullptr && !e->value.IsNull()) {
    out->business_hours.emplace();
    ParseBusinessHours(w, *e, Join(path, "business_hours"), &*out->business_hours);
  }
  if (const Entry* e = Find(*m, "incident_channels")) {
    ParseIncidentChannels(w, *e, Join(path, "incident_channels"), &out->incident_channels);
  }
  if (const Entry* e = Find(*m, "probe"); e != nullptr && !e->value.IsNull()) {
    out->probe.emplace();
    ParseProbe(w, *e, Join(path, "probe"), &*out->probe);
  }
  if (const Entry* e = Find(*m, "grouping"); e != nullptr && !e->value.IsNull()) {
    ParseGrouping(w, *e, Join(path, "grouping"), &s.settings.grouping);
  }
  if (const Entry* e = Find(*m, "heartbeats")) {
    ParseHeartbeats(w, *e, Join(path, "heartbeats"), s.id, &seen->heartbeat_ids, &out->heartbeats);
  }
}

}  // namespace

void ParseServices(YamlWalker& w, const Entry& section, const DefinedNames& names,
                   std::vector<ServiceConfig>* out) {
  SeenInServices seen;
  w.ParseItems(section, "services", "services (lines starting with '- ')", out,
               [&](const YAML::Node& node, const std::string& path, ServiceConfig* service) {
                 ParseService(w, names, &seen, node, path, service);
               });
}

}  // namespace loom::config
