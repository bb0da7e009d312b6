#include "server/open_files.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace loom {
namespace {

constexpr uint64_t kReserveBase = 64;
constexpr uint64_t kReservePerDeliveryWorker = 8;
constexpr int kMinConnections = 16;

// The kernel's ceiling for one process (fs.nr_open); what an unlimited hard limit means.
uint64_t KernelMaxOpenFiles() {
  std::ifstream in("/proc/sys/fs/nr_open");
  uint64_t n = 0;
  if (in >> n && n > 0) return n;
  return 1024 * 1024;  // Linux's default nr_open
}

}  // namespace

OpenFileLimit RaiseOpenFileLimit() {
  OpenFileLimit out;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    out.error = std::string("getrlimit: ") + std::strerror(errno);
    return out;
  }
  out.before = out.soft = limit.rlim_cur;
  out.hard = limit.rlim_max;
  const uint64_t target = limit.rlim_max == RLIM_INFINITY ? KernelMaxOpenFiles() : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= target) return out;
  rlimit raised = limit;
  raised.rlim_cur = target;
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    out.error = std::string("setrlimit: ") + std::strerror(errno);
    return out;
  }
  out.soft = target;
  return out;
}

std::optional<uint64_t> CountOpenFiles() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return std::nullopt;
  uint64_t n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++n;
  }
  return n;
}

ConnectionBudget HttpConnectionBudget(uint64_t soft_limit, uint64_t open_now, int delivery_workers,
                                      int configured_max) {
  ConnectionBudget out;
  out.reserved = open_now + kReserveBase +
                 kReservePerDeliveryWorker * static_cast<uint64_t>(std::max(delivery_workers, 0));
  const uint64_t left = soft_limit > out.reserved ? soft_limit - out.reserved : 0;
  const uint64_t cap = std::min<uint64_t>(left, static_cast<uint64_t>(configured_max));
  out.max_connections = std::max(static_cast<int>(cap), kMinConnections);
  return out;
}

}  // namespace loom
