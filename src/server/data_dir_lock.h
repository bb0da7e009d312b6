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
#include <utility>

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

// A data directory held for one start of the server (server/server.h): its lock and, when the
// start created the directory, the directory itself, which the claim removes (with what the start
// wrote there: the demo's fresh secrets) unless Served() was called — so that trying again after a
// failed start begins from where the user was. The removal runs while the lock is still held.
class DataDirClaim {
 public:
  DataDirClaim() = default;  // holds nothing
  // `created_dir`: the directory this start created ("" when it was there before).
  DataDirClaim(DataDirLock lock, std::string created_dir)
      : lock_(std::move(lock)), created_dir_(std::move(created_dir)) {}
  DataDirClaim(DataDirClaim&& other) noexcept;
  DataDirClaim& operator=(DataDirClaim&&) = delete;
  DataDirClaim(const DataDirClaim&) = delete;
  DataDirClaim& operator=(const DataDirClaim&) = delete;
  ~DataDirClaim();

  // The server started: the directory stays.
  void Served() { created_dir_.clear(); }

 private:
  DataDirLock lock_;
  std::string created_dir_;
};

}  // namespace loom
