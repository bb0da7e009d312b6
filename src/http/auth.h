// Authentication of native API callers: `Authorization: Bearer <token>` (or, for
// /v1/admin/status, the x-loom-admin-token header) → SHA-256 hex → the bootstrap admin token's
// hash (constant-time compare; principal "admin", role admin) or a stored token (Store::FindToken).
// A stored token bound to a user acts as that user (accounts/person_principal.h's
// BoundTokenPrincipal: actor "user:<id>", the person's global and team roles, each at most the
// token's role).
//
// Successful store lookups are cached per I/O thread for a few seconds (tokens cannot be revoked
// or changed yet, so a short TTL only bounds memory and staleness). Unknown tokens are not cached,
// so a token answers as soon as POST /v1/tokens has returned it.
//
// Never logs or returns tokens; errors name no secret.
//
// Thread safety: every method is safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "accounts/principal.h"
#include "common/clock.h"
#include "common/result.h"
#include "core/roster.h"
#include "core/service.h"
#include "http/per_thread.h"
#include "store/account_store.h"
#include "store/admin_store.h"

namespace loom::http {

// Who is acting (accounts/principal.h): a token, a token bound to a user, or a person.
using Principal = loom::Principal;

// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive), or "".
std::string_view BearerToken(std::string_view authorization);

class Authenticator {
 public:
  // `admin_token_hash` is the SHA-256 hex of the bootstrap admin token, or "" for none.
  // `accounts` answers the person a bound token acts as; null: bound tokens are refused.
  // `roster` answers that person's teams (null: no teams).
  Authenticator(AdminStore& store, const Clock& clock, std::string admin_token_hash,
                AccountStore* accounts = nullptr, std::shared_ptr<const Roster> roster = nullptr);

  // kUnauthenticated for an empty or unknown token; kUnavailable/kInternal when the store fails.
  Result<Principal> AuthenticateToken(std::string_view token);

  // The principal of `admin_header` (the x-loom-admin-token value) when it is not empty, else of
  // the request's bearer token, if it has at least role `need`: kUnauthenticated (401) or
  // kPermissionDenied (403) otherwise.
  Result<Principal> Require(std::string_view authorization, Role need,
                            std::string_view admin_header = {});

  static constexpr int64_t kCacheTtlMicros = 5'000'000;
  static constexpr size_t kCacheMaxEntries = 4096;

 private:
  struct Cached {
    Principal principal;
    int64_t expires_us = 0;
  };
  using Cache = std::unordered_map<std::string, Cached>;

  AdminStore& store_;
  AccountStore* const accounts_;
  const std::shared_ptr<const Roster> roster_;
  const Clock& clock_;
  const std::string admin_token_hash_;
  PerThread<Cache> cache_;
};

}  // namespace loom::http
