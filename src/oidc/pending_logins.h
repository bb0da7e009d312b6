// PendingLogins: the sign-ins that went to the provider and have not come back yet. Each holds
// the `state` (which the browser also keeps in a cookie), the `nonce` the ID token must carry and
// the PKCE code verifier; the callback takes it out once (a replayed or unknown `state` finds
// nothing) and it expires after `ttl` on the steady clock.
//
// Kept in memory, keyed by the SHA-256 of the state (a lookup leaks no timing about the state
// itself): a restart forgets the sign-ins under way, and their callbacks are refused (start
// again). Bounded: when full, the login that expires first is dropped.
//
// Thread safety: every method is safe from any thread.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace loom::oidc {

struct PendingLogin {
  std::string state;     // 64 hex characters from the OS CSPRNG
  std::string nonce;     // 64 hex characters: the ID token's `nonce` must equal it
  std::string verifier;  // the PKCE code verifier (pkce.h)
  std::string redirect_uri;
  SteadyTime expires_at{};
};

class PendingLogins {
 public:
  static constexpr Duration kDefaultTtl = std::chrono::minutes(10);
  static constexpr size_t kDefaultMax = 10000;

  explicit PendingLogins(const Clock& clock, Duration ttl = kDefaultTtl,
                         size_t max_pending = kDefaultMax);

  // A new pending login with fresh state, nonce and verifier, kept until Take or expiry.
  PendingLogin Begin(std::string redirect_uri);

  // Removes and returns the live login of `state`; nullopt when unknown, already taken or expired.
  std::optional<PendingLogin> Take(std::string_view state);

  size_t size() const;

 private:
  // REQUIRES: mu_ held.
  void DropExpiredLocked(SteadyTime now);

  const Clock& clock_;
  const Duration ttl_;
  const size_t max_pending_;
  mutable std::mutex mu_;
  std::map<std::string, PendingLogin> by_hash_;  // guarded by mu_
};

}  // namespace loom::oidc
