// What the channels that call a vendor's HTTP API (ntfy, Pushover, Telegram, Twilio, and through
// chat_webhook.h Slack, Teams and Mattermost) share: the outcome of an answer by its status (the
// one retry rule: 429 and 5xx retried with Retry-After), one POST classified, the exception guard
// of Send, and a provider's base URL. The signed webhook channel keeps its own rule (it retries
// every failure, webhook_channel.h).
//
// Thread safety: pure functions (PostToVendor as thread-safe as HttpPost).
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"

namespace loom {

// The outcome of a vendor's answer: 2xx and `accepted` (the vendor said it took the request)
// delivered; 429 retry with Retry-After; a status in `gone` gone; 408 and 5xx retry (503 with
// Retry-After); other 4xx rejected; anything else retry ("unexpected answer: …"). The error is
// `error` (the vendor's own short text), or "HTTP <status>" when that is empty; "" when
// delivered.
SendResult ClassifyVendorAnswer(const HttpResponse& response, bool accepted, std::string_view error,
                                std::initializer_list<int> gone = {410});

// POSTs `request` through `policy`: a transfer without a status line is TransportFailure, an
// answer is what `classify` says.
SendResult PostToVendor(const OutboundPolicy& policy, const HttpRequest& request, TimePoint now,
                        const std::function<SendResult(const HttpResponse&)>& classify);

// `attempt()`, or when it throws (only allocation failures can) a kRetry "<channel>: <what>":
// Send must not throw into the delivery worker.
SendResult GuardSend(std::string_view channel, const std::function<SendResult()>& attempt);

// The `api_url` of a provider's settings (ChannelSettings::providers), or `default_url` when it
// is absent or empty; without a trailing slash.
std::string ProviderApiUrl(const std::map<std::string, std::string>& provider,
                           std::string_view default_url);

}  // namespace loom
