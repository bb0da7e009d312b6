// Pages that take an acknowledgement back (Pushover, Telegram; core/push_page.h): StorePageLog
// remembers them in the store for the channels, and PushFollowUps settles them once their
// incident is no longer triggered — whoever acknowledged and however (the page's own button,
// another channel's link, the API, the console): Pushover's receipt is cancelled (its repeats
// stop), the Telegram message is edited to show the new state and who leads.
//
// The push_pages table is the truth: a page is settled when its row says so, so a settle that
// failed (the vendor answered 5xx or 429, the network is down) is tried again after a backoff
// (Retry-After honoured), after a restart too, until `retry.max_attempts`, then given up (the
// row keeps the last error). RunOnce settles what is due on the calling thread (tests, with a
// FakeClock); Start runs it on a thread of its own, woken by a timer on the deadline loop every
// `interval` (the loop never waits for a vendor).
//
// Thread safety: every public method is safe from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "engine/deadline_loop.h"
#include "engine/delivery_rules.h"
#include "notify/push_pages.h"
#include "store/push_store.h"

namespace loom {

// PushPageLog over the store: Remember waits for the write's commit.
class StorePageLog final : public PushPageLog {
 public:
  explicit StorePageLog(PushStore& store) : store_(store) {}
  Status Remember(std::vector<PushPage> pages) override;

 private:
  PushStore& store_;
};

class PushFollowUps {
 public:
  struct Options {
    Duration interval = std::chrono::seconds(2);  // how often the due pages are looked for
    RetryPolicy retry;                            // backoff and give-up of failed settles
    int batch = 100;                              // pages read at once
    std::function<double()> jitter;               // [0.5, 1.5); tests pass a constant
  };

  // `settlers`: by channel type name ("pushover", "telegram"); a page of a channel without one is
  // settled with nothing done.
  PushFollowUps(PushStore& store, const Clock& clock,
                std::map<std::string, std::shared_ptr<PushSettler>> settlers, Options options);
  ~PushFollowUps();

  // Settles every page due now and returns after the outcomes committed; answers how many
  // messages were attempted.
  size_t RunOnce();

  // Runs RunOnce every `interval` on a thread of its own, timed by `loop`. REQUIRES: `loop`
  // outlives the next Stop() (the destructor's).
  void Start(DeadlineLoop& loop);
  // Stops the timer and the thread; a settle in progress finishes first. Idempotent.
  void Stop();

 private:
  void ThreadLoop();

  PushStore& store_;
  const Clock& clock_;
  std::map<std::string, std::shared_ptr<PushSettler>> settlers_;
  Options options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;       // GUARDED_BY(mu_): the timer fired since the last run
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
  LoopTimer timer_{[this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      due_ = true;
    }
    cv_.notify_all();
    return std::optional<SteadyTime>(clock_.Steady() + options_.interval);
  }};  // last: detached before the rest goes
};

}  // namespace loom
