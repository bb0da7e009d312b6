// The errors the store's database reports itself, and what a client is told instead.
//
// The SQL layer (store/sql/db.h) words every error of the database — a statement refused, a
// constraint the writer did not expect to break, a connection lost, a timeout — as
// kDatabaseErrorPrefix followed by the driver's own message (SQL text, table and constraint names,
// libpq's words), whatever its code. None of that is the client's fault nor for the client's eyes:
// the HTTP layer answers such an error with ClientViewOf's 503 (Retry-After) and the cause goes to
// the log, once per distinct cause and minute.
//
// Thread safety: safe from any thread.
#pragma once

#include <string_view>

#include "common/result.h"

namespace loom {

inline constexpr std::string_view kDatabaseErrorPrefix = "database: ";

// True when `error` is the database's own (see above).
bool IsDatabaseError(const Error& error);

// `error` itself, or — for a database error — kUnavailable with our own words ("the store could
// not complete the request; retry later"), after logging the cause (warn) unless the same cause
// was logged in the last minute.
Error ClientViewOf(const Error& error);

}  // namespace loom
