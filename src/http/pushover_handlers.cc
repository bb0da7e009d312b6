// POST /v1/providers/pushover/callback (docs/api.md "Provider callbacks"): Pushover's call when
// the person acknowledges an emergency-priority page in the Pushover app. Pushover does not sign
// it, so it is believed only for a receipt we issued (remembered with the page, store/
// push_store.h): an unknown receipt is 403 and acts on nothing. The acknowledgement is the
// one-click link's command, as the page's recipient, via "pushover", once per receipt and
// incident: a replay answers 200 and changes nothing.

#include <algorithm>

#include "http/api.h"
#include "http/handler_util.h"
#include "http/query.h"

namespace loom::http {
namespace {

bool IsReceipt(std::string_view r) {
  return !r.empty() && r.size() <= 64 && std::all_of(r.begin(), r.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

}  // namespace

void Api::PushoverCallback(const Request& req, const PathParams&, Reply reply) {
  QueryParams form(req.body);
  const std::string receipt = form.Get("receipt").value_or("");
  if (!IsReceipt(receipt)) {
    return reply->Send(ProblemFor(Error::PermissionDenied("unknown receipt"), req));
  }
  Result<std::vector<PushPage>> pages = store_.FindPushPages("pushover", receipt);
  if (!pages.ok()) {
    return reply->Send(ProblemFor(Error::Unavailable("cannot read the receipt"), req));
  }
  if (pages->empty()) {
    return reply->Send(ProblemFor(Error::PermissionDenied("unknown receipt"), req));
  }
  if (form.Get("acknowledged").value_or("") != "1") {
    return reply->Send(JsonResponse(200, Json{{"acknowledged", Json::array()}}));
  }
  AcknowledgePushPages(*pages, receipt, [reply](PushAckOutcome outcome) {
    if (outcome.failed && outcome.acknowledged.empty()) {
      return reply->Send(ProblemFor(Error::Unavailable("cannot acknowledge now"),
                                    RequestAt(Method::kPost, "/v1/providers/pushover/callback")));
    }
    Json acknowledged = Json::array();
    for (int64_t n : outcome.acknowledged) acknowledged.push_back(IncidentId(n));
    reply->Send(JsonResponse(200, Json{{"acknowledged", acknowledged}}));
  });
}

}  // namespace loom::http
