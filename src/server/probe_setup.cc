#include "server/probe_setup.h"

#include <spdlog/spdlog.h>

#include "notify/outbound_policy.h"

namespace loom {

Result<std::shared_ptr<ProbeRunner>> MakeProbeRunner(const Config& config, IncidentStore& store,
                                                     Clock& clock) {
  auto policy = OutboundPolicy::Create(config.notify.allow_hosts);
  if (!policy.ok()) return std::move(policy).error();
  std::vector<ProbedService> services;
  for (const ServiceConfig& s : config.services) {
    if (!s.probe) continue;
    const ProbeConfig& p = *s.probe;
    if (Status allowed = policy->CheckUrl(p.base_url); !allowed.ok()) {
      spdlog::warn("probe of service {}: {} (add the host to notify.allow_hosts)", s.service.id,
                   allowed.error().message);
    }
    ProbedService probed;
    probed.service_id = s.service.id;
    probed.target.base_url = p.base_url;
    probed.target.admin_token = p.admin_token;
    probed.target.timeout = p.timeout;
    probed.interval = p.interval;
    probed.thresholds.lag_ms = p.lag_threshold_ms;
    services.push_back(std::move(probed));
  }
  return std::make_shared<ProbeRunner>(store, clock, std::make_shared<CurlProbeHttp>(*policy),
                                       std::move(services));
}

}  // namespace loom
