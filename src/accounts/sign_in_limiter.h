// SignInLimiter: the brute-force brake of local sign-in (and of password changes that give the
// current password). Failed attempts are counted per user name (as typed, lower-cased: known or
// not, so the answer does not tell which names exist) and per client address, each over a
// sliding window; past the limit, attempts are refused without checking the password until the
// oldest failure leaves the window. A success clears the user's count (not the address's).
//
// Kept in memory per instance: behind a load balancer each instance counts on its own (the
// limits then hold per instance).
//
// Thread safety: every method is safe from any thread.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"

namespace loom {

struct SignInLimits {
  int per_user = 5;      // failures of one user name within `window`
  int per_address = 20;  // failures from one client address within `window`
  Duration window = std::chrono::minutes(15);
  size_t max_keys = 100000;  // when more names/addresses are tracked, the stalest are dropped
};

class SignInLimiter {
 public:
  explicit SignInLimiter(const Clock& clock, SignInLimits limits = {});

  // OkStatus when `user` from `address` may try now; kResourceExhausted ("too many failed
  // sign-ins, try again in N s") otherwise, with *retry_after_seconds set when not null.
  Status Check(std::string_view user, std::string_view address, int* retry_after_seconds = nullptr);
  void RecordFailure(std::string_view user, std::string_view address);
  void RecordSuccess(std::string_view user);

  const SignInLimits& limits() const { return limits_; }

 private:
  using Failures = std::deque<TimePoint>;  // oldest first, all within the window
  // REQUIRES: mu_ held. Drops the failures of `f` older than the window from `now`.
  void Trim(Failures& f, TimePoint now) const;
  // REQUIRES: mu_ held. Seconds until `f` is under `limit` again; 0 when it is.
  int64_t WaitFor(Failures& f, int limit, TimePoint now) const;
  // REQUIRES: mu_ held.
  void Add(std::unordered_map<std::string, Failures>& map, std::string key, TimePoint now);

  const Clock& clock_;
  const SignInLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Failures> by_user_;     // guarded by mu_
  std::unordered_map<std::string, Failures> by_address_;  // guarded by mu_
};

}  // namespace loom
