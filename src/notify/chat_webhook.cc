#include "notify/chat_webhook.h"

#include <algorithm>
#include <vector>

namespace loom {
namespace {

// The path segments and query values of `url` (after scheme://authority).
std::vector<std::string_view> UrlParts(std::string_view url) {
  std::vector<std::string_view> parts;
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : url.find('/', start + 3);
  if (start == std::string_view::npos) return parts;
  std::string_view rest = url.substr(start);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find_first_of("/?&#", pos);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view part = rest.substr(pos, end - pos);
    if (size_t eq = part.find('='); eq != std::string_view::npos) part = part.substr(eq + 1);
    if (!part.empty()) parts.push_back(part);
    pos = end + 1;
  }
  return parts;
}

}  // namespace

SendResult ClassifyChatAnswer(const HttpResponse& response, bool accepted, bool gone,
                              std::string error) {
  SendResult result;
  const int status = response.status;
  result.status = status;
  result.error = error.empty() ? "HTTP " + std::to_string(status) : std::move(error);
  if (accepted) {
    result.outcome = SendResult::Outcome::kDelivered;
    result.error.clear();
  } else if (status == 429) {
    result.outcome = SendResult::Outcome::kRetry;
    result.retry_after = response.retry_after;
  } else if (gone || status == 404 || status == 410) {
    result.outcome = SendResult::Outcome::kGone;
  } else if (status == 408 || status >= 500) {
    result.outcome = SendResult::Outcome::kRetry;
    if (status == 503) result.retry_after = response.retry_after;
  } else if (status >= 400) {
    result.outcome = SendResult::Outcome::kRejected;
  } else {
    // A 2xx that is not the service's success, or a redirect: try again, then dead-letter.
    result.outcome = SendResult::Outcome::kRetry;
    result.error = "unexpected answer: " + result.error;
  }
  return result;
}

SendResult PostChatMessage(const OutboundPolicy& policy, const Clock& clock, Duration timeout,
                           const std::string& url, std::string body, std::string_view channel,
                           SendResult (*classify)(const HttpResponse&)) {
  try {
    HttpRequest request;
    request.url = url;
    request.timeout = timeout;
    request.body = std::move(body);
    request.headers = {"Content-Type: application/json; charset=utf-8", "User-Agent: loom-oncall"};
    HttpResponse response = HttpPost(policy, request, clock.Now());
    SendResult result = response.transport == HttpResponse::Transport::kCompleted
                            ? classify(response)
                            : TransportFailure(response);
    result.error = WithoutUrlSecrets(result.error, url);
    return result;
  } catch (const std::exception& e) {
    // Only allocation failures can get here; Send must not throw into the worker.
    SendResult failed;
    failed.error = std::string(channel) + ": " + e.what();
    return failed;
  }
}

std::string WithoutUrlSecrets(std::string_view text, std::string_view url) {
  std::string out(text);
  std::vector<std::string_view> parts = UrlParts(url);
  // Longest first, so that a part containing another is replaced whole.
  std::sort(parts.begin(), parts.end(),
            [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  for (std::string_view part : parts) {
    if (part.size() < 8) continue;
    for (size_t at = out.find(part); at != std::string::npos; at = out.find(part, at + 3)) {
      out.replace(at, part.size(), "\u2026");
    }
  }
  return out;
}

std::string EscapeMarkdown(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (std::string_view("\\`*_[]()<>#~|!").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace loom
