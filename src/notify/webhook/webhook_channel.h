// WebhookChannel: a generic signed webhook, following the Standard Webhooks convention
// (https://www.standardwebhooks.com). The body is the versioned JSON document of
// docs/webhooks.md ("schema": "loom-oncall.notification/v1"); the headers carry the message id,
// the attempt's timestamp and one HMAC-SHA256 signature per configured secret, so receivers can
// rotate keys without dropping messages.
//
// Outcomes: 2xx delivered; 410 gone (the receiver asks us to stop: the destination is disabled);
// 429 retry, honouring Retry-After; 408, 5xx, timeouts and connection errors retry; any other
// status (other 4xx, 3xx, 1xx) also retries rather than being rejected, because a receiver's
// 400/401/404 is as often a deploy or a misconfiguration on its side that gets fixed as a
// permanent refusal — the retries run out into the dead-letter queue, where an operator sees them.
// A destination the outbound policy refuses, or without a usable secret, is rejected.
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"

namespace loom {

struct ChannelType;  // notify/channels.h

class WebhookChannel final : public Channel {
 public:
  // `clock` gives the webhook-timestamp of each attempt; it must outlive the channel.
  WebhookChannel(OutboundPolicy policy, Clock& clock, Duration timeout = std::chrono::seconds(10));

  // `to.address` is the URL; `to.secrets` the signing secrets, newest first (at least one).
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  OutboundPolicy policy_;
  Clock& clock_;
  Duration timeout_;
};

// The JSON body (docs/webhooks.md), compact.
std::string RenderWebhookBody(const Notice& notice);

// The HMAC key of a secret: the base64-decoded part of "whsec_<base64>"; a secret without the
// prefix is used as raw bytes (for receivers that hand out plain random strings). kInvalidArgument
// for an empty secret or a "whsec_" one that is not valid base64.
Result<std::string> WebhookSigningKey(std::string_view secret);

// The `webhook-signature` value: "v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>" for each
// secret, space-separated, in the given order. Errors as WebhookSigningKey.
Result<std::string> WebhookSignature(const std::vector<std::string>& secrets, std::string_view id,
                                     int64_t timestamp, std::string_view body);

// The outcome of a webhook delivery that got a status line (see the file comment).
SendResult ClassifyWebhookResponse(const HttpResponse& response);

// Standard base64 (with or without padding); nullopt on any other character.
std::optional<std::string> Base64Decode(std::string_view text);

// "webhook": contact methods and incident channels with a `url`/`url_env` and optional signing
// secrets (`secret_env`); registered in notify/channels.cc.
extern const ChannelType kWebhookChannelType;

}  // namespace loom
