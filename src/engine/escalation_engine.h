// EscalationEngine: fires the deadlines of the store when they fall due.
//
// The deadlines table is the truth; the engine keeps a min-heap of (due, id) as a cache: filled
// from Store::PendingDeadlines() at start and from the store's listener after every commit that
// creates deadlines. Firing goes through Store::FireDeadline, which re-checks the deadline and the
// incident inside the transaction and applies DecideDeadline's effects atomically — so a crash can
// delay a deadline (it fires after the restart) but never lose or double it.
//
// Deadlines that are due the moment they are written (a new incident's first page, a re-armed
// escalation, the step after an empty role) never reach the heap: the store applies them inside
// the transaction that creates them, through the fire-now hook Load() registers.
//
// The heap orders deadlines by their steady-clock time (engine/deadline_loop.h), converted from the
// stored wall-clock due time when the deadline enters the heap: a step of the wall clock moves no
// escalation.
//
// Two ways to run it: Start(loop) fires on the process's deadline loop (production); RunDue()
// fires what is due at clock.Steady() and waits for the commits (tests with a FakeClock, and the
// loop callback's body).
//
// Thread safety: every public method is safe from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/roster.h"
#include "core/severity_policy.h"
#include "engine/deadline_loop.h"
#include "engine/stats.h"
#include "store/deadline_store.h"

namespace loom {

class EscalationEngine {
 public:
  struct Options {
    Duration retry_delay = std::chrono::seconds(1);  // after the store refused a firing (busy)
    size_t max_in_flight = 4096;                     // firings queued to the store at once
    // Called after each deadline fired (on the store's writer thread; keep it quick).
    std::function<void(int64_t id, TimePoint due, const DeadlineFiring&)> on_fired;
  };

  // `roster` may be null (nobody is on call anywhere).
  EscalationEngine(DeadlineStore& store, const Clock& clock,
                   std::shared_ptr<const SeverityPolicy> policy, std::shared_ptr<Roster> roster,
                   Options options);
  EscalationEngine(DeadlineStore& store, const Clock& clock,
                   std::shared_ptr<const SeverityPolicy> policy, std::shared_ptr<Roster> roster)
      : EscalationEngine(store, clock, std::move(policy), std::move(roster), Options{}) {}
  ~EscalationEngine();

  // Subscribes to new deadlines (once: the store's deadline hooks stay this engine's until it is
  // destroyed) and loads the pending ones: before Start/RunDue, and again after a Start() that
  // follows a Stop() (what is pending then may have changed). Reads nothing while stopped, nor
  // when it has read them since the last Stop().
  Status Load();
  // Fires on `loop` from now on. REQUIRES: `loop` outlives the next Stop() (the destructor's).
  void Start(DeadlineLoop& loop);
  // Takes the engine off the loop and waits for the firings already handed to the store to complete
  // (their callbacks use this object), then forgets every deadline and keeps none until Start()
  // (parked: another instance runs the engine). Idempotent. Start() runs it again (an instance
  // that leads again, see Store::SetLeadershipHooks); call Load() then to bring back what is
  // pending.
  void Stop();

  // Fires every deadline due at clock.Steady() — including those that firing makes due at once —
  // and returns after their transactions completed. Returns how many fired.
  size_t RunDue();

  EngineStats Stats() const;

 private:
  struct Entry {
    int64_t steady_us;  // when it fires: SteadyTime's count
    int64_t id;
    int64_t due_us;  // the stored due time (wall clock), for the lateness figures
    bool operator>(const Entry& o) const {
      return steady_us != o.steady_us ? steady_us > o.steady_us : id > o.id;
    }
  };

  void Add(const std::vector<Deadline>& deadlines);
  // Pops what is due now (up to max_in_flight - in flight); sets *next to the next deadline.
  std::vector<Entry> PopDue(std::optional<SteadyTime>* next);
  // Submits the firings; `done` (optional) runs once all of them completed.
  void Fire(std::vector<Entry> due, std::function<void()> done);
  void Completed(const Entry& e, const Result<DeadlineFiring>& r);
  // The loop timer's callback: fires what is due; answers when to look again.
  std::optional<SteadyTime> Tick();
  std::shared_ptr<const OnCallSnapshot> Snapshot() const;

  DeadlineStore& store_;
  const Clock& clock_;
  const std::shared_ptr<const SeverityPolicy> policy_;
  const std::shared_ptr<Roster> roster_;
  const Options options_;
  const std::shared_ptr<const OnCallSnapshot> empty_;  // when there is no roster

  mutable std::mutex mu_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;  // GUARDED_BY(mu_)
  size_t in_flight_ = 0;                                                      // GUARDED_BY(mu_)
  size_t callbacks_pending_ = 0;  // GUARDED_BY(mu_): store callbacks not yet returned
  bool parked_ = false;           // GUARDED_BY(mu_): stopped; new deadlines are not kept
  bool loaded_ = false;           // GUARDED_BY(mu_): the pending ones were read since the park
  std::condition_variable idle_;  // signalled when callbacks_pending_ drops to 0
  EngineStats stats_;             // GUARDED_BY(mu_), except pending

  std::once_flag hooks_installed_;
  std::atomic<bool> started_{false};
  LoopTimer timer_{[this] { return Tick(); }};  // last: detached before the rest goes
};

}  // namespace loom
