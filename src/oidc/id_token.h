// The claim checks of an OpenID Connect ID token (OpenID Connect Core 1.0, section 3.1.3.7), made
// after its signature was verified (jwks.h): issuer, audience (and `azp` when there are several
// audiences), expiry, issued-at and not-before within a bounded clock skew, and the nonce of the
// sign-in it answers.
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "common/result.h"

namespace loom::oidc {

// How far our clock and the provider's may disagree: `exp` may be up to this much in the past,
// `iat` and `nbf` up to this much in the future.
inline constexpr Duration kMaxClockSkew = std::chrono::seconds(60);
// An ID token issued longer ago than this (plus the skew) is refused even when its `exp` is
// later: a sign-in's token is minutes old at most.
inline constexpr Duration kMaxIdTokenAge = std::chrono::minutes(10);

struct IdTokenExpectations {
  std::string issuer;     // `iss` must equal it exactly
  std::string client_id;  // `aud` must contain it
  std::string nonce;      // `nonce` must equal it (constant-time)
  Duration skew = kMaxClockSkew;
};

// OK when `claims` (the verified payload) passes every check at `now`; otherwise
// kPermissionDenied whose message says which check failed (names claims, never their values
// except `iss` and `aud`, which are public).
Status CheckIdTokenClaims(const nlohmann::json& claims, const IdTokenExpectations& expected,
                          TimePoint now);

}  // namespace loom::oidc
