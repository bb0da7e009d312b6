// DeadlineStore: the deadlines role of the store — what the escalation engine
// (engine/escalation_engine.h) needs: the pending deadlines, firing one, and the hooks that tell
// it about new ones. Writes and reads follow store/callback.h.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/result.h"
#include "core/deadline.h"
#include "store/callback.h"

namespace loom {

// Called after each commit that created deadlines, on the writer's thread: must be quick.
using DeadlineListener = std::function<void(const std::vector<Deadline>&)>;

class DeadlineStore {
 public:
  virtual ~DeadlineStore() = default;

  // Fires deadline `id` once: when it is still pending, runs `handler` and applies its effects
  // with the deadline marked fired, in one transaction. Firing it again does nothing.
  virtual void FireDeadline(int64_t id, DeadlineHandler handler, Callback<DeadlineFiring> done) = 0;

  // Replaces the pending drill-due deadline (DeadlineKind::kDrillDue, incident_number 0) with
  // `deadline`: every pending one is cancelled and this one inserted, in one transaction.
  // Answers it with its id.
  virtual void ScheduleDrillDue(Deadline deadline, Callback<Deadline> done) = 0;

  // Every deadline not yet fired or cancelled, by due time.
  virtual Result<std::vector<Deadline>> PendingDeadlines() = 0;
  // The same for the incidents numbered `first` to `last` (inclusive) only: what one incident,
  // or one page of the list, shows as its due times (core/incident_view.h).
  virtual Result<std::vector<Deadline>> PendingDeadlinesOf(int64_t first, int64_t last) = 0;

  // Registers the engine's hooks, replacing earlier ones (null: none). `listener` is told about
  // each new deadline that is not yet due. `fire_now` decides deadlines that are due the moment
  // they are written (a new incident's first page, a re-armed escalation, a skipped empty role):
  // they are applied inside the transaction that creates them, with no row of their own.
  virtual void SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now) = 0;
};

}  // namespace loom
