// OnCallStore: the on-call role of the store — schedule overrides and the configured users.
// Writes and reads follow store/callback.h.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "core/schedule_override.h"
#include "core/user.h"
#include "store/callback.h"

namespace loom {

class OnCallStore {
 public:
  virtual ~OnCallStore() = default;

  // Stores an override; answers it with its id and created_at set. kInvalidArgument when
  // from >= to. The caller checks that the schedule and the user exist.
  virtual void CreateOverride(ScheduleOverride override, Callback<ScheduleOverride> done) = 0;
  // Deletes override `id`: true when it existed; kNotFound otherwise.
  virtual void DeleteOverride(int64_t id, Callback<bool> done) = 0;
  // Every stored override, by id.
  virtual Result<std::vector<ScheduleOverride>> ListOverrides() = 0;
  // Start-up seeding from the configuration: creates or updates each user (name, email, time
  // zone, contact methods). Users missing from the file are kept (stored overrides may name
  // them). Synchronous because it runs before serving.
  virtual Status UpsertConfiguredUsers(const std::vector<User>& users) = 0;
};

}  // namespace loom
