// The SQLite side of the drill program: the one pending "drill due" deadline (deadlines table,
// kind "drill_due", no incident). Plain functions over a Connection, like link_tables.h, run on
// the writer's thread inside the command's savepoint.
//
// Thread safety: as the Connection passed in (one thread at a time).
#pragma once

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/db.h"

namespace loom::sql {

inline constexpr char kDrillDueKind[] = "drill_due";

// REQUIRES: inside a transaction on the write connection.
// Cancels every pending drill_due deadline (a newer schedule replaces them).
Status CancelPendingDrillDue(Connection& db, TimePoint now);

}  // namespace loom::sql
