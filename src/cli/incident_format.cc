#include "cli/incident_format.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <string_view>
#include <vector>

#include "cli/json_fields.h"
#include "common/clock.h"
#include "common/time_format.h"

namespace loom {
namespace {

std::string Field(const nlohmann::json& object, const char* key, const char* fallback = "-") {
  std::string value = PrintableText(GetString(object, key));
  return value.empty() ? fallback : value;
}

std::string AgeSince(const nlohmann::json& object, const char* key, TimePoint now) {
  std::string text = GetString(object, key);
  if (text.empty()) return "-";
  Result<TimePoint> at = ParseRfc3339(text);
  if (!at.ok()) return "-";
  return FormatAge(now - at.value());
}

// The event's data object as `key=value` pairs, strings unquoted when they have no space, and
// times (`*_at` keys, stored as Unix microseconds) in RFC 3339.
std::string DataSummary(const nlohmann::json& data) {
  if (!data.is_object() || data.empty()) return "";
  std::string out;
  for (const auto& [key, value] : data.items()) {
    if (!out.empty()) out += ' ';
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
      if (text.empty() || text.find(' ') != std::string::npos) text = value.dump();
    } else if (value.is_number_integer() && key.size() > 3 &&
               key.compare(key.size() - 3, 3, "_at") == 0) {
      text = FormatRfc3339(FromUnixMicros(value.get<int64_t>()));
    } else {
      text = value.dump();
    }
    out += key + "=" + text;
  }
  constexpr size_t kMax = 160;
  if (out.size() > kMax) {
    size_t cut = kMax;
    // Do not cut inside a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "...";
  }
  return PrintableText(out);
}

}  // namespace

std::string RenderTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FormatAge(Duration age) {
  int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 86400) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

std::string FormatIncidentTable(const nlohmann::json& incidents, TimePoint now) {
  if (!incidents.is_array() || incidents.empty()) return "No incidents.\n";
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ID", "SEV", "STATE", "SERVICE", "AGE", "ALERTS", "TITLE"});
  for (const auto& incident : incidents) {
    rows.push_back({Field(incident, "id"), Field(incident, "severity"), Field(incident, "state"),
                    Field(incident, "service"), AgeSince(incident, "created_at", now),
                    std::to_string(GetInt(incident, "alert_count")), Field(incident, "title", "")});
  }
  return RenderTable(rows);
}

std::string FormatIncidentDetail(const nlohmann::json& incident, TimePoint now) {
  std::ostringstream out;
  std::string title = Field(incident, "title", "");
  out << Field(incident, "id") << (title.empty() ? "" : "  ") << title << "\n";

  std::vector<std::vector<std::string>> fields;
  auto add = [&](const char* label, std::string value) {
    fields.push_back({std::string("  ") + label + ":", std::move(value)});
  };
  add("state", Field(incident, "state"));
  add("severity", Field(incident, "severity"));
  add("kind", Field(incident, "kind"));
  add("service", Field(incident, "service"));
  add("commander", Field(incident, "commander", "(none)"));
  add("alerts", std::to_string(GetInt(incident, "alert_count")) + " (" +
                    std::to_string(GetInt(incident, "firing_alert_count")) + " firing)");
  if (!GetString(incident, "dedup_key").empty()) add("dedup key", Field(incident, "dedup_key"));
  if (GetBool(incident, "drill")) add("drill", "yes");
  // Its service is in maintenance: escalation waits (docs/maintenance.md).
  if (auto held = incident.find("maintenance"); held != incident.end() && held->is_object()) {
    std::string windows;
    if (auto ids = held->find("windows"); ids != held->end() && ids->is_array()) {
      for (const nlohmann::json& id : *ids) {
        windows += (windows.empty() ? "" : ", ") + (id.is_number() ? id.dump() : std::string("?"));
      }
    }
    const std::string reason = Field(*held, "reason", "");
    add("maintenance", "window " + windows + " until " + Field(*held, "until") +
                           (reason.empty() ? "" : " (" + reason + ")") + ": no one is paged");
  }
  // Security incidents: the playbook's progress (docs/security-playbook.md).
  if (auto sec = incident.find("security"); sec != incident.end() && sec->is_object()) {
    auto checklist = sec->find("checklist");
    const nlohmann::json none = nlohmann::json::object();
    const nlohmann::json& c = checklist != sec->end() ? *checklist : none;
    add("security", std::to_string(GetInt(c, "done")) + "/" + std::to_string(GetInt(c, "total")) +
                        " checklist items done, report " +
                        (GetBool(*sec, "report") ? "written" : "missing"));
  }
  add("created",
      Field(incident, "created_at") + " (" + AgeSince(incident, "created_at", now) + " ago)");
  static constexpr std::array<std::pair<const char*, const char*>, 5> kMilestones = {{
      {"acknowledged", "acknowledged_at"},
      {"mitigated", "mitigated_at"},
      {"alerts resolved", "alerts_resolved_at"},
      {"resolved", "resolved_at"},
      {"closed", "closed_at"},
  }};
  for (const auto& [label, key] : kMilestones) {
    if (!GetString(incident, key).empty()) add(label, Field(incident, key));
  }
  out << RenderTable(fields);

  auto alerts = incident.find("alerts");
  if (alerts != incident.end() && alerts->is_array() && !alerts->empty()) {
    out << "\nAlerts:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& alert : *alerts) {
      rows.push_back({"  #" + std::to_string(GetInt(alert, "id")), Field(alert, "status"),
                      Field(alert, "severity"), Field(alert, "source"),
                      Field(alert, "summary", "")});
    }
    out << RenderTable(rows);
  }

  out << "\nTimeline:\n";
  auto timeline = incident.find("timeline");
  if (timeline == incident.end() || !timeline->is_array() || timeline->empty()) {
    out << "  (no events)\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& event : *timeline) {
      std::string data;
      if (event.is_object()) {
        auto it = event.find("data");
        if (it != event.end()) data = DataSummary(*it);
      }
      rows.push_back({"  #" + std::to_string(GetInt(event, "seq")), Field(event, "at"),
                      Field(event, "type"), Field(event, "actor"), data});
    }
    out << RenderTable(rows);
  }
  return out.str();
}

std::string FormatIncidentSummary(const nlohmann::json& incident) {
  return Field(incident, "id") + " " + Field(incident, "state") + " (" +
         Field(incident, "severity") + ", commander " + Field(incident, "commander", "(none)") +
         ")";
}

std::string FormatNotifications(const nlohmann::json& notifications, TimePoint now) {
  if (!notifications.is_array() || notifications.empty()) return "No notifications.\n";
  std::vector<std::vector<std::string>> rows = {
      {"STEP", "KIND", "METHOD", "ROLE", "USER", "STATE", "ATTEMPTS", "AGE"}};
  for (const auto& n : notifications) {
    const auto step = n.find("step");
    const auto attempts = n.find("attempts");
    rows.push_back(
        {step != n.end() && step->is_number_integer() ? std::to_string(step->get<int>()) : "-",
         Field(n, "kind"), Field(n, "method", "-"), Field(n, "role"), Field(n, "user"),
         Field(n, "state"),
         attempts != n.end() && attempts->is_number_integer() ? std::to_string(attempts->get<int>())
                                                              : "-",
         AgeSince(n, "created_at", now)});
  }
  return RenderTable(rows);
}

}  // namespace loom
