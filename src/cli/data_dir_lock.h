// One data directory, one writing process: `serve`, `migrate` and `import` hold an exclusive
// flock(2) on <dir>/loom-oncall.lock for as long as they run, the file holding the holder's PID.
// The kernel drops the lock when the process ends, however it ends (kill -9 included), so a lock
// is never stale; the file itself stays (its presence means nothing, only the lock does).
// Read-only tools (`export`, `audit verify`) take no lock and work beside a running server.
//
// Only the SQLite store has a data directory to lock: several instances on one PostgreSQL
// database are supported by design (docs/operations.md).
#pragma once

#include <string>

#include "common/result.h"

namespace loom {

inline constexpr char kDataDirLockFile[] = "loom-oncall.lock";

class DataDirLock {
 public:
  DataDirLock() = default;  // holds nothing
  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

  // Takes the lock of `dir` (an existing directory) without waiting. When another process holds
  // it: kConflict "data directory 'DIR' is in use by another loom-oncall process (PID n); ...".
  static Result<DataDirLock> Acquire(const std::string& dir);

  bool held() const { return fd_ >= 0; }

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace loom
