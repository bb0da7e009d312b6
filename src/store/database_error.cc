#include "store/database_error.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace loom {
namespace {

constexpr auto kLogEvery = std::chrono::minutes(1);
constexpr size_t kMaxCauses = 256;  // distinct causes remembered; forgotten all at once beyond

// True when `cause` was not logged in the last kLogEvery.
bool FirstInAWhile(const std::string& cause) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::chrono::steady_clock::time_point> logged;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu);
  auto it = logged.find(cause);
  if (it != logged.end() && now - it->second < kLogEvery) return false;
  if (it == logged.end() && logged.size() >= kMaxCauses) logged.clear();
  logged[cause] = now;
  return true;
}

}  // namespace

bool IsDatabaseError(const Error& error) {
  return std::string_view(error.message).substr(0, kDatabaseErrorPrefix.size()) ==
         kDatabaseErrorPrefix;
}

Error ClientViewOf(const Error& error) {
  if (!IsDatabaseError(error)) return error;
  if (FirstInAWhile(error.message)) {
    spdlog::warn("store: a request failed: {} (answered 503; logged once a minute)", error.message);
  }
  return Error::Unavailable("the store could not complete the request; retry later");
}

}  // namespace loom
