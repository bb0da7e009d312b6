#include "server/sign_on_setup.h"

#include "notify/http_post.h"
#include "notify/outbound_policy.h"

namespace loom {

Result<std::shared_ptr<oidc::SignOn>> MakeSignOn(const Config& config,
                                                 const std::string& public_url,
                                                 const Clock& clock) {
  if (!config.auth.oidc) return std::shared_ptr<oidc::SignOn>();
  Result<OutboundPolicy> policy = OutboundPolicy::Create(config.notify.allow_hosts);
  if (!policy.ok()) return std::move(policy).error();
  if (Status allowed = policy->CheckUrl(config.auth.oidc->issuer); !allowed.ok()) {
    return Error::Invalid("auth.oidc.issuer: " + allowed.error().message +
                          " (list the provider's host in notify.allow_hosts)");
  }
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return std::make_shared<oidc::SignOn>(
      *config.auth.oidc, base + kOidcCallbackPath, clock,
      [policy = *std::move(policy), &clock](const HttpRequest& request) {
        return HttpPost(policy, request, clock.Now());
      });
}

}  // namespace loom
