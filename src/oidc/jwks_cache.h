// JwksCache: the provider's signing keys, fetched when first needed and kept; a token signed with
// a key id the cached set does not have (the provider rotated its keys) fetches the set again and
// retries once. Such refreshes are rate-limited: at most one per `min_refresh` (30 s by default),
// so a run of tokens naming unknown keys cannot make us hammer the provider; a token arriving
// inside that window with an unknown key is refused. The set is also fetched again when it is
// older than `max_age` (1 h), so a key the provider withdrew stops being accepted.
//
// Times are on the steady clock. A failed fetch keeps the previous set.
//
// Thread safety: every method is safe from any thread; fetches happen under the cache's lock (one
// at a time).
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "oidc/jwks.h"

namespace loom::oidc {

class JwksCache {
 public:
  // The provider's JWKS document, or why it could not be fetched (kUnavailable).
  using Fetch = std::function<Result<std::string>()>;
  static constexpr Duration kMinRefresh = std::chrono::seconds(30);
  static constexpr Duration kMaxAge = std::chrono::hours(1);

  JwksCache(const Clock& clock, Fetch fetch, Duration min_refresh = kMinRefresh,
            Duration max_age = kMaxAge);

  // The verified payload of `compact_jws`. kPermissionDenied for a token no published key
  // verifies (its reason: tampered, refused algorithm, unknown key); kUnavailable (or the fetch's
  // error) when the keys cannot be had.
  Result<nlohmann::json> Verify(std::string_view compact_jws);

  // How many times the keys were fetched (for tests and logs).
  int fetches() const;

 private:
  // REQUIRES: mu_ held.
  Status FetchLocked(SteadyTime now);

  const Clock& clock_;
  const Fetch fetch_;
  const Duration min_refresh_;
  const Duration max_age_;
  mutable std::mutex mu_;
  std::optional<JwkSet> keys_;                  // guarded by mu_
  SteadyTime fetched_at_{};                     // guarded by mu_
  std::optional<SteadyTime> last_kid_refresh_;  // guarded by mu_
  int fetches_ = 0;                             // guarded by mu_
};

}  // namespace loom::oidc
