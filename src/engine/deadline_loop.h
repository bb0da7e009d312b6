// DeadlineLoop: the one thread of the process that waits for time to pass. The escalation
// engine, the outbox scheduler and the probe worker each hold a LoopTimer on it rather than a
// thread and a wake-up loop of their own (docs/THREADS.md).
//
// A timer is a callback and at most one deadline. Deadlines are readings of the monotonic clock
// (Clock::Steady), so a step of the wall clock moves none of them; code that knows a wall-clock due
// time (the stores keep those) converts it once, when it schedules it (SteadyDeadline in
// common/clock.h). The loop runs a timer's callback once its deadline has passed, on the loop
// thread, one callback at a time, earliest deadline first (equal deadlines: the one scheduled
// first). The callback answers when it is due next (nullopt: not until scheduled again); a
// Schedule made while it runs is kept when it is earlier than that answer. Callbacks must be quick:
// they decide and hand work off (to the store's writer, to a worker thread), never block on I/O.
//
// Two ways to run it: Start() runs the loop thread (production); RunDue() runs on the calling
// thread what is due at clock.Steady() (tests with a FakeClock). The thread waits on the real
// steady clock for the time from clock.Steady() to the next deadline; after a test moved a
// FakeClock, Recheck() makes the thread read the clock again.
//
// Thread safety: every public method is safe from any thread. Cancel and Remove return once the
// timer's callback is not running (unless called from that callback).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace loom {

class DeadlineLoop {
 public:
  using TimerId = uint64_t;
  // Runs on the loop when the timer falls due; answers its next deadline (nullopt: none).
  using Callback = std::function<std::optional<SteadyTime>()>;

  // REQUIRES: `clock` outlives the loop.
  explicit DeadlineLoop(const Clock& clock);
  DeadlineLoop(const DeadlineLoop&) = delete;
  DeadlineLoop& operator=(const DeadlineLoop&) = delete;
  // Stop().
  ~DeadlineLoop();

  // A new timer, not scheduled.
  TimerId Add(Callback callback);
  // Forgets the timer: its callback does not run again. Unknown ids are ignored.
  void Remove(TimerId id);
  // Schedules the timer at `deadline`, replacing its earlier deadline (earlier or later).
  void Schedule(TimerId id, SteadyTime deadline);
  // Schedules the timer now: its callback runs as soon as the loop gets to it.
  void Wake(TimerId id) { Schedule(id, clock_.Steady()); }
  // Unschedules the timer (its callback's answer, if it is running, is dropped too).
  void Cancel(TimerId id);
  // The timer's deadline; nullopt when it is not scheduled or unknown.
  std::optional<SteadyTime> Deadline(TimerId id) const;

  // Starts the loop thread. No-op when it runs.
  void Start();
  // Stops the thread after the callback it runs returns; the timers and their deadlines stay
  // (a later Start or RunDue runs them). Idempotent.
  void Stop();
  // Makes the thread read the clock again (a test's FakeClock moved).
  void Recheck();

  // Runs, on this thread, the callbacks due at clock.Steady() as read on entry, including those
  // that become due by that time while it runs. Returns how many ran. REQUIRES: not Start()ed.
  size_t RunDue();

  const Clock& clock() const { return clock_; }

 private:
  struct Timer {
    Callback callback;
    std::optional<SteadyTime> deadline;
    uint64_t seq = 0;      // of the heap entry that stands for `deadline`
    uint64_t cancels = 0;  // Cancel() calls: a callback that ran across one is not rescheduled
  };
  struct Entry {
    SteadyTime deadline;
    uint64_t seq;  // schedule order: breaks ties; a stale entry's seq is not its timer's
    TimerId id;
    bool operator>(const Entry& o) const {
      return deadline != o.deadline ? deadline > o.deadline : seq > o.seq;
    }
  };

  void ScheduleLocked(TimerId id, Timer& timer, SteadyTime deadline);
  // The first live heap entry (stale ones popped); nullptr when none.
  const Entry* Top();
  // Runs the callback of the first entry due at `now`, unlocking `lock` meanwhile. False when
  // nothing is due.
  bool RunOne(std::unique_lock<std::mutex>& lock, SteadyTime now);
  // Waits until the timer `id`'s callback is not running (unless this thread runs it).
  void WaitIdle(std::unique_lock<std::mutex>& lock, TimerId id);
  void Loop();

  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable changed_;  // a schedule, a recheck or a stop: the thread looks again
  std::condition_variable idle_;     // a callback returned
  std::map<TimerId, Timer> timers_;  // GUARDED_BY(mu_)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;  // GUARDED_BY(mu_)
  TimerId next_id_ = 1;                                                  // GUARDED_BY(mu_)
  uint64_t next_seq_ = 1;                                                // GUARDED_BY(mu_)
  uint64_t changes_ = 0;    // GUARDED_BY(mu_): bumped on every schedule and recheck
  TimerId running_ = 0;     // GUARDED_BY(mu_): the timer whose callback runs; 0 = none
  std::thread::id runner_;  // GUARDED_BY(mu_): the thread that runs it
  bool stopping_ = false;   // GUARDED_BY(mu_)
  std::thread thread_;
};

// LoopTimer: one client's timer on a DeadlineLoop, attached while the client runs (the engine,
// the outbox scheduler, the probe worker between their Start and Stop).
//
// Thread safety: every method is safe from any thread; the callback may call Wake and Schedule.
class LoopTimer {
 public:
  explicit LoopTimer(DeadlineLoop::Callback callback) : callback_(std::move(callback)) {}
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;
  // Detach().
  ~LoopTimer() { Detach(); }

  // Puts the timer on `loop`, due at once. No-op when attached.
  // REQUIRES: `loop` outlives the attachment.
  void Attach(DeadlineLoop& loop);
  // Takes it off: once this returns the callback is not running (unless this is called from it)
  // and does not run again until the next Attach. Idempotent.
  void Detach();
  // Runs the callback as soon as the loop gets to it. No-op while detached.
  void Wake();
  // Runs the callback at `deadline` (replacing the earlier deadline). No-op while detached.
  void Schedule(SteadyTime deadline);

 private:
  const DeadlineLoop::Callback callback_;
  std::mutex mu_;                 // held while calling into the loop (never the other way)
  DeadlineLoop* loop_ = nullptr;  // GUARDED_BY(mu_)
  DeadlineLoop::TimerId id_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace loom
