// What the channels posting to a chat service's incoming webhook (Slack, Microsoft Teams,
// Mattermost) share: the one JSON POST through the outbound policy, the mapping of the service's
// answer to a SendResult, errors that never carry the webhook URL's secret parts, and Markdown
// escaping for the services that read Markdown.
//
// The webhook URL is the credential: nothing here logs it, and an error shows at most its origin
// (scheme://host:port).
//
// Thread safety: pure functions; PostChatMessage may be called from any number of threads.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"

namespace loom {

// The outcome of an answer with a status line, common to the chat services: `accepted` (the
// service's own success, e.g. Slack's 200 "ok", Teams' 202) delivered; 429 retry with
// Retry-After; `gone` or 404/410 gone (the webhook or its channel no longer exists); 408 and 5xx
// retry (503 with Retry-After); other 4xx rejected; anything else (a 3xx, a 2xx that is not the
// service's success) retry, the error saying "unexpected answer". `error` is the service's own
// short message (or "HTTP <status>" when it gave none); cleared when delivered.
SendResult ClassifyChatAnswer(const HttpResponse& response, bool accepted, bool gone,
                              std::string error);

// POSTs `body` (compact JSON) to the webhook `url` and classifies a completed answer with
// `classify`; a transfer without an answer is TransportFailure's. The error never contains a
// path segment or query value of `url` (WithoutUrlSecrets); `channel` prefixes the message of
// an unexpected exception. Never throws.
SendResult PostChatMessage(const OutboundPolicy& policy, const Clock& clock, Duration timeout,
                           const std::string& url, std::string body, std::string_view channel,
                           SendResult (*classify)(const HttpResponse&));

// `text` with every path segment and query value of `url` that could be a secret (8 bytes or
// more) replaced by "…": a service that echoes its webhook's id or signature in an error body
// must not put it into the timeline.
std::string WithoutUrlSecrets(std::string_view text, std::string_view url);

// `text` with a backslash before each character that Markdown (CommonMark, as Teams' Adaptive
// Cards and Mattermost read it) gives a meaning: \ ` * _ [ ] ( ) < > # ~ | !
std::string EscapeMarkdown(std::string_view text);

}  // namespace loom
