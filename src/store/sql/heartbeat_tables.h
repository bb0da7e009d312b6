// The heartbeats table of the store (both back ends; core/heartbeat.h): plain functions over a
// connection — the writer's (inside a command) or a pooled read connection.
//
// Thread safety: as the Connection passed in (one thread at a time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/heartbeat.h"
#include "store/sql/db.h"

namespace loom::sql {

// The heartbeat with `id`; nullopt when there is none.
Result<std::optional<Heartbeat>> ReadHeartbeat(Connection& db, const std::string& id);
// The heartbeat of service `service_id` named `name`; nullopt when there is none.
Result<std::optional<Heartbeat>> ReadHeartbeatByName(Connection& db, const std::string& service_id,
                                                     const std::string& name);
// Every heartbeat, by service and id.
Result<std::vector<Heartbeat>> ReadHeartbeats(Connection& db);

// ---- writes (REQUIRES: on the writer's connection, inside a command) ----
Status InsertHeartbeat(Connection& db, const Heartbeat& hb);
// Writes every column of the row `hb.id` (it exists).
Status UpdateHeartbeat(Connection& db, const Heartbeat& hb);
// The ping of a healthy heartbeat: its last_ping_at only. Sent (Query::Send).
Status UpdateHeartbeatPing(Connection& db, const std::string& id, TimePoint at);
Status DeleteHeartbeatRow(Connection& db, const std::string& id);
// Cancels pending deadline `id` (a heartbeat's expiry) when it has not fired. No-op for 0.
Status CancelHeartbeatDeadline(Connection& db, int64_t id, TimePoint now);

}  // namespace loom::sql
