// `policy:` — overrides of the runbook's severity policy, each remembering the file and line it
// came from (docs/configuration.md "policy").

#include "config/config_sections.h"

namespace loom::config {
namespace {

// A policy duration ("5m", "15 minutes", "1 business hour"); false when absent or invalid.
bool PolicyDurationValue(YamlWalker& w, const Entry* e, const std::string& path,
                         PolicyDuration* out) {
  std::string text;
  if (!w.String(e, path, &text)) return false;
  auto parsed = ParsePolicyDuration(text);
  if (!parsed.ok()) {
    w.Report(e->value, path, parsed.error().message);
    return false;
  }
  *out = std::move(parsed).value();
  return true;
}

void ParseSeverityOverride(YamlWalker& w, const Entry& e, const std::string& path,
                           SeverityOverride* out) {
  auto m = w.Mapping(e.value, path, {"definition", "ack_target", "update_cadence", "page"});
  if (!m) return;
  if (const Entry* d = Find(*m, "definition"); d != nullptr) {
    std::string text;
    if (w.String(d, Join(path, "definition"), &text)) {
      out->definition = std::move(text);
      out->definition_source = w.ConfigSource(d->value);
    }
  }
  PolicyDuration duration;
  if (const Entry* d = Find(*m, "ack_target");
      PolicyDurationValue(w, d, Join(path, "ack_target"), &duration)) {
    out->ack_target = duration;
    out->ack_source = w.ConfigSource(d->value);
  }
  if (const Entry* d = Find(*m, "update_cadence");
      PolicyDurationValue(w, d, Join(path, "update_cadence"), &duration)) {
    out->update_cadence = duration;
    out->cadence_source = w.ConfigSource(d->value);
  }
  bool page = false;
  if (const Entry* d = Find(*m, "page"); w.Bool(d, Join(path, "page"), &page)) {
    out->page = page;
    out->page_source = w.ConfigSource(d->value);
  }
}

}  // namespace

void ParsePolicy(YamlWalker& w, const Entry& section, PolicyOverrides* out) {
  auto m = w.Mapping(section.value, "policy", {"severities", "repeat"});
  if (!m) return;
  if (const Entry* sevs = Find(*m, "severities")) {
    auto s = w.Mapping(sevs->value, "policy.severities", {"sev1", "sev2", "sev3", "sev4"});
    if (s) {
      for (const auto& [name, entry] : *s) {
        std::optional<Severity> sev = ParseSeverity(name);
        if (!sev) continue;  // Mapping() allowed only sev1..sev4
        ParseSeverityOverride(w, entry, "policy.severities." + name, &out->For(*sev));
      }
    }
  }
  int64_t repeat = 0;
  if (const Entry* r = Find(*m, "repeat"); w.Int(r, "policy.repeat", 0, 100, &repeat)) {
    out->repeat = static_cast<int>(repeat);
    out->repeat_source = w.ConfigSource(r->value);
  }
}

}  // namespace loom::config
