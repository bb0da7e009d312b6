// The embedded default store: one SQLite file in WAL mode.
//
// One writer thread owns the write connection. Commands queue in a bounded queue; the writer
// takes everything queued (up to max_batch), runs each command in its own SAVEPOINT (a failing
// command rolls back alone) and commits once (synchronous=NORMAL); a sync thread fdatasyncs the
// WAL for every batch committed since its last sync, then calls each command's callback, while the
// writer runs the next batch (wal_sync.h). A checkpointer thread copies the WAL into the database
// file (wal_checkpointer.h). Readers use a small pool of read-only connections (WAL: readers never
// block the writer). Migrations run in Open().
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "core/security_playbook.h"
#include "store/store.h"

namespace loom {

struct SqliteOptions {
  std::string path;           // the database file; its directory must exist
  size_t max_queue = 100000;  // queued write commands before Ingest answers kUnavailable
  size_t max_batch = 4096;    // commands per group commit
  int read_connections = 4;
  SecurityPlaybookConfig security;  // the checklist template of security incidents
};

// REQUIRES: `clock` outlives the store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options, Clock& clock);

}  // namespace loom
