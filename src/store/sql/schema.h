// The store's schema as an ordered list of migrations, one list for both back ends.
//
// Migration k (1-based) is applied once, in its own transaction, together with the row
// (k, applied_at) in schema_migrations. Shipped migrations are never edited: a schema change is a
// new entry at the end of the list. They are written in SQLite's DDL; PostgreSQL gets them through
// DialectDdl (64-bit integers, identity keys, BYTEA).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/db.h"

namespace loom::sql {

// The migrations, oldest first; entry i is version i + 1.
const std::vector<std::string_view>& Migrations();

// `ddl` (SQLite's DDL of the migrations) as `dialect` spells it.
std::string DialectDdl(Dialect dialect, std::string_view ddl);

// The highest applied version (0 for an empty database).
Result<int64_t> SchemaVersion(Connection& db);

// Applies every migration newer than the database's version. kInternal when the database has a
// version this binary does not know (written by a newer loom-oncall).
// Several instances may start at once on one PostgreSQL database: there the migrations run under
// an advisory lock, so one instance applies them and the others find them applied.
Status Migrate(Connection& db, TimePoint now);

}  // namespace loom::sql
