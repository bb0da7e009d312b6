// Small statistics of the bench programs: percentiles of a sample and random run ids.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace loom::bench {

// The nearest-rank percentile `q` (0..1) of an ascending sample, in the sample's unit; 0 for an
// empty sample.
template <typename T>
T Percentile(const std::vector<T>& sorted, double q) {
  if (sorted.empty()) return T{};
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// `n` random lower-case hex digits (run ids and keys that do not collide between runs).
std::string RandomHex(size_t n);

}  // namespace loom::bench
