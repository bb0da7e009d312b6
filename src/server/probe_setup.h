// Builds the availability playbook's ProbeRunner (engine/probe_runner.h) from the configuration:
// one ProbedService per `services[].probe`, probing through libcurl under the `notify.allow_hosts`
// policy (a LOOM node on a loopback or private address must be listed there, like a webhook).
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "engine/probe_runner.h"
#include "store/incident_store.h"

namespace loom {

// Not started. kInvalidArgument for an allow_hosts entry the policy refuses. A probe URL the
// policy refuses is logged as a warning (each round then records the refusal).
Result<std::shared_ptr<ProbeRunner>> MakeProbeRunner(const Config& config, IncidentStore& store,
                                                     Clock& clock);

}  // namespace loom
