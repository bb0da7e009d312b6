// The SQLite store's schema as an ordered list of migrations.
//
// Migration k (1-based) is applied once, in its own transaction, together with the row
// (k, applied_at) in schema_migrations. Shipped migrations are never edited: a schema change is a
// new entry at the end of the list.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sqlite/sqlite_db.h"

namespace loom::sqlite {

// The migrations, oldest first; entry i is version i + 1.
const std::vector<std::string_view>& Migrations();

// The highest applied version (0 for an empty database).
Result<int64_t> SchemaVersion(Connection& db);

// Applies every migration newer than the database's version. kInternal when the database has a
// version this binary does not know (written by a newer loom-oncall).
// REQUIRES: `db` is the only writer (called from Open before the writer thread starts).
Status Migrate(Connection& db, TimePoint now);

}  // namespace loom::sqlite
