// The maintenance_windows table of the store (both back ends; core/maintenance.h): plain
// functions over a connection — the writer's (inside a command) or a pooled read connection.
//
// Thread safety: as the Connection passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/maintenance.h"
#include "store/sql/db.h"

namespace loom::sql {

// Window `id`; nullopt when there is none.
Result<std::optional<MaintenanceWindow>> ReadMaintenanceWindow(Connection& db, int64_t id);
// Every window, by id.
Result<std::vector<MaintenanceWindow>> ReadMaintenanceWindows(Connection& db);
// The windows that may be in effect at `now` or later: not cancelled, and weekly or a one-off one
// whose end is after `now`.
Result<std::vector<MaintenanceWindow>> ReadCurrentMaintenanceWindows(Connection& db, TimePoint now);

// A pending escalate deadline that core/maintenance.h held (its payload names the windows under
// "held"), of an incident of the service asked for.
struct HeldEscalation {
  int64_t deadline_id = 0;
  int64_t incident_number = 0;
  std::string payload_json;
};
Result<std::vector<HeldEscalation>> ReadHeldEscalations(Connection& db,
                                                        const std::string& service_id);

// ---- writes (REQUIRES: on the writer's connection, inside a command) ----
// Inserts `w` (its id ignored); answers the id it got.
Result<int64_t> InsertMaintenanceWindow(Connection& db, const MaintenanceWindow& w);
// Writes every column of the row `w.id` (it exists).
Status UpdateMaintenanceWindow(Connection& db, const MaintenanceWindow& w);

}  // namespace loom::sql
