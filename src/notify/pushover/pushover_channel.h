// PushoverChannel: pages through Pushover (https://pushover.net), whose emergency priority keeps
// alerting the phone until the person acknowledges in the Pushover app.
//
// Send: `POST <api_url>/1/messages.json`, form-encoded: the application `token`, the `user` key
// (the destination's secret), `title`, `message`, `url` (opens the incident) and `priority` by
// severity: a Sev1 page is emergency priority 2 (the runbook's "page immediately, ack within 5
// minutes"), repeated every `retry` seconds for `expire` seconds until acknowledged, with
// `callback` = <public URL>/v1/providers/pushover/callback (the public URL is the one the page's
// one-click links name); a Sev2 page is 1, Sev3 0, Sev4 and non-pages -1. An emergency page's
// `receipt` is remembered (notify/push_pages.h) for each incident of the message, so that
// Pushover's acknowledge callback acknowledges them as the recipient; a receipt that could not
// be remembered is logged (the page itself went out: the person still has its link).
//
// Settle (the incident was acknowledged elsewhere): `POST <api_url>/1/receipts/<receipt>/
// cancel.json` with `token`, which stops the phone's repeats.
//
// Outcomes: 200 with status 1 delivered; 429 (the application's monthly limit) retry with
// Retry-After; 408 and 5xx retry; other 4xx rejected with Pushover's first error (a wrong user
// key says so); anything else retry. Tokens and user keys never reach an error or a log.
//
// Thread safety: Send and Settle may be called concurrently; immutable after construction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"
#include "notify/push_pages.h"

namespace loom {

struct ChannelType;  // notify/channels.h

inline constexpr char kPushoverDefaultApiUrl[] = "https://api.pushover.net";
inline constexpr int kPushoverRetrySeconds = 60;     // an emergency page repeats every minute
inline constexpr int kPushoverExpireSeconds = 3600;  // for at most an hour

struct PushoverOptions {
  std::string app_token;  // the application's API token (a secret)
  std::string api_url = kPushoverDefaultApiUrl;
  Duration timeout = std::chrono::seconds(10);
};

class PushoverChannel final : public Channel, public PushSettler {
 public:
  // `clock` measures Retry-After dates; it must outlive the channel. `pages` may be null (no
  // receipts remembered: the callback then acknowledges nothing).
  PushoverChannel(OutboundPolicy policy, Clock& clock, PushoverOptions options,
                  std::shared_ptr<PushPageLog> pages);

  // `to.secrets[0]` is the user key.
  SendResult Send(const Destination& to, const Notice& notice) override;
  SendResult Settle(const std::vector<PushPageToSettle>& pages) override;

 private:
  // A form POST to `path` of the API.
  HttpRequest FormRequest(const std::string& path, std::string body) const;
  // Remembers the receipt for each incident of the notice the recipient may acknowledge; a
  // failure is logged (the page went out).
  void RememberReceipt(const std::string& receipt, const Notice& notice);

  OutboundPolicy policy_;
  Clock& clock_;
  PushoverOptions options_;
  std::shared_ptr<PushPageLog> pages_;
};

// Pushover's priority for a notice: 2 for a Sev1 page, 1 Sev2, 0 Sev3, -1 otherwise.
int PushoverPriority(const Notice& notice);

// `<public URL>/v1/providers/pushover/callback`, the public URL taken from a one-click link
// (<public URL>/a/<token>) of the notice; "" when the notice has none.
std::string PushoverCallbackUrl(const Notice& notice);

// The form body of the send (application token and user key included).
std::string RenderPushoverMessage(const Notice& notice, const std::string& app_token,
                                  const std::string& user_key);

// `value` percent-encoded for an application/x-www-form-urlencoded body.
std::string FormEncode(std::string_view value);

// The outcome of a send or cancel that got a status line (see the file comment); `receipt` is
// set from a delivered send's answer when it carries one.
SendResult ClassifyPushoverResponse(const HttpResponse& response, std::string* receipt = nullptr);

// "pushover": contact methods with `user_key_env`; needs notify.providers.pushover; registered in
// notify/channels.cc.
extern const ChannelType kPushoverChannelType;

}  // namespace loom
