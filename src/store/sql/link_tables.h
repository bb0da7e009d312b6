// The SQLite tables behind one-click links (src/notify/action_link.h): the single-use ids of the
// acknowledge links already used, and named settings (the generated link key). Plain functions
// over a Connection, like oncall_tables.h, so the store runs them on its writer thread inside the
// command's savepoint.
//
// Thread safety: as the Connection passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/db.h"

namespace loom::sql {

// REQUIRES (both): inside a transaction on the write connection.
// Records that link `nonce` was used on `incident_number`; kConflict kLinkAlreadyUsed
// (core/incident_command.h) when it was used before.
Status RecordUsedLink(Connection& db, const std::string& nonce, int64_t incident_number,
                      TimePoint now);
// The stored value of `name`, or `generate()` stored under it when there is none.
Result<std::string> GetOrCreateSetting(Connection& db, const std::string& name,
                                       const std::function<std::string()>& generate);

}  // namespace loom::sql
