#include "notify/vendor_api.h"

#include <algorithm>

namespace loom {

SendResult ClassifyVendorAnswer(const HttpResponse& response, bool accepted, std::string_view error,
                                std::initializer_list<int> gone) {
  SendResult result;
  const int status = response.status;
  result.status = status;
  result.error = error.empty() ? "HTTP " + std::to_string(status) : std::string(error);
  if (status >= 200 && status < 300 && accepted) {
    result.outcome = SendResult::Outcome::kDelivered;
    result.error.clear();
  } else if (status == 429) {
    result.outcome = SendResult::Outcome::kRetry;
    result.retry_after = response.retry_after;
  } else if (std::find(gone.begin(), gone.end(), status) != gone.end()) {
    result.outcome = SendResult::Outcome::kGone;
  } else if (status == 408 || status >= 500) {
    result.outcome = SendResult::Outcome::kRetry;
    if (status == 503) result.retry_after = response.retry_after;
  } else if (status >= 400) {
    result.outcome = SendResult::Outcome::kRejected;
  } else {
    result.outcome = SendResult::Outcome::kRetry;
    result.error = "unexpected answer: " + result.error;
  }
  return result;
}

SendResult PostToVendor(const OutboundPolicy& policy, const HttpRequest& request, TimePoint now,
                        const std::function<SendResult(const HttpResponse&)>& classify) {
  HttpResponse response = HttpPost(policy, request, now);
  if (response.transport != HttpResponse::Transport::kCompleted) {
    return TransportFailure(response);
  }
  return classify(response);
}

SendResult GuardSend(std::string_view channel, const std::function<SendResult()>& attempt) {
  try {
    return attempt();
  } catch (const std::exception& e) {
    SendResult failed;
    failed.error = std::string(channel) + ": " + e.what();
    return failed;
  }
}

std::string ProviderApiUrl(const std::map<std::string, std::string>& provider,
                           std::string_view default_url) {
  std::string url(default_url);
  if (auto it = provider.find("api_url"); it != provider.end() && !it->second.empty()) {
    url = it->second;
  }
  while (url.ends_with("/")) url.pop_back();
  return url;
}

}  // namespace loom
