// The playbooks' settings: `security:` (the credential-rotation checklist) and `drills:`
// (docs/configuration.md "security" and "drills").

#include "config/config_sections.h"

namespace loom::config {

void ParseSecurity(YamlWalker& w, const Entry& section, SecurityPlaybookConfig* out) {
  auto m = w.Mapping(section.value, "security", {"rotate"});
  if (!m) return;
  const Entry* rotate = Find(*m, "rotate");
  if (rotate == nullptr) return;
  std::vector<std::string> names;
  w.ForEachItem(*rotate, "security.rotate", "credential names",
                [&](const YAML::Node& node, const std::string& path) {
                  if (!node.IsScalar()) return w.Report(node, path, "must be a string");
                  names.push_back(node.Scalar());
                });
  if (!rotate->value.IsSequence()) return;  // reported by ForEachItem
  out->rotate = std::move(names);
  for (const auto& [path, reason] : ValidateSecurityConfig(*out))
    w.Report(rotate->key, path, reason);
}

void ParseDrills(YamlWalker& w, const Entry& section, DrillSettings* out) {
  auto m = w.Mapping(section.value, "drills", {"dir", "every", "alternate", "service"});
  if (!m) return;
  if (w.String(Find(*m, "dir"), "drills.dir", &out->dir) && out->dir.empty()) {
    w.Report(Find(*m, "dir")->value, "drills.dir", "must not be empty");
  }
  std::string every;
  if (const Entry* e = Find(*m, "every"); w.String(e, "drills.every", &every)) {
    Result<DrillInterval> interval = ParseDrillInterval(every);
    if (interval.ok()) {
      out->every = *interval;
    } else {
      w.Report(e->value, "drills.every", interval.error().message);
    }
  }
  if (const Entry* e = Find(*m, "alternate"); e != nullptr && !e->value.IsNull()) {
    if (!e->value.IsSequence() || e->value.size() == 0) {
      w.Report(e->value, "drills.alternate", "must be a list of scenarios: availability, security");
    } else {
      out->alternate.clear();
      for (size_t i = 0; i < e->value.size(); ++i) {
        const YAML::Node& item = e->value[i];
        std::optional<IncidentKind> kind =
            item.IsScalar() ? ParseIncidentKind(item.Scalar()) : std::nullopt;
        if (!kind || *kind == IncidentKind::kOther) {
          w.Report(item, Index("drills.alternate", i),
                   "'" + (item.IsScalar() ? item.Scalar() : std::string("?")) +
                       "' is not a drill scenario (availability, security)");
          continue;
        }
        out->alternate.push_back(*kind);
      }
      if (out->alternate.empty()) out->alternate = DrillSettings().alternate;
    }
  }
  if (w.String(Find(*m, "service"), "drills.service", &out->service) && out->service.empty()) {
    w.Report(Find(*m, "service")->value, "drills.service", "must not be empty");
  }
}

}  // namespace loom::config
