// MaintenanceStore: the maintenance windows role of the store (core/maintenance.h,
// docs/maintenance.md) — the windows of the top-level `maintenance:` list and of /v1/maintenance.
//
// How a window silences paging: when the store hands an incident to a deadline handler (an
// escalation step firing, or due at once when the incident opens), it fills Incident::maintenance
// from the windows of the incident's service (MaintenanceHoldAt), and the engine's escalation rule
// (EscalationHeldBy) holds the step until the maintenance ends: the step's deadline is written
// again at the hold's end, marked held, with a "maintenance.held" timeline event. At that end it
// fires and pages as usual (after a restart too: a deadline in the past fires at start). Ending a
// window early brings the held deadlines of its services' incidents forward to now (each with a
// "maintenance.ended" event by the actor); the engine asks again then. A heartbeat_expire firing
// while its service is in maintenance re-arms instead of expiring (core/maintenance.h
// HeartbeatResumesAfter).
//
// Writes and reads follow store/callback.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/maintenance.h"
#include "store/callback.h"

namespace loom {

// What ending a window early did.
struct MaintenanceEnded {
  MaintenanceWindow window;       // as it is now (ended_at/ended_by set)
  std::vector<int64_t> released;  // incidents whose held escalation was brought forward to now
};

class MaintenanceStore {
 public:
  virtual ~MaintenanceStore() = default;

  // Creates `window` (source "api"; id and created_at set here; created_by as given).
  // kInvalidArgument (pointer "/services/N") for a service that does not exist, or when
  // ValidateMaintenanceWindow refuses it.
  virtual void CreateMaintenance(MaintenanceWindow window, Callback<MaintenanceWindow> done) = 0;
  // Ends window `id` now, by `actor`: a one-off window, or the occurrence of a weekly one in
  // effect. kNotFound for an unknown id; kConflict when no occurrence is in effect (not started:
  // delete it instead; over; cancelled).
  virtual void EndMaintenance(int64_t id, std::string actor, Callback<MaintenanceEnded> done) = 0;
  // Cancels window `id` before it starts, by `actor` (it stays listed as cancelled).
  // kNotFound for an unknown id; kConflict when it has started (end it instead), is over, is
  // cancelled already, or comes from the configuration file.
  virtual void CancelMaintenance(int64_t id, std::string actor,
                                 Callback<MaintenanceWindow> done) = 0;

  // Start-up, synchronous: stores `configured` (source "config", matched by config_id, created by
  // "config"); a configured window that changed or is no longer configured releases its held
  // escalations (as an early end by "config"); one no longer configured is cancelled.
  virtual Status ApplyConfiguredMaintenance(const std::vector<MaintenanceWindow>& configured) = 0;

  // ---- reads (synchronous, any thread) ----
  // Every window, by id.
  virtual Result<std::vector<MaintenanceWindow>> ListMaintenance() = 0;
  virtual Result<std::optional<MaintenanceWindow>> GetMaintenance(int64_t id) = 0;
};

}  // namespace loom
