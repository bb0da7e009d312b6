// NtfyChannel: publishes a notice to an ntfy topic (https://ntfy.sh or a self-hosted server), for
// phone push that the person acknowledges from the notification itself.
//
// The publish is `POST <server>/<topic>` with the text as the body and the options as headers
// (the form ntfy documents): Title, Priority by severity (Sev1 5 "urgent", which may break
// through Do Not Disturb, Sev2 4, Sev3 3, Sev4 2; a notice that is not a page 3), Tags, Click
// (opens the incident) and Actions: an `http` action "Acknowledge" that the phone performs in
// the background as a POST to the page's one-click link (notify/action_link.h: acknowledges
// once, as the recipient, via ntfy) and a `view` action "Open". A bundle has one "Ack INC-n"
// action per incident, at most three (ntfy's limit). Header values are kept to printable ASCII
// (the body carries the full UTF-8 text). A protected topic takes the destination's first
// secret as a Bearer token; it never reaches an error or a log.
//
// Outcomes: 200 delivered; 429 retry with Retry-After; 408 and 5xx retry; 410 gone; other 4xx
// (401/403 a wrong token, 400 a bad topic) rejected, the error being ntfy's own `error` text;
// anything else retry.
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"

namespace loom {

struct ChannelType;  // notify/channels.h

inline constexpr char kNtfyDefaultServer[] = "https://ntfy.sh";
inline constexpr size_t kNtfyMaxActions = 3;

class NtfyChannel final : public Channel {
 public:
  // `clock` measures Retry-After dates; it must outlive the channel.
  NtfyChannel(OutboundPolicy policy, Clock& clock, Duration timeout = std::chrono::seconds(10));

  // `to.address` is the topic's URL (<server>/<topic>); `to.secrets` the access token, if any.
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  OutboundPolicy policy_;
  Clock& clock_;
  Duration timeout_;
};

// The publish request of `notice` to the topic URL `url` (no Authorization header: Send adds it).
HttpRequest RenderNtfyPublish(const std::string& url, const Notice& notice);

// ntfy's priority for a notice: 5 (Sev1 page) … 2 (Sev4 page); 3 for anything not a page.
int NtfyPriority(const Notice& notice);

// The outcome of a publish that got a status line (see the file comment).
SendResult ClassifyNtfyResponse(const HttpResponse& response);

// "ntfy": contact methods with `topic`, `server` (default https://ntfy.sh) and `token_env`;
// registered in notify/channels.cc.
extern const ChannelType kNtfyChannelType;

}  // namespace loom
