// `services[].probe:` — the LOOM node the availability playbook reads (docs/configuration.md
// "services[].probe").

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {

void ParseProbe(YamlWalker& w, const Entry& e, const std::string& path, ProbeConfig* out) {
  auto m = w.Mapping(e.value, path,
                     {"base_url", "admin_token_env", "interval", "timeout", "lag_threshold_ms"});
  if (!m) return;
  if (w.RequiredString(*m, e.value, path, "base_url", &out->base_url)) {
    if (std::string why = HttpUrlProblem(out->base_url); !why.empty()) {
      w.Report(Find(*m, "base_url")->value, Join(path, "base_url"), why);
    }
    while (out->base_url.ends_with('/')) out->base_url.pop_back();
  }
  w.EnvValue(Find(*m, "admin_token_env"), Join(path, "admin_token_env"), &out->admin_token_env,
             &out->admin_token);
  w.DurationValue(Find(*m, "interval"), Join(path, "interval"), false, &out->interval);
  w.DurationValue(Find(*m, "timeout"), Join(path, "timeout"), false, &out->timeout);
  if (out->interval < std::chrono::seconds(1)) {
    w.Report(Find(*m, "interval")->value, Join(path, "interval"), "must be at least 1s");
  }
  w.Int(Find(*m, "lag_threshold_ms"), Join(path, "lag_threshold_ms"), 1, 86'400'000,
        &out->lag_threshold_ms);
}

}  // namespace loom::config
