// Channels deliver one Notice to one Destination. Each channel type lives in its own folder
// (src/notify/<type>/) and is registered in the table of notify/channels.h; the delivery workers
// (src/engine/delivery) pick the channel by Destination::type, render nothing themselves, and
// act on the SendResult (retry with backoff, honour Retry-After, disable a destination on Gone,
// dead-letter after max attempts).
//
// Thread safety: Send is called concurrently from several worker threads; it blocks for at most
// the configured timeout and never throws.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace loom {

// One incident a notice is about. A bundled notice covers several.
struct NoticeIncident {
  int64_t number = 0;
  std::string id;  // "INC-12"
  std::string title;
  std::string severity;  // "sev1"
  std::string kind;      // "availability", "security", ...
  std::string service;
  std::string state;     // "triggered", ...
  std::string ack_url;   // one-click acknowledge (signed, single-use); "" for channel posts
  std::string open_url;  // open the incident (signed, read-only)
  bool drill = false;    // a drill: every channel marks the message DRILL
};

// What to tell one recipient (a user's contact method, or an incident channel).
struct Notice {
  // Stable across retries of the same message, restarts included: `webhook-id`, the local part
  // of `Message-ID`.
  std::string id;
  // "page", "notify", "ticket", "reminder" (to a user), or for incident channels the timeline
  // event type ("incident.triggered", "incident.acknowledged", "update.posted", ...).
  std::string type;
  std::string recipient;       // user id, or "channel:<service>/<id>"
  std::string recipient_name;  // display name ("" for channels)
  std::string role;            // "primary", ..., "commander", "" for channels
  std::string summary;         // one line saying what happened, e.g. "Sev1 page (primary, step 0)"
  std::string detail;          // optional longer text (status update body, missed update, ...)
  std::vector<NoticeIncident> incidents;  // one, or several when bundled
  // How many notifications the message carries: 1, or more for a `bundle` (several may be about
  // one incident, e.g. its acknowledgement and its new commander to an incident channel).
  int bundled = 1;
  TimePoint created_at{};
  // Where this server takes the vendors' callbacks (server.public_url, or the address it bound),
  // and until when the message's links and buttons work (notify.link_ttl); "" and unset when the
  // message carries no links.
  std::string public_url;
  TimePoint links_expire_at{};
};

struct Destination {
  std::string type;                  // a ChannelType name (notify/channels.h)
  std::string address;               // e-mail address or URL
  std::vector<std::string> secrets;  // webhook: "whsec_<base64>" secrets, newest first
};

struct SendResult {
  enum class Outcome {
    kDelivered,  // accepted by the receiver
    kRetry,      // transient: try again later (5xx, timeout, connection refused, 429)
    kGone,       // the destination asked us to stop (HTTP 410): disable it
    kRejected,   // permanent for this message (e.g. Slack invalid_payload, SMTP 5xx on RCPT)
  };
  Outcome outcome = Outcome::kRetry;
  std::optional<Duration> retry_after;  // from a 429's Retry-After
  int status = 0;                       // HTTP status or SMTP reply code, 0 if none
  std::string error;  // short, for the timeline; never contains a secret or a URL with one
  // The provider's id of what it accepted (a Twilio SID), "" when none; recorded with the
  // attempt so that the provider's status callbacks find it.
  std::string provider_id;
};

const char* OutcomeName(SendResult::Outcome outcome);  // "delivered", "retry", "gone", "rejected"

class Channel {
 public:
  virtual ~Channel() = default;
  virtual SendResult Send(const Destination& to, const Notice& notice) = 0;
};

}  // namespace loom
