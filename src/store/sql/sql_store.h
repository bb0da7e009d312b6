// The store over the SQL layer (db.h), for either back end: the back end's open function
// (sqlite_store.h, postgres_store.h) opens and configures the write connection and says how to
// open read connections; everything else — migrations, the group-commit writer, the read pool,
// the service cache — is the same code.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "core/security_playbook.h"
#include "store/sql/db.h"
#include "store/sql/group_commit.h"
#include "store/sql/read_pool.h"
#include "store/store.h"

namespace loom::sql {

struct SqlStoreOptions {
  size_t max_queue = 100000;  // queued write commands before Ingest answers kUnavailable
  size_t max_batch = 4096;    // commands per group commit
  int read_connections = 4;
  ReadPool::Opener open_reader;
  // PostgreSQL: the URL the cluster watcher connects with (pg_cluster.h); empty (SQLite): this is
  // the only instance, and it leads from the start.
  std::string cluster_url;
  // SQLite: a commit is not fsynced; this makes every commit so far durable, and each write is
  // answered only after it ran (group_commit.h). Empty: a commit is durable by itself.
  GroupCommitWriter::SyncFn sync;
  SecurityPlaybookConfig security;  // the checklist template of security incidents
  // PostgreSQL: a cheap query on a connection of its own (postgres_store.cc). A thread of the
  // store runs it every kHealthPeriod; Writable() (and so /ready) fails while the last one
  // failed or none succeeded for kHealthStale — with writes or without. Empty (SQLite): none.
  std::function<Status()> health_check;
};

inline constexpr std::chrono::milliseconds kHealthPeriod{500};
inline constexpr std::chrono::milliseconds kHealthStale{1500};

// Migrates the database through `writer_db`, then serves. REQUIRES: `clock` outlives the store.
Result<std::unique_ptr<Store>> OpenSqlStore(std::unique_ptr<Connection> writer_db,
                                            const SqlStoreOptions& options, Clock& clock);

}  // namespace loom::sql
