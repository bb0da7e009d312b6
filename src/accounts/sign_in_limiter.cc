#include "accounts/sign_in_limiter.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace loom {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

SignInLimiter::SignInLimiter(const Clock& clock, SignInLimits limits)
    : clock_(clock), limits_(limits) {}

void SignInLimiter::Trim(Failures& f, TimePoint now) const {
  while (!f.empty() && f.front() <= now - limits_.window) f.pop_front();
}

int64_t SignInLimiter::WaitFor(Failures& f, int limit, TimePoint now) const {
  Trim(f, now);
  if (static_cast<int>(f.size()) < limit) return 0;
  // Under the limit again once the failure `limit` places from the newest leaves the window.
  const TimePoint frees = f[f.size() - static_cast<size_t>(limit)] + limits_.window;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(frees - now).count();
  return std::max<int64_t>(1, (micros + 999'999) / 1'000'000);
}

Status SignInLimiter::Check(std::string_view user, std::string_view address,
                            int* retry_after_seconds) {
  const TimePoint now = clock_.Now();
  int64_t wait = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = by_user_.find(Lower(user)); it != by_user_.end()) {
      wait = std::max(wait, WaitFor(it->second, limits_.per_user, now));
    }
    if (auto it = by_address_.find(std::string(address)); it != by_address_.end()) {
      wait = std::max(wait, WaitFor(it->second, limits_.per_address, now));
    }
  }
  if (wait == 0) return OkStatus();
  if (retry_after_seconds != nullptr) *retry_after_seconds = static_cast<int>(wait);
  return Error{ErrorCode::kResourceExhausted,
               "too many failed sign-ins: try again in " + std::to_string(wait) + " s",
               {}};
}

void SignInLimiter::Add(std::unordered_map<std::string, Failures>& map, std::string key,
                        TimePoint now) {
  if (map.size() >= limits_.max_keys && map.find(key) == map.end()) {
    for (auto it = map.begin(); it != map.end();) {
      Trim(it->second, now);
      it = it->second.empty() ? map.erase(it) : std::next(it);
    }
    if (map.size() >= limits_.max_keys) {
      auto stalest = std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
        return a.second.back() < b.second.back();
      });
      map.erase(stalest);
    }
  }
  Failures& f = map[std::move(key)];
  Trim(f, now);
  f.push_back(now);
}

void SignInLimiter::RecordFailure(std::string_view user, std::string_view address) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  Add(by_user_, Lower(user), now);
  Add(by_address_, std::string(address), now);
}

void SignInLimiter::RecordSuccess(std::string_view user) {
  std::lock_guard lock(mu_);
  by_user_.erase(Lower(user));
}

}  // namespace loom
