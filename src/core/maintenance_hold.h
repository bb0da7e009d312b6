// MaintenanceHold: the maintenance a service is in at one instant, as core/maintenance.h
// MaintenanceHoldAt computes it from the maintenance windows. Kept apart from maintenance.h so
// that Incident (core/incident.h) can carry one without the window arithmetic.
//
// Thread safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"

namespace loom {

struct MaintenanceHold {
  std::vector<int64_t> windows;  // the windows in effect at that instant, by id (ascending)
  TimePoint until{};   // when the service leaves maintenance: back-to-back windows are merged
  std::string reason;  // the reason of the first window in `windows`
};

}  // namespace loom
