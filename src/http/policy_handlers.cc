// GET /v1/policy: the effective severity policy (runbook + config overrides) with the source of
// every value.

#include "http/api.h"
#include "http/handler_util.h"
#include "http/json_codec.h"

namespace loom::http {

void Api::GetPolicy(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  if (policy_ == nullptr) {
    return reply->Send(ProblemFor(Error::Unavailable("no severity policy is loaded"), req));
  }
  reply->Send(JsonResponse(200, SeverityPolicyToJson(*policy_)));
}

}  // namespace loom::http
