#include "http/rate_limiter.h"

#include <algorithm>

namespace loom::http {

bool RateBucket::TryAcquire(TimePoint now, int64_t per_minute, int64_t* retry_after_micros) {
  constexpr int64_t kMinuteMicros = 60'000'000;
  const int64_t now_us = ToUnixMicros(now);
  const int64_t interval = std::max<int64_t>(1, kMinuteMicros / per_minute);
  // The bucket's depth: up to `per_minute` events may arrive at once.
  const int64_t tolerance = interval * (per_minute - 1);
  int64_t tat = tat_.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t base = std::max(tat, now_us);
    if (base - now_us > tolerance) {
      if (retry_after_micros != nullptr) *retry_after_micros = base - tolerance - now_us;
      return false;
    }
    if (tat_.compare_exchange_weak(tat, base + interval, std::memory_order_relaxed)) return true;
  }
}

RateBucket* RateLimiter::BucketFor(int64_t key_id) {
  std::lock_guard lock(mu_);
  auto& slot = buckets_[key_id];
  if (!slot) slot = std::make_unique<RateBucket>();
  return slot.get();
}

bool RateLimiter::Allow(int64_t key_id, int64_t per_minute, int64_t* retry_after_micros) {
  if (per_minute <= 0) return true;
  return Allow(BucketFor(key_id), per_minute, retry_after_micros);
}

bool RateLimiter::Allow(RateBucket* bucket, int64_t per_minute, int64_t* retry_after_micros) {
  if (per_minute <= 0) return true;
  return bucket->TryAcquire(clock_.Now(), per_minute, retry_after_micros);
}

}  // namespace loom::http
