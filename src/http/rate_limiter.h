// Per-integration-key ingest rate limits (ServiceSettings::rate_limit_per_minute).
//
// A token bucket holding one minute's worth of events, refilled continuously, implemented as
// GCRA (the generic cell rate algorithm): each key keeps one "theoretical arrival time" in an
// atomic, and admitting an event is one compare-and-swap, so the ingest hot path takes no lock
// once the key's bucket exists. A limit of N per minute therefore admits a burst of N at once and
// then one event every 60/N seconds.
//
// Thread safety: every method is safe from any thread. Buckets live as long as the limiter.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common/clock.h"

namespace loom::http {

class RateBucket {
 public:
  // Admits one event at `now` under `per_minute` (> 0). On refusal, `*retry_after_micros` (when
  // not null) is how long until one event would be admitted.
  bool TryAcquire(TimePoint now, int64_t per_minute, int64_t* retry_after_micros = nullptr);

 private:
  // Theoretical arrival time (Unix microseconds) of the next event at the steady rate.
  std::atomic<int64_t> tat_{0};
};

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}

  // The bucket of integration key `key_id`, created on first use. Callers may keep the pointer.
  RateBucket* BucketFor(int64_t key_id);

  // Admits one event for `key_id` under `per_minute`; always true when per_minute <= 0.
  bool Allow(int64_t key_id, int64_t per_minute, int64_t* retry_after_micros = nullptr);
  bool Allow(RateBucket* bucket, int64_t per_minute, int64_t* retry_after_micros = nullptr);

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<int64_t, std::unique_ptr<RateBucket>> buckets_;
};

}  // namespace loom::http
