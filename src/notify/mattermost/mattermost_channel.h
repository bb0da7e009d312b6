// MattermostChannel: posts a notice to a Mattermost incoming webhook
// (https://mattermost.example.com/hooks/<id>), with an interactive "Acknowledge" button per
// incident that may be acknowledged (mattermost_message.h renders the post).
//
// Buttons: an incident that is still triggered gets one when the message goes to the person
// paged (it carries a one-click acknowledge link) or to an incident channel, and the message
// knows the public URL. Each button carries a fresh random secret (32 bytes, hex) in its
// context; before the post goes out the channel keeps the secret's SHA-256 through its
// MessageActionLog, bound to the incident, the recipient (the user, or "channel:<service>/<id>")
// and the message, expiring with the message's links. POST /v1/providers/mattermost/action
// (src/http/mattermost_handlers.cc) acts only for a kept, unexpired secret, once. Without a log,
// or when keeping fails, no post goes out without its buttons: the attempt is retried.
//
// The webhook URL is itself the credential: it is never logged or put into an error; errors show
// only scheme://host:port and never a part of the URL.
//
// Outcomes: 200 delivered (Mattermost answers "ok"); 429 retry with Retry-After; 404/410 gone
// (the hook was deleted); 408 and 5xx retry; other 4xx rejected (Mattermost's 400 for an
// invalid or disabled hook, a bad payload); anything else retry. The error is Mattermost's
// `message` when it answers JSON, else its short body.
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/message_action_log.h"
#include "notify/outbound_policy.h"

namespace loom {

struct ChannelType;  // notify/channels.h

class MattermostChannel final : public Channel {
 public:
  // `clock` measures Retry-After dates and stamps the buttons; it must outlive the channel.
  // `actions` keeps the buttons' secrets; null: posts carry no buttons.
  MattermostChannel(OutboundPolicy policy, Clock& clock, std::shared_ptr<MessageActionLog> actions,
                    Duration timeout = std::chrono::seconds(10));

  // `to.address` is the incoming-webhook URL.
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  OutboundPolicy policy_;
  Clock& clock_;
  std::shared_ptr<MessageActionLog> actions_;
  Duration timeout_;
};

// Whether `incident` of `notice` gets an Acknowledge button (see the file comment).
bool MattermostButtonFor(const Notice& notice, const NoticeIncident& incident);

// The outcome of a delivery that got a status line (see the file comment).
SendResult ClassifyMattermostResponse(const HttpResponse& response);

// "mattermost": contact methods and incident channels with a `url`/`url_env`, unsigned;
// registered in notify/channels.cc.
extern const ChannelType kMattermostChannelType;

}  // namespace loom
