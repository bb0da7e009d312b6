// Wakeup: blocks a background thread until a wall-clock instant passes, a Notify() arrives, or
// Stop() is called. The one place (with SystemClock) where loom-oncall waits on real time, so
// engine code stays clock-injectable: tests drive engines directly with a FakeClock instead.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>

#include "common/clock.h"

namespace loom {

class Wakeup {
 public:
  // Waits until `deadline` (nullopt: until notified), a Notify() or Stop(). Returns false once
  // stopped. A Notify() that arrived since the last wait returns at once.
  bool WaitUntil(std::optional<TimePoint> deadline);
  void Notify();
  void Stop();
  // Undoes Stop(), for a thread that starts again.
  void Restart();
  bool stopped() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
  bool stopped_ = false;
};

}  // namespace loom
