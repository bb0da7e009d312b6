// GroupCommitWriter: one writer thread, a bounded queue of write commands, and group commit.
//
// Submit() never blocks: it queues the command, or — when the queue is full or the writer is
// shutting down — completes it at once, on the caller's thread, with kUnavailable.
//
// The writer thread takes everything queued (up to max_batch) and runs it as one transaction:
//   BeginBatch; for each command: BeginCommand, Apply, FinishCommand (after a successful Apply),
//   EndCommand(ok); CommitBatch;
//   then Committed() of every applied command; then, once the batch is durable, what the
//   transaction hands over for that moment (TakeAfterDurable) and Complete() of every command.
// With a `sync` function (SQLite: its commits reach the operating system but are not fsynced), a
// second thread makes committed batches durable: it runs `sync` once for every batch committed
// since its last run, then answers them in commit order, while the writer thread already runs
// the next batch. Without one, CommitBatch is durable itself and the writer thread answers.
// A command whose Apply fails is rolled back alone (its savepoint) and answers with its own error.
// If the transaction is lost (BEGIN, a savepoint or COMMIT fails, or SQLite rolled the
// transaction back by itself) every command of the batch answers kUnavailable and Healthy()
// reports the failure until a later commit succeeds — or, when nothing is queued, until an empty
// transaction the writer tries every second succeeds.
//
// Thread safety: Submit, Healthy, QueueDepth and the counters are safe from any thread. Apply,
// Committed and every TransactionControl method run on the writer thread only; Complete and the
// after-durable work run on the writer thread, or on the sync thread when there is one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace loom::sql {

class WriteCommand {
 public:
  virtual ~WriteCommand() = default;
  // Runs inside the command's savepoint. An error rolls the command back alone.
  virtual Status Apply() = 0;
  // Apply succeeded, but a statement it sent to be run later (Statement::Send) failed when the
  // command ended: the command answers `error` (and is rolled back alone).
  virtual void Failed(const Error& error) = 0;
  // After the batch committed, for each command whose Apply succeeded, before any Complete():
  // publish the change to in-memory caches so that readers see it once callbacks run.
  virtual void Committed() {}
  // Delivers the answer: `failure` when the batch could not be committed (or the command was
  // refused), otherwise the command's own result. Called exactly once.
  virtual void Complete(const Error* failure) = 0;
};

// The transaction steps, implemented by the owner of the write connection.
class TransactionControl {
 public:
  virtual ~TransactionControl() = default;
  virtual Status BeginBatch() = 0;
  virtual Status BeginCommand() = 0;
  // After a successful Apply: runs what the command sent to be run later. An error fails the
  // command alone.
  virtual Status FinishCommand() { return OkStatus(); }
  // Releases (ok) or rolls back (!ok) the command's savepoint. An error means the enclosing
  // transaction is lost.
  virtual Status EndCommand(bool ok) = 0;
  virtual Status CommitBatch() = 0;
  // Rolls the whole batch back (after a failure); must leave no transaction open.
  virtual void AbortBatch() = 0;
  // After a successful CommitBatch: what must wait until the batch is durable (telling others of
  // the batch's new work), to be run then, on any thread. May be empty.
  virtual std::function<void()> TakeAfterDurable() { return nullptr; }
};

struct GroupCommitStats {
  int64_t queue_depth = 0;
  int64_t commits = 0;
  int64_t committed_commands = 0;
  int64_t batch_size_buckets[12] = {};  // le 1,2,4,...,1024,+Inf (cumulative counts)
  int64_t batch_size_sum = 0;
};

class GroupCommitWriter {
 public:
  // While the last transaction failed and nothing is queued, an empty one is tried this often.
  static constexpr std::chrono::seconds kRetryAfterFailure{1};

  // Makes every commit so far durable (safe from any thread); see above.
  using SyncFn = std::function<Status()>;

  // REQUIRES: `tx` outlives the writer; max_queue >= 1, max_batch >= 1.
  GroupCommitWriter(TransactionControl& tx, size_t max_queue, size_t max_batch,
                    SyncFn sync = nullptr);
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  // Calls Shutdown().
  ~GroupCommitWriter();

  void Start();
  // Queues `command` or completes it at once with kUnavailable (queue full, shut down). An
  // `urgent` command (a due deadline) goes ahead of every ordinary one still queued, and a batch
  // running when it arrives stops taking ordinary commands and commits with it; each of the two
  // queues holds at most max_queue commands.
  void Submit(std::unique_ptr<WriteCommand> command, bool urgent = false);
  // Stops accepting, commits and answers what is queued, joins the threads. Idempotent.
  void Shutdown();

  // OK while running and the last transaction committed (and, with a sync function, the last
  // sync succeeded).
  Status Healthy() const;
  GroupCommitStats Stats() const;

 private:
  void Run();
  // `urgent_head`: how many of the batch's first commands are urgent.
  void RunBatch(std::vector<std::unique_ptr<WriteCommand>>& batch, size_t urgent_head);
  void FailBatch(std::vector<std::unique_ptr<WriteCommand>>& batch, const Error& cause);
  // A committed batch, waiting to be durable before it is answered.
  struct CommittedBatch {
    std::vector<std::unique_ptr<WriteCommand>> commands;
    std::function<void()> after_durable;
  };
  // Tells others of a durable batch's new work, then answers its commands (`failure`: the sync
  // failed).
  void Answer(CommittedBatch& batch, const Error* failure);
  // The sync thread: syncs once for every batch committed since its last sync, then answers them.
  void RunSync();

  TransactionControl& tx_;
  const size_t max_queue_;
  const size_t max_batch_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<WriteCommand>> queue_;   // GUARDED_BY(mu_)
  std::deque<std::unique_ptr<WriteCommand>> urgent_;  // GUARDED_BY(mu_)
  std::atomic<bool> urgent_waiting_{false};           // !urgent_.empty(), read without mu_
  bool accepting_ = false;                            // GUARDED_BY(mu_)
  bool stopping_ = false;                             // GUARDED_BY(mu_)
  std::string failure_;                               // GUARDED_BY(mu_); "" when healthy

  std::mutex shutdown_mu_;  // serialises Shutdown()
  std::thread thread_;

  const SyncFn sync_;
  std::mutex sync_mu_;
  std::condition_variable sync_wake_;
  std::vector<CommittedBatch> to_sync_;  // GUARDED_BY(sync_mu_)
  bool sync_stopping_ = false;           // GUARDED_BY(sync_mu_)
  std::string sync_failure_;             // GUARDED_BY(mu_); "" when the last sync succeeded
  std::thread sync_thread_;

  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> committed_commands_{0};
  std::atomic<int64_t> batch_sum_{0};
  std::atomic<int64_t> buckets_[12] = {};  // per-bucket (non-cumulative) counts
};

}  // namespace loom::sql
