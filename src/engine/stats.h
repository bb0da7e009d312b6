// Figures of the engine's background work for /metrics: the escalation engine's deadlines and
// the outbox workers' deliveries.
#pragma once

#include <cstdint>

namespace loom {

struct DeliveryStats {
  int64_t sent = 0;     // messages delivered
  int64_t failed = 0;   // attempts that will be retried
  int64_t dead = 0;     // rows dead-lettered
  int64_t bundled = 0;  // rows that went out in a bundle of more than one
  int64_t pending = 0;  // rows waiting: due later, or for a free slot of their destination
};

struct EngineStats {
  int64_t pending = 0;  // in the heap (may include deadlines already cancelled in the store)
  int64_t fired = 0;
  int64_t retries = 0;
  // Lateness (commit of the firing minus due time) histogram, seconds buckets:
  // le 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, +Inf (cumulative).
  static constexpr double kBounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  int64_t lateness_buckets[11] = {};
  double lateness_sum_seconds = 0;
  DeliveryStats delivery;  // set by the server from the outbox workers
};

}  // namespace loom
