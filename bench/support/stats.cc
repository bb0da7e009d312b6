#include "support/stats.h"

#include <random>

namespace loom::bench {

std::string RandomHex(size_t n) {
  std::random_device rd;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kDigits[rd() % 16];
  return s;
}

}  // namespace loom::bench
