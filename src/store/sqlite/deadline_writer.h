// DeadlineWriter: the SQL of the escalation engine's durable state — deadlines and the
// notification outbox — for the SQLite writer, plus the bookkeeping that tells the engine about
// deadlines once (and only once) their transaction committed.
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
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace loom::sqlite {

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

  // Inserts `deadline` (its id is assigned) and remembers it for the listener.
  Result<Deadline> Insert(Deadline deadline, TimePoint now);
  Status Cancel(int64_t incident_number, DeadlineFamily family, TimePoint now);
  // The deadline when it has neither fired nor been cancelled.
  Result<std::optional<Deadline>> FindPending(int64_t id);
  Status MarkFired(int64_t id, TimePoint now);
  // False when an entry with the same unique_key exists (nothing inserted).
  Result<bool> InsertOutbox(const OutboxEntry& entry, TimePoint now);
  // When the incident's newest status update was posted, if any.
  Result<std::optional<TimePoint>> LastStatusUpdate(int64_t incident_number);

  // Transaction bookkeeping, called by the writer's TransactionControl steps.
  void BeginBatch() { created_.clear(); }
  void BeginCommand() { command_start_ = created_.size(); }
  void RollbackCommand() { created_.resize(command_start_); }
  void AbortBatch() { created_.clear(); }
  // After a successful COMMIT: tells the listener about the batch's new deadlines.
  void Committed();

  void SetListener(DeadlineListener listener);

 private:
  struct Statements;
  explicit DeadlineWriter(std::unique_ptr<Statements> st);

  std::unique_ptr<Statements> st_;
  std::vector<Deadline> created_;
  size_t command_start_ = 0;
  std::mutex listener_mu_;
  DeadlineListener listener_;  // GUARDED_BY(listener_mu_)
};

}  // namespace loom::sqlite
