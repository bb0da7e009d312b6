#include "store/sql/wal_checkpointer.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace loom::sql {

Result<std::shared_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                Limits limits) {
  Result<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(path, /*read_only=*/false);
  if (!db.ok()) return std::move(db).error();
  // A connection learns that the database is in WAL mode when it first reads it; until then a
  // checkpoint does nothing at all.
  if (Status s = (*db)->Exec("PRAGMA journal_mode = WAL"); !s.ok()) return s.error();
  std::shared_ptr<WalCheckpointer> self(new WalCheckpointer(std::move(*db), limits));
  self->thread_ = std::thread([raw = self.get()] { raw->Run(); });
  return self;
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteConnection> db, Limits limits)
    : db_(std::move(db)), limits_(limits) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WalCheckpointer::Install(const std::shared_ptr<WalCheckpointer>& self,
                              SqliteConnection& writer) {
  writer.SetWalHook([self, &writer](int frames) { self->Committed(writer, frames); });
}

void WalCheckpointer::Committed(SqliteConnection& writer, int frames) {
  const int backfilled = backfilled_.load();
  // The writer checkpoints itself when the WAL reached its bound (the thread does not keep up),
  // or when the thread has copied all but the last few commits: then only those are left to
  // copy, and with everything checkpointed the next batch starts the WAL from its beginning.
  if (frames >= limits_.writer_frames ||
      (backfilled > 0 && frames - backfilled <= limits_.finish_frames)) {
    Result<SqliteConnection::CheckpointResult> done = writer.CheckpointPassive();
    if (done.ok() && !done->busy) writer_checkpoints_.fetch_add(1);
    backfilled_.store(0);
    return;
  }
  // The thread starts a round at start_frames, then follows the writer until it is close behind.
  if (frames < limits_.start_frames || frames - backfilled <= limits_.finish_frames) return;
  {
    std::lock_guard lock(mu_);
    wanted_ = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::Run() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
    }
    Result<SqliteConnection::CheckpointResult> done = db_->CheckpointPassive();
    if (done.ok() && done->busy) {
      // The writer is checkpointing itself: the next commit past the threshold asks again.
    } else if (done.ok()) {
      checkpoints_.fetch_add(1);
      backfilled_.store(done->checkpointed);
    } else {
      // The next commit past the threshold asks again; a lasting failure shows in /ready through
      // the writer's own commits.
      spdlog::warn("store: WAL checkpoint failed: {}", done.error().message);
    }
  }
}

}  // namespace loom::sql
