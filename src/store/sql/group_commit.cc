#include "store/sql/group_commit.h"

#include <bit>
#include <optional>
#include <utility>

#include "store/database_error.h"

namespace loom::sql {
namespace {

// Bucket i holds batch sizes in (2^(i-1), 2^i]; bucket 11 everything above 1024.
size_t BucketFor(size_t batch_size) {
  if (batch_size <= 1) return 0;
  size_t i = std::bit_width(batch_size - 1);  // smallest i with 2^i >= batch_size
  return i > 11 ? 11 : i;
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(TransactionControl& tx, size_t max_queue, size_t max_batch,
                                     SyncFn sync)
    : tx_(tx),
      max_queue_(max_queue < 1 ? 1 : max_queue),
      max_batch_(max_batch < 1 ? 1 : max_batch),
      sync_(std::move(sync)) {}

GroupCommitWriter::~GroupCommitWriter() { Shutdown(); }

void GroupCommitWriter::Start() {
  std::lock_guard shutdown_lock(shutdown_mu_);
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  accepting_ = true;
  if (sync_) sync_thread_ = std::thread([this] { RunSync(); });
  thread_ = std::thread([this] { Run(); });
}

void GroupCommitWriter::Submit(std::unique_ptr<WriteCommand> command, bool urgent) {
  const char* refusal = nullptr;
  std::unique_ptr<WriteCommand> refused;  // answered outside the lock
  {
    std::lock_guard lock(mu_);
    auto& queue = urgent ? urgent_ : queue_;
    if (!accepting_) {
      refusal = "the store is shut down";
      refused = std::move(command);
    } else if (queue.size() >= max_queue_) {
      refusal = "the store's write queue is full; retry later";
      refused = std::move(command);
    } else {
      queue.push_back(std::move(command));
      if (urgent) urgent_waiting_.store(true, std::memory_order_relaxed);
    }
  }
  if (refused) {
    Error error = Error::Unavailable(refusal);
    refused->Complete(&error);
    return;
  }
  wake_.notify_one();
}

void GroupCommitWriter::Shutdown() {
  std::lock_guard shutdown_lock(shutdown_mu_);
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  // The writer handed over its last batch: the sync thread answers it, then stops.
  {
    std::lock_guard lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_wake_.notify_one();
  if (sync_thread_.joinable()) sync_thread_.join();
}

Status GroupCommitWriter::Healthy() const {
  std::lock_guard lock(mu_);
  if (stopping_) return Error::Unavailable("the store is shut down");
  if (!failure_.empty()) return Error::Unavailable("the last commit failed: " + failure_);
  if (!sync_failure_.empty()) {
    return Error::Unavailable("the last commit could not be made durable: " + sync_failure_);
  }
  return OkStatus();
}

GroupCommitStats GroupCommitWriter::Stats() const {
  GroupCommitStats s;
  {
    std::lock_guard lock(mu_);
    s.queue_depth = static_cast<int64_t>(queue_.size() + urgent_.size());
  }
  s.commits = commits_.load();
  s.committed_commands = committed_commands_.load();
  s.batch_size_sum = batch_sum_.load();
  int64_t cumulative = 0;
  for (size_t i = 0; i < 12; ++i) {
    cumulative += buckets_[i].load();
    s.batch_size_buckets[i] = cumulative;
  }
  return s;
}

void GroupCommitWriter::Run() {
  std::vector<std::unique_ptr<WriteCommand>> batch;
  while (true) {
    size_t urgent_head = 0;  // the batch's first commands that came from the urgent queue
    {
      std::unique_lock lock(mu_);
      auto ready = [this] { return !queue_.empty() || !urgent_.empty() || stopping_; };
      if (failure_.empty()) {
        wake_.wait(lock, ready);
      } else if (!wake_.wait_for(lock, kRetryAfterFailure, ready)) {
        // Unhealthy and idle: an empty transaction, so that Healthy() (and /ready) recovers by
        // itself once the database is back, without waiting for the next write.
        lock.unlock();
        RunBatch(batch, 0);
        continue;
      }
      if (queue_.empty() && urgent_.empty()) return;  // stopping, and everything queued is done
      // Urgent commands first: they never wait behind a backlog of ordinary ones.
      for (auto* queue : {&urgent_, &queue_}) {
        while (!queue->empty() && batch.size() < max_batch_) {
          batch.push_back(std::move(queue->front()));
          queue->pop_front();
        }
        if (queue == &urgent_) urgent_head = batch.size();
      }
      urgent_waiting_.store(!urgent_.empty(), std::memory_order_relaxed);
    }
    RunBatch(batch, urgent_head);
    batch.clear();
  }
}

void GroupCommitWriter::RunBatch(std::vector<std::unique_ptr<WriteCommand>>& batch,
                                 size_t urgent_head) {
  if (Status s = tx_.BeginBatch(); !s.ok()) {
    FailBatch(batch, s.error());
    return;
  }
  std::vector<char> applied(batch.size(), 0);
  bool cut = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!cut && i > urgent_head && urgent_waiting_.load(std::memory_order_relaxed)) {
      // An urgent command arrived while this batch runs its ordinary commands (at least one of
      // them, so that ordinary work always progresses): hand the ordinary commands not yet
      // applied back to the front of the queue, take the urgent ones, and commit at once.
      cut = true;
      std::lock_guard lock(mu_);
      for (size_t j = batch.size(); j > i; --j) queue_.push_front(std::move(batch[j - 1]));
      batch.resize(i);
      while (!urgent_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(urgent_.front()));
        urgent_.pop_front();
      }
      urgent_waiting_.store(!urgent_.empty(), std::memory_order_relaxed);
      applied.resize(batch.size(), 0);
      if (i == batch.size()) break;
    }
    if (Status s = tx_.BeginCommand(); !s.ok()) {
      FailBatch(batch, s.error());
      return;
    }
    bool ok = batch[i]->Apply().ok();
    if (ok) {
      if (Status finished = tx_.FinishCommand(); !finished.ok()) {
        batch[i]->Failed(finished.error());
        ok = false;
      }
    }
    if (Status s = tx_.EndCommand(ok); !s.ok()) {
      FailBatch(batch, s.error());
      return;
    }
    applied[i] = ok ? 1 : 0;
  }
  if (Status s = tx_.CommitBatch(); !s.ok()) {
    FailBatch(batch, s.error());
    return;
  }
  {
    std::lock_guard lock(mu_);
    failure_.clear();
  }
  if (batch.empty()) return;  // the retry after a failure: not a commit of anything
  commits_.fetch_add(1);
  committed_commands_.fetch_add(static_cast<int64_t>(batch.size()));
  batch_sum_.fetch_add(static_cast<int64_t>(batch.size()));
  buckets_[BucketFor(batch.size())].fetch_add(1);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (applied[i]) batch[i]->Committed();
  }
  CommittedBatch committed{std::move(batch), tx_.TakeAfterDurable()};
  batch.clear();
  if (!sync_) {
    Answer(committed, nullptr);  // CommitBatch was durable by itself
    return;
  }
  {
    std::lock_guard lock(sync_mu_);
    to_sync_.push_back(std::move(committed));
  }
  sync_wake_.notify_one();
}

