// The on-call tables of the store (both back ends): users (seeded from the configuration) and
// schedule overrides (created through the API). Plain functions over a Connection so that the store
// runs the writes on its writer thread (inside the command's savepoint) and the reads on a pooled
// read connection.
//
// Thread safety: as the Connection passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/db.h"
#include "store/store.h"

namespace loom::sql {

// REQUIRES (all writes): inside a transaction on the write connection.
// Inserts `o` (its id and created_at are assigned); kInvalidArgument when from >= to.
Result<ScheduleOverride> InsertOverride(Connection& db, ScheduleOverride o, TimePoint now);
// kNotFound when no override has `id`.
Result<bool> DeleteOverride(Connection& db, int64_t id);
// Creates or updates each user.
Result<int64_t> UpsertUsers(Connection& db, const std::vector<User>& users, TimePoint now);

Result<std::vector<ScheduleOverride>> ReadOverrides(Connection& db);

}  // namespace loom::sql
