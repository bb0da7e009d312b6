// What the HTTP layer needs of the on-call picture: the Roster it reads, and how to rebuild its
// snapshot after an override changed. Wired by the server (server/server.cc), which owns the
// configuration the rebuild closes over.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "common/result.h"
#include "core/roster.h"
#include "core/schedule_override.h"

namespace loom {

struct OnCallDeps {
  // Null: /v1/oncall, /v1/schedules..., /v1/users and the calendar feeds answer 503.
  std::shared_ptr<Roster> roster;
  // Builds a snapshot of the configuration with these stored overrides; called after an override
  // was created or deleted, and the result replaces the roster's. Null: overrides cannot be
  // changed (503).
  std::function<Result<std::shared_ptr<const OnCallSnapshot>>(const std::vector<ScheduleOverride>&)>
      rebuild;
  // The stored overrides the roster was built with (OnCallStore::ListOverrides at start).
  std::vector<ScheduleOverride> stored_overrides;
};

}  // namespace loom
