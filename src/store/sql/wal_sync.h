// WalSync: makes a SQLite database's commits durable from a thread other than its writer's.
//
// In WAL mode with synchronous=NORMAL, a commit writes its frames to the `-wal` file without an
// fsync (checkpoints still sync). An fdatasync of that file afterwards makes every commit written
// before it durable, as synchronous=FULL would have at each commit; the group-commit writer runs
// it on its sync thread, while the writer thread already runs the next batch.
//
// Thread safety: Sync() may run on any thread, one caller at a time.
#pragma once

#include <string>

#include "common/result.h"

namespace loom::sql {

class WalSync {
 public:
  explicit WalSync(const std::string& db_path);
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;
  ~WalSync();

  // fdatasync of the WAL file (opened at the first call, and again once it was deleted).
  Status Sync();

 private:
  Status Reopen();

  const std::string wal_path_;
  const std::string dir_;
  int fd_ = -1;
};

}  // namespace loom::sql
