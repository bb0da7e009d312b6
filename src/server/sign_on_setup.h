// Builds single sign-on (oidc/sign_on.h) from `auth.oidc`: its outbound calls (discovery, JWKS,
// token endpoint) go through libcurl under the `notify.allow_hosts` policy, like every other
// outbound request (a provider on a loopback or private address must be listed there). The
// redirect URI is <public_url>/ui/auth/oidc/callback.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "oidc/sign_on.h"

namespace loom {

// The callback path the provider redirects to (under server.public_url).
inline constexpr char kOidcCallbackPath[] = "/ui/auth/oidc/callback";

// Null when `auth.oidc` is not configured. kInvalidArgument when the policy refuses the issuer
// (a loopback or private address not in notify.allow_hosts) or an allow_hosts entry.
Result<std::shared_ptr<oidc::SignOn>> MakeSignOn(const Config& config,
                                                 const std::string& public_url, const Clock& clock);

}  // namespace loom
