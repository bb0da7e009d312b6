// `maintenance:` — maintenance windows defined in the file (core/maintenance.h,
// docs/configuration.md "maintenance", docs/maintenance.md): one-off ({ start, end }) or weekly
// ({ weekly: { days, from, to, time_zone } }), over configured services.

#include <set>

#include "common/time_format.h"
#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {
namespace {

// `days`: "sat,sun", "mon-fri" or a list of those.
bool DaysText(YamlWalker& w, const Entry* e, const std::string& path, std::string* out) {
  if (e == nullptr || e->value.IsNull()) return false;
  if (!e->value.IsSequence()) return w.String(e, path, out);
  for (const YAML::Node& item : e->value) {
    if (!item.IsScalar()) {
      w.Report(item, path, "must be weekdays like [sat, sun] or mon-fri");
      return false;
    }
    if (!out->empty()) *out += ',';
    *out += item.Scalar();
  }
  return true;
}

void ParseWeekly(YamlWalker& w, const Entry& e, const std::string& path, MaintenanceWindow* out) {
  auto m = w.Mapping(e.value, path, {"days", "from", "to", "time_zone"});
  if (!m) return;
  std::string days, from, to, zone;
  DaysText(w, Find(*m, "days"), Join(path, "days"), &days);
  w.String(Find(*m, "from"), Join(path, "from"), &from);
  w.String(Find(*m, "to"), Join(path, "to"), &to);
  w.String(Find(*m, "time_zone"), Join(path, "time_zone"), &zone);
  Result<WeeklyMaintenance> weekly = ParseWeeklyMaintenance(days, from, to, zone);
  if (weekly.ok()) {
    out->weekly = std::move(*weekly);
    return;
  }
  for (const FieldError& f : weekly.error().fields) {
    const std::string key = f.pointer.substr(f.pointer.rfind('/') + 1);  // "/weekly/days"
    const Entry* at = Find(*m, key);
    w.Report(at != nullptr ? at->value : e.value, Join(path, key), f.detail);
  }
}

// `start` / `end`: an RFC 3339 instant.
bool Instant(YamlWalker& w, const Entries& m, const YAML::Node& node, const std::string& path,
             std::string_view key, TimePoint* out) {
  std::string text;
  if (!w.RequiredString(m, node, path, key, &text)) return false;
  Result<TimePoint> t = ParseRfc3339(text);
  if (!t.ok()) {
    w.Report(Find(m, key)->value, Join(path, std::string(key)),
             "must be an RFC 3339 time such as 2026-12-24T18:00:00Z");
    return false;
  }
  *out = *t;
  return true;
}

}  // namespace

void ParseMaintenance(YamlWalker& w, const Entry& section,
                      const std::vector<ServiceConfig>& services,
                      std::vector<MaintenanceWindow>* out) {
  std::set<std::string> service_ids;
  for (const ServiceConfig& s : services) service_ids.insert(s.service.id);
  std::map<std::string, int> seen_ids;
  w.ParseItems(
      section, "maintenance", "maintenance windows ({ id, services, reason, start, end })", out,
      [&](const YAML::Node& node, const std::string& path, MaintenanceWindow* mw) {
        mw->source = kMaintenanceFromConfig;
        mw->created_by = "config";
        auto m = w.Mapping(node, path, {"id", "services", "reason", "start", "end", "weekly"});
        if (!m) return;
        if (w.RequiredString(*m, node, path, "id", &mw->config_id)) {
          w.ValidUniqueId(&seen_ids, mw->config_id, IsValidServiceId(mw->config_id), kServiceIdRule,
                          Find(*m, "id")->value, Join(path, "id"), "maintenance window");
        }
        const Entry* list = Find(*m, "services");
        if (list == nullptr || list->value.IsNull()) {
          w.Report(node, Join(path, "services"), "is required (a list of service ids)");
        } else {
          w.ForEachItem(*list, Join(path, "services"), "service ids",
                        [&](const YAML::Node& item, const std::string& item_path) {
                          if (!item.IsScalar() || service_ids.count(item.Scalar()) == 0) {
                            w.Report(item, item_path, "is not a service of services:");
                            return;
                          }
                          mw->services.push_back(item.Scalar());
                        });
        }
        if (!w.RequiredString(*m, node, path, "reason", &mw->reason)) return;
        if (const Entry* weekly = Find(*m, "weekly")) {
          if (Find(*m, "start") != nullptr || Find(*m, "end") != nullptr) {
            w.Report(node, path, "set either weekly or start and end, not both");
            return;
          }
          ParseWeekly(w, *weekly, Join(path, "weekly"), mw);
          return;
        }
        const bool start = Instant(w, *m, node, path, "start", &mw->start);
        const bool end = Instant(w, *m, node, path, "end", &mw->end);
        if (start && end && mw->end <= mw->start) {
          w.Report(Find(*m, "end")->value, Join(path, "end"), "must be after start");
        }
      });
}

}  // namespace loom::config
