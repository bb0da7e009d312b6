// WalCheckpointer: checkpoints a SQLite database's WAL on a thread of its own, so that the writer
// thread does not copy pages into the database file (and fsync it) between two batches.
//
// The writer connection's WAL hook tells it the WAL's length after each commit. Once the WAL
// holds `start_frames` frames, the checkpointer thread runs PASSIVE checkpoints on its own
// connection, copying what no reader still needs while the writer goes on, until it is within
// `finish_frames` of the WAL's end. SQLite starts the WAL from its beginning again only at a
// commit that finds all of it checkpointed, which a thread running behind a busy writer never
// quite achieves; so then the writer checkpoints those last frames itself at its next commit.
// Should the WAL reach `writer_frames` (checkpoints that do not keep up), the writer checkpoints
// at that commit too, as SQLite's automatic checkpoint would have: the WAL stays bounded.
//
// A large `start_frames` means fewer checkpoints, each writing a hot page once for many commits
// that changed it (the ingest benchmark was fastest with 8,000, against SQLite's 1,000).
//
// Thread safety: the hook runs on the writer's thread; the counters are safe from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"
#include "store/sql/sqlite_db.h"

namespace loom::sql {

class WalCheckpointer {
 public:
  struct Limits {
    int start_frames = 8000;    // about 32 MiB of 4 KiB pages
    int finish_frames = 256;    // left for the writer to copy
    int writer_frames = 32000;  // about 128 MiB
  };

  // Opens the checkpointer's own connection to `path` and starts its thread.
  static Result<std::shared_ptr<WalCheckpointer>> Start(const std::string& path, Limits limits);
  // Makes `writer`'s commits report to `self` (replacing SQLite's automatic checkpoint). The hook
  // keeps `self` alive as long as `writer`.
  static void Install(const std::shared_ptr<WalCheckpointer>& self, SqliteConnection& writer);

  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;
  // Stops and joins the thread.
  ~WalCheckpointer();

  int64_t checkpoints() const { return checkpoints_.load(); }  // by the checkpointer thread
  int64_t writer_checkpoints() const { return writer_checkpoints_.load(); }

 private:
  WalCheckpointer(std::unique_ptr<SqliteConnection> db, Limits limits);
  void Run();
  void Committed(SqliteConnection& writer, int frames);

  std::unique_ptr<SqliteConnection> db_;  // the checkpointer thread's only
  const Limits limits_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool wanted_ = false;    // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  // Frames of the current WAL the thread has checkpointed (0: none, or the WAL restarted).
  std::atomic<int> backfilled_{0};
  std::atomic<int64_t> checkpoints_{0};
  std::atomic<int64_t> writer_checkpoints_{0};
  std::thread thread_;
};

}  // namespace loom::sql
