// The PostgreSQL store, for several loom-oncall instances on one database (with PostgreSQL's own
// replication and failover underneath).
//
// The same store as SQLite's (sql_store.h) over PostgreSQL connections: one writer connection per
// instance, group commit, a pool of read connections, the same migrations (run under an advisory
// lock so that instances starting together apply them once). Every write batch takes a
// cluster-wide advisory transaction lock first, so the instances' batches apply one after another
// and each sees every commit before it — an escalation step or a deadline fired by two instances
// is applied once, the second finds it done.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "core/security_playbook.h"
#include "store/store.h"

namespace loom {

struct PostgresOptions {
  std::string url;                  // libpq connection URI; never logged (it may hold a password)
  int statement_timeout_ms = 5000;  // every statement; a stuck database fails fast (503)
  size_t max_queue = 100000;
  size_t max_batch = 4096;
  int read_connections = 4;
  SecurityPlaybookConfig security;
  // False for tools (migrate, audit verify): no watcher thread, so the store never takes the
  // lead from a running instance; its escalation engine and delivery are never started anyway.
  bool join_cluster = true;
};

// REQUIRES: `clock` outlives the store.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options, Clock& clock);

}  // namespace loom
