// `services[].heartbeats:` — a service's dead-man switches (core/heartbeat.h,
// docs/configuration.md "services[].heartbeats", docs/heartbeats.md).

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {

void ParseHeartbeats(YamlWalker& w, const Entry& e, const std::string& path,
                     const std::string& service_id, std::map<std::string, int>* seen_ids,
                     std::vector<Heartbeat>* out) {
  w.ParseItems(
      e, path, "heartbeats ({ id, interval, ... })", out,
      [&](const YAML::Node& node, const std::string& item_path, Heartbeat* hb) {
        hb->service_id = service_id;
        hb->source = kHeartbeatFromConfig;
        auto m =
            w.Mapping(node, item_path, {"id", "name", "interval", "grace", "severity", "enabled"});
        if (!m) return;
        if (w.RequiredString(*m, node, item_path, "id", &hb->id)) {
          w.ValidUniqueId(seen_ids, hb->id, IsValidHeartbeatId(hb->id), kServiceIdRule,
                          Find(*m, "id")->value, Join(item_path, "id"), "heartbeat");
        }
        const Entry* name = Find(*m, "name");
        if (!w.String(name, Join(item_path, "name"), &hb->name) || hb->name.empty()) {
          hb->name = hb->id;  // the id passes the name rule
        } else if (hb->name.size() > 200 || hb->name.find('/') != std::string::npos) {
          w.Report(name->value, Join(item_path, "name"), "must be 1-200 characters without '/'");
        }
        const Entry* interval = Find(*m, "interval");
        if (interval == nullptr || interval->value.IsNull()) {
          w.Report(node, Join(item_path, "interval"), "is required (e.g. 10m, 1h)");
        } else if (w.DurationValue(interval, Join(item_path, "interval"), false, &hb->interval) &&
                   (hb->interval < std::chrono::seconds(1) ||
                    hb->interval > std::chrono::hours(24 * 31))) {
          w.Report(interval->value, Join(item_path, "interval"), "must be between 1s and 31d");
        }
        const Entry* grace = Find(*m, "grace");
        if (w.DurationValue(grace, Join(item_path, "grace"), true, &hb->grace) &&
            hb->grace > std::chrono::hours(24 * 31)) {
          w.Report(grace->value, Join(item_path, "grace"), "must be at most 31d");
        }
        std::string severity;
        if (w.String(Find(*m, "severity"), Join(item_path, "severity"), &severity)) {
          if (std::optional<Severity> s = ParseSeverity(severity)) {
            hb->severity = *s;
          } else {
            w.Report(Find(*m, "severity")->value, Join(item_path, "severity"),
                     "must be one of sev1, sev2, sev3, sev4");
          }
        }
        w.Bool(Find(*m, "enabled"), Join(item_path, "enabled"), &hb->enabled);
      });
}

}  // namespace loom::config
