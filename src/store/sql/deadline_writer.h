// DeadlineWriter: the SQL of the escalation engine's durable state — deadlines and the
// notification outbox — for the store's writer (both back ends), plus the bookkeeping that tells
// the engine about deadlines once (and only once) their transaction committed.
//
// Every method runs inside the writer's transaction. Deadlines inserted by a command that rolls
// back (its savepoint or the whole batch) are forgotten with it.
//
// Thread safety: not thread-safe (writer thread only), except SetListener.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "common/result.h"
#include "store/sql/db.h"
#include "store/store.h"

namespace loom::sql {

// Which pending deadlines of an incident a state change cancels.
enum class DeadlineFamily {
  kEscalation,  // "escalate"
  kCadence,     // "cadence", "update_reminder", "update_due"
  kAll,
};

class DeadlineWriter {
 public:
  static Result<std::unique_ptr<DeadlineWriter>> Prepare(Connection& db);
  ~DeadlineWriter();

  // Inserts `deadline` (its id is assigned here, from SetNextIds) and remembers it for the
  // listener. The insert is sent (Query::Send).
  Result<Deadline> Insert(Deadline deadline, TimePoint now);
  // Cancel, MarkFired and CancelOutbox are sent (Query::Send): an error surfaces by the end of
  // the write command at the latest.
  Status Cancel(int64_t incident_number, DeadlineFamily family, TimePoint now);
  // The deadline when it has neither fired nor been cancelled.
  Result<std::optional<Deadline>> FindPending(int64_t id);
  // The incident's pending "escalate" deadline due first (its next escalation step), if any.
  Result<std::optional<Deadline>> NextEscalation(int64_t incident_number);
  Status MarkFired(int64_t id, TimePoint now);
  // False when an entry with the same unique_key exists (nothing inserted). Inserted rows are
  // remembered for the outbox listener. A row without next_attempt_at is due `now`. `fresh`: the
  // entry's incident was created in this command, so no row has its key yet and the insert is
  // sent (Query::Send) without waiting to learn whether it conflicted.
  Result<bool> InsertOutbox(const OutboxEntry& entry, TimePoint now, bool fresh = false);
  // Brings the pending row with `entry`'s unique key forward to entry.next_attempt_at when that
  // is earlier (the next contact method after a dead letter goes at once). True when it moved.
  Result<bool> AdvanceOutbox(const OutboxEntry& entry);
  // Cancels the incident's pending messages of one family (pages and tickets with the
  // escalation, reminders and notifies with the cadence); incident channel posts stay.
  Status CancelOutbox(int64_t incident_number, DeadlineFamily family, const char* reason);
  // Applies one delivery outcome to its row (attempts + 1 when attempted; the message id when
  // the row names none yet). False when the row is not pending.
  Result<bool> RecordDelivery(const DeliveryRecord& record, TimePoint now);
  // Puts a pending row that names no message yet into claim.message_id. False otherwise.
  Result<bool> ClaimOutbox(const OutboxClaim& claim);
  Status DisableDestination(const std::string& key, const std::string& reason, TimePoint now);
  // When the incident's newest status update was posted, if any.
  Result<std::optional<TimePoint>> LastStatusUpdate(int64_t incident_number);

  // The ids the next deadline and outbox row get (one more than the largest stored): read by the
  // writer with its own counters, at open and (PostgreSQL) at the start of every batch.
  void SetNextIds(int64_t next_deadline_id, int64_t next_outbox_id) {
    ids_ = {next_deadline_id, next_outbox_id};
    batch_ids_ = ids_;
  }
  // The same, read again between two commands of a batch (after a failed one): the ids the batch
  // took before stay its own.
  void ReloadNextIds(int64_t next_deadline_id, int64_t next_outbox_id) {
    ids_ = {next_deadline_id, next_outbox_id};
  }

  // The ids the batch has taken so far: [first, next).
  struct IdRange {
    int64_t first = 1, next = 1;
  };
  IdRange batch_deadline_ids() const { return {batch_ids_.deadline, ids_.deadline}; }
  IdRange batch_outbox_ids() const { return {batch_ids_.outbox, ids_.outbox}; }

  // Transaction bookkeeping, called by the writer's TransactionControl steps.
  void BeginBatch() {
    created_.clear();
    created_outbox_.clear();
    batch_ids_ = ids_;
  }
  void BeginCommand() {
    command_start_ = created_.size();
    command_outbox_start_ = created_outbox_.size();
    command_ids_ = ids_;
  }
  void RollbackCommand() {
    created_.resize(command_start_);
    created_outbox_.resize(command_outbox_start_);
    ids_ = command_ids_;
  }
  void AbortBatch() {
    created_.clear();
    created_outbox_.clear();
    ids_ = batch_ids_;
  }
  // After a successful COMMIT: hands over the telling of the listeners about the batch's new
  // deadlines and outbox rows (empty when there are none), to run once the batch is durable, on
  // any thread; the next batch starts.
  std::function<void()> Committed();
  // The batch's new deadlines and outbox rows so far (ids set), before Committed().
  const std::vector<Deadline>& created() const { return created_; }
  const std::vector<OutboxEntry>& created_outbox() const { return created_outbox_; }
  // Tells the listeners about deadlines and outbox rows another instance committed. Safe from
  // any thread.
  void Publish(const std::vector<Deadline>& deadlines, const std::vector<OutboxEntry>& outbox);

  void SetListener(DeadlineListener listener);
  void SetOutboxListener(OutboxListener listener);

 private:
  struct Statements;
  explicit DeadlineWriter(std::unique_ptr<Statements> st);

  struct Ids {
    int64_t deadline = 1;
    int64_t outbox = 1;
  };

  std::unique_ptr<Statements> st_;
  Ids ids_, batch_ids_, command_ids_;  // next ids; as of BeginBatch; as of BeginCommand
  std::vector<Deadline> created_;
  std::vector<OutboxEntry> created_outbox_;
  size_t command_start_ = 0;
  size_t command_outbox_start_ = 0;
  std::mutex listener_mu_;
  DeadlineListener listener_;       // GUARDED_BY(listener_mu_)
  OutboxListener outbox_listener_;  // GUARDED_BY(listener_mu_)
};

}  // namespace loom::sql
