// SlackChannel: posts a notice to a Slack incoming webhook (https://hooks.slack.com/services/...).
//
// The message is `{"text": fallback, "blocks": [...]}`: a section with the summary (and detail),
// one section per incident (at most kSlackMaxIncidents, then "and N more") with plain mrkdwn
// links "Acknowledge" and "Open" to our own confirmation pages — not interactive buttons, which
// would need a Slack app — and a context line. The webhook URL is itself the credential: it is
// never logged or put into an error; errors show only scheme://host:port.
//
// Outcomes (Slack answers plain text): 200 with body "ok" delivered; 429 retry with
// Retry-After; 404/410 or a body saying the webhook or channel no longer exists (no_service,
// no_team, team_disabled, invalid_token, channel_not_found, channel_is_archived) gone; 408 and
// 5xx retry; other 4xx (invalid_payload, action_prohibited, ...) rejected; anything else (a
// 200 without "ok", 3xx) retry. The error is Slack's own short body.
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"

namespace loom {

struct ChannelType;  // notify/channels.h

inline constexpr size_t kSlackMaxIncidents = 10;

class SlackChannel final : public Channel {
 public:
  // `clock` measures Retry-After dates; it must outlive the channel.
  SlackChannel(OutboundPolicy policy, Clock& clock, Duration timeout = std::chrono::seconds(10));

  // `to.address` is the incoming-webhook URL.
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  OutboundPolicy policy_;
  Clock& clock_;
  Duration timeout_;
};

// `&`, `<` and `>` as the HTML entities Slack expects in mrkdwn (its only control characters).
std::string EscapeSlackText(std::string_view text);

// The JSON payload of the webhook POST, compact.
std::string RenderSlackMessage(const Notice& notice);

// The outcome of a delivery that got a status line (see the file comment).
SendResult ClassifySlackResponse(const HttpResponse& response);

// "slack": contact methods and incident channels with a `url`/`url_env`, unsigned; registered
// in notify/channels.cc.
extern const ChannelType kSlackChannelType;

}  // namespace loom
