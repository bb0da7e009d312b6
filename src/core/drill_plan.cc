#include "core/drill_plan.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace loom {

DrillStartPlan PlanDrillStart(const DrillStart& start, std::string dedup_key) {
  DrillStartPlan plan;
  IngestRequest& ingest = plan.ingest;
  ingest.format = "drill";
  ingest.drill = true;
  ingest.actor = start.actor;
  ingest.service_id = start.service;
  const std::string label = SeverityName(start.severity);
  ingest.title = start.title.empty()
                     ? label + " " + IncidentKindName(start.scenario) + " tabletop drill"
                     : start.title;
  ingest.dedup_key = std::move(dedup_key);
  AlertUpdate alert;
  alert.summary = ingest.title;
  alert.source = "loom-oncall drill";
  alert.raw_severity = label;
  alert.severity = start.severity;
  alert.kind = start.scenario;
  ingest.alerts.push_back(std::move(alert));

  plan.commander = start.commander;
  plan.actor = start.actor;
  for (const std::string& p : start.participants) {
    plan.participants_note += (plan.participants_note.empty() ? kDrillParticipantsNote : ", ") + p;
  }
  return plan;
}

std::vector<std::string> DrillParticipants(const std::vector<TimelineEvent>& timeline,
                                           const std::vector<std::string>& at_finish) {
  std::vector<std::string> out;
  auto add = [&](const std::string& who) {
    if (!who.empty() && std::find(out.begin(), out.end(), who) == out.end()) out.push_back(who);
  };
  for (const TimelineEvent& e : timeline) {
    if (e.type != "incident.note") continue;
    const nlohmann::json d = nlohmann::json::parse(e.data_json, nullptr, false);
    if (!d.is_object() || !d.contains("note") || !d["note"].is_string()) continue;
    const std::string note = d["note"].get<std::string>();
    if (note.rfind(kDrillParticipantsNote, 0) != 0) continue;
    std::string rest = note.substr(sizeof(kDrillParticipantsNote) - 1);
    size_t start = 0;
    while (start <= rest.size()) {
      size_t comma = rest.find(", ", start);
      add(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
  }
  for (const std::string& p : at_finish) add(p);
  return out;
}

}  // namespace loom
