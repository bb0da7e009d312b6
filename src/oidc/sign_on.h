// SignOn: single sign-on with one OpenID Connect provider, the authorization code flow with PKCE
// (docs/authentication.md "Single sign-on"):
//   Start   → discovery (cached), a pending login (state, nonce, PKCE verifier: pending_logins.h)
//             and the provider's authorization URL to send the browser to;
//   Finish  → the callback's `state` must equal the browser's state cookie (constant-time) and
//             name a pending login (single use, 10 minutes); the code is exchanged at the token
//             endpoint (client_secret_basic, with the verifier); the ID token's signature is
//             checked against the provider's JWKS (jwks_cache.h: refetched on an unknown kid),
//             then its claims (id_token.h: iss, aud/azp, exp/iat/nbf within 60 s, nonce).
// Matching the identity to a user and its groups to roles is identity.h's; the HTTP routes are
// http/oidc_handlers.cc.
//
// Start and Finish block on the network (each request times out after 5 s): call them off the
// I/O threads. Every error message is meant for the person signing in: it names no secret (no
// code, token, state or client secret).
//
// Thread safety: every method is safe from any thread.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "notify/http_post.h"
#include "oidc/discovery.h"
#include "oidc/jwks_cache.h"
#include "oidc/pending_logins.h"

namespace loom::oidc {

// One outbound HTTP exchange (GET when request.get): production passes HttpPost under the
// server's outbound policy; tests pass a fake provider.
using HttpCall = std::function<HttpResponse(const HttpRequest&)>;

class SignOn {
 public:
  static constexpr Duration kHttpTimeout = std::chrono::seconds(5);
  // Discovery is fetched again after this; a failed fetch is not retried for kRetryAfterFailure.
  static constexpr Duration kMetadataMaxAge = std::chrono::hours(1);
  static constexpr Duration kRetryAfterFailure = std::chrono::seconds(5);

  // `redirect_uri`: <server.public_url>/ui/auth/oidc/callback, as registered at the provider.
  SignOn(OidcConfig config, std::string redirect_uri, const Clock& clock, HttpCall http);

  const OidcConfig& config() const { return config_; }
  const std::string& redirect_uri() const { return redirect_uri_; }
  // What the sign-in button names: `name`, else the issuer's host.
  std::string DisplayName() const;

  struct Redirect {
    std::string url;    // the provider's authorization endpoint with our parameters
    std::string state;  // for the browser's state cookie
  };
  // kUnavailable when the provider cannot be reached or its discovery document is unusable.
  Result<Redirect> Start();

  // What the provider sent back to the callback, and the browser's state cookie.
  struct Callback {
    std::string code;
    std::string state;
    std::string error;  // the provider's `error` parameter (the person declined, ...)
    std::string cookie_state;
  };
  // The verified claims of the ID token. kPermissionDenied for every refusal of the sign-in,
  // kUnavailable when the provider cannot be reached.
  Result<nlohmann::json> Finish(const Callback& callback);

  // How many times the JWKS was fetched (tests).
  int jwks_fetches() const { return jwks_.fetches(); }

 private:
  Result<ProviderMetadata> Metadata();
  Result<std::string> FetchJwks();
  // The token endpoint's answer to `code`: the ID token (compact JWS).
  Result<std::string> ExchangeCode(const ProviderMetadata& metadata, const std::string& code,
                                   const PendingLogin& login);

  const OidcConfig config_;
  const std::string redirect_uri_;
  const Clock& clock_;
  const HttpCall http_;
  PendingLogins pending_;
  JwksCache jwks_;

  std::mutex mu_;
  std::optional<ProviderMetadata> metadata_;  // guarded by mu_
  SteadyTime metadata_at_{};                  // guarded by mu_
  std::optional<SteadyTime> failed_at_;       // guarded by mu_
  Error last_failure_;                        // guarded by mu_
};

}  // namespace loom::oidc
