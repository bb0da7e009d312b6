#include "store/sqlite/group_commit.h"

#include <bit>

namespace loom::sqlite {
namespace {

// Bucket i holds batch sizes in (2^(i-1), 2^i]; bucket 11 everything above 1024.
size_t BucketFor(size_t batch_size) {
  if (batch_size <= 1) return 0;
  size_t i = std::bit_width(batch_size - 1);  // smallest i with 2^i >= batch_size
  return i > 11 ? 11 : i;
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(TransactionControl& tx, size_t max_queue, size_t max_batch)
    : tx_(tx),
      max_queue_(max_queue < 1 ? 1 : max_queue),
      max_batch_(max_batch < 1 ? 1 : max_batch) {}

GroupCommitWriter::~GroupCommitWriter() { Shutdown(); }

void GroupCommitWriter::Start() {
  std::lock_guard shutdown_lock(shutdown_mu_);
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  accepting_ = true;
  thread_ = std::thread([this] { Run(); });
}

void GroupCommitWriter::Submit(std::unique_ptr<WriteCommand> command) {
  const char* refusal = nullptr;
  std::unique_ptr<WriteCommand> refused;  // answered outside the lock
  {
    std::lock_guard lock(mu_);
    if (!accepting_) {
      refusal = "the store is shut down";
      refused = std::move(command);
    } else if (queue_.size() >= max_queue_) {
      refusal = "the store's write queue is full; retry later";
      refused = std::move(command);
    } else {
      queue_.push_back(std::move(command));
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
}

Status GroupCommitWriter::Healthy() const {
  std::lock_guard lock(mu_);
  if (stopping_) return Error::Unavailable("the store is shut down");
  if (!failure_.empty()) return Error::Unavailable("the last commit failed: " + failure_);
  return OkStatus();
}

GroupCommitStats GroupCommitWriter::Stats() const {
  GroupCommitStats s;
  {
    std::lock_guard lock(mu_);
    s.queue_depth = static_cast<int64_t>(queue_.size());
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
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      size_t n = std::min(queue_.size(), max_batch_);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::RunBatch(std::vector<std::unique_ptr<WriteCommand>>& batch) {
  if (Status s = tx_.BeginBatch(); !s.ok()) {
    FailBatch(batch, s.error());
    return;
  }
  std::vector<char> applied(batch.size(), 0);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (Status s = tx_.BeginCommand(); !s.ok()) {
      FailBatch(batch, s.error());
      return;
    }
    const bool ok = batch[i]->Apply().ok();
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
  commits_.fetch_add(1);
  committed_commands_.fetch_add(static_cast<int64_t>(batch.size()));
  batch_sum_.fetch_add(static_cast<int64_t>(batch.size()));
  buckets_[BucketFor(batch.size())].fetch_add(1);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (applied[i]) batch[i]->Committed();
  }
  for (auto& command : batch) command->Complete(nullptr);
}

void GroupCommitWriter::FailBatch(std::vector<std::unique_ptr<WriteCommand>>& batch,
                                  const Error& cause) {
  tx_.AbortBatch();
  {
    std::lock_guard lock(mu_);
    failure_ = cause.message.empty() ? "unknown error" : cause.message;
  }
  Error error = Error::Unavailable("the store could not commit: " + cause.message);
  for (auto& command : batch) command->Complete(&error);
}

}  // namespace loom::sqlite