void GroupCommitWriter::RunSync() {
  std::vector<CommittedBatch> batches;
  while (true) {
    {
      std::unique_lock lock(sync_mu_);
      sync_wake_.wait(lock, [this] { return !to_sync_.empty() || sync_stopping_; });
      if (to_sync_.empty()) return;  // stopping, and every batch is answered
      batches.swap(to_sync_);
    }
    // One sync for every batch committed before it started.
    Status synced = sync_();
    std::optional<Error> failure;
    {
      std::lock_guard lock(mu_);
      if (synced.ok()) {
        sync_failure_.clear();
      } else {
        sync_failure_ = synced.error().message.empty() ? "unknown error" : synced.error().message;
        failure = Error::Unavailable("the store could not make the commit durable: " +
                                     synced.error().message);
      }
    }
    for (CommittedBatch& b : batches) Answer(b, failure ? &*failure : nullptr);
    batches.clear();
  }
}

void GroupCommitWriter::Answer(CommittedBatch& batch, const Error* failure) {
  // The rows are committed either way: others must hear of them even when the sync failed.
  if (batch.after_durable) batch.after_durable();
  for (auto& command : batch.commands) command->Complete(failure);
}

void GroupCommitWriter::FailBatch(std::vector<std::unique_ptr<WriteCommand>>& batch,
                                  const Error& cause) {
  tx_.AbortBatch();
  {
    std::lock_guard lock(mu_);
    failure_ = cause.message.empty() ? "unknown error" : cause.message;
  }
  // kUnavailable whatever the cause: the client may send it again. The database's own words stay
  // marked as such (database_error.h), so that no client is shown them.
  Error error = IsDatabaseError(cause)
                    ? Error{ErrorCode::kUnavailable, cause.message, {}}
                    : Error::Unavailable("the store could not commit: " + cause.message);
  for (auto& command : batch) command->Complete(&error);
}

}  // namespace loom::sql
