// TeamsChannel: posts a notice to a Microsoft Teams "Workflows" webhook (the successor of the
// retired Office 365 connectors), as one Adaptive Card.
//
// The body is {"type": "message", "attachments": [{"contentType":
// "application/vnd.microsoft.card.adaptive", "content": <card>}]} with an Adaptive Card of
// version 1.4 (what Teams renders): a bold TextBlock with the summary (and one with the detail),
// then per incident (at most kTeamsMaxIncidents, then "and N more") a TextBlock "INC-12 title",
// a FactSet (Incident, Severity, Service, State) and an ActionSet of Action.OpenUrl buttons:
// "Acknowledge" to our one-click acknowledge page (its GET shows a confirmation whose POST
// acknowledges) and "Open" to the read-only incident page; last a small footer line. An incoming
// webhook cannot receive button callbacks, so the person acknowledges through the page. Text is
// Markdown-escaped (Teams reads Markdown in TextBlocks and facts).
//
// The webhook URL is itself the credential (its `sig` query parameter): it is never logged or
// put into an error; errors show only scheme://host:port and never a part of the URL.
//
// Outcomes: 2xx delivered (Workflows answers 202 Accepted); 429 retry with Retry-After; 404/410
// gone (the workflow was deleted); 408 and 5xx retry; other 4xx rejected; anything else retry.
// The error is the service's `error.code: error.message` when it answers JSON, else its short
// body.
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <string>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"

namespace loom {

struct ChannelType;  // notify/channels.h

inline constexpr size_t kTeamsMaxIncidents = 10;

class TeamsChannel final : public Channel {
 public:
  // `clock` measures Retry-After dates; it must outlive the channel.
  TeamsChannel(OutboundPolicy policy, Clock& clock, Duration timeout = std::chrono::seconds(10));

  // `to.address` is the Workflows webhook URL.
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  OutboundPolicy policy_;
  Clock& clock_;
  Duration timeout_;
};

// The JSON body of the webhook POST (the message with its one card), compact.
std::string RenderTeamsMessage(const Notice& notice);

// The outcome of a delivery that got a status line (see the file comment).
SendResult ClassifyTeamsResponse(const HttpResponse& response);

// "teams": contact methods and incident channels with a `url`/`url_env`, unsigned; registered
// in notify/channels.cc.
extern const ChannelType kTeamsChannelType;

}  // namespace loom
