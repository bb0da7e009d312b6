#include "notify/chat_webhook.h"

#include <algorithm>
#include <vector>

#include "notify/vendor_api.h"

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
  // The service's own "gone" answer counts whatever status carried it.
  if (gone) return ClassifyVendorAnswer(response, accepted, error, {response.status, 404, 410});
  return ClassifyVendorAnswer(response, accepted, error, {404, 410});
}

SendResult PostChatMessage(const OutboundPolicy& policy, const Clock& clock, Duration timeout,
                           const std::string& url, std::string body, std::string_view channel,
                           SendResult (*classify)(const HttpResponse&)) {
  return GuardSend(channel, [&] {
    HttpRequest request;
    request.url = url;
    request.timeout = timeout;
    request.body = std::move(body);
    request.headers = {"Content-Type: application/json; charset=utf-8", "User-Agent: loom-oncall"};
    SendResult result = PostToVendor(policy, request, clock.Now(), classify);
    result.error = WithoutUrlSecrets(result.error, url);
    return result;
  });
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
