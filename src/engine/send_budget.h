// SendBudget: at most `limit` messages per key in any hour (a sliding window), for the per-person
// limit of SMS and voice (notify.providers.twilio.per_person_hourly). Delivery asks NextSlot
// before a new message and holds the rows until then; what falls due meanwhile goes out as one
// bundled message when the slot comes, so nothing is dropped.
//
// Pure bookkeeping: the caller passes the time, so it is tested with the fake clock's times.
// Thread safety: none; DeliveryService calls it under its mutex.
#pragma once

#include <deque>
#include <map>
#include <string>

#include "common/clock.h"

namespace loom {

class SendBudget {
 public:
  explicit SendBudget(int limit, Duration window = std::chrono::hours(1))
      : limit_(limit), window_(window) {}

  // When the next message to `key` may go: `now` while fewer than `limit` went in the window
  // before `now`, else when the oldest of them leaves it.
  TimePoint NextSlot(const std::string& key, TimePoint now);
  // A message to `key` went at `now`.
  void Record(const std::string& key, TimePoint now);
  // True when the last `limit` slots of `key` are all inside the window before `now`: the next
  // message would wait (NextSlot(key, now) > now).
  bool Exhausted(const std::string& key, TimePoint now) { return NextSlot(key, now) > now; }
  // How many more messages to `key` may go at `now` (0 to limit).
  int Remaining(const std::string& key, TimePoint now);

 private:
  void Prune(std::deque<TimePoint>& sent, TimePoint now) const;

  int limit_;
  Duration window_;
  std::map<std::string, std::deque<TimePoint>> sent_;  // per key, oldest first
};

}  // namespace loom
