// TwilioClient: the two REST resources the sms and voice channels use — Messages (send an SMS)
// and Calls (place a call) — under `api_url` (default https://api.twilio.com/2010-04-01), with
// HTTP Basic auth (Account SID : Auth Token) and form-encoded bodies, through the outbound policy
// (notify/http_post.h) like every channel.
//
// Outcomes: 200/201 with a `sid` delivered (the SID is SendResult::provider_id); 429 retry with
// Retry-After; 408 and 5xx retry (503 with Retry-After); 401/403/404 and other 4xx rejected with
// Twilio's own `code` and `message` as the error (21610: the number replied STOP to Twilio). The
// Auth Token is never logged or put into an error.
//
// Thread safety: immutable after construction; Post may be called from several threads at once.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"
#include "notify/twilio/twilio_signature.h"

namespace loom {

inline constexpr char kTwilioDefaultApiUrl[] = "https://api.twilio.com/2010-04-01";

// `notify.providers.twilio` as the channels take it (secrets resolved from the environment).
struct TwilioOptions {
  std::string account_sid;
  std::string auth_token;             // a secret
  std::string from;                   // E.164 sender number ("" when messaging_service_sid)
  std::string messaging_service_sid;  // "MG…" instead of `from` (SMS only; calls need `from`)
  std::string api_url = kTwilioDefaultApiUrl;  // without a trailing '/'
  // Where Twilio calls us back (server.public_url, without a trailing '/'): status callbacks and
  // the voice <Gather> action are under <public_url>/v1/providers/twilio/.
  std::string public_url;
};

// Whether a number replied STOP (and not START since): the store's answer
// (OutboxStore::SmsOptedOut).
using SmsOptOutCheck = std::function<Result<bool>(const std::string& number)>;

// One name or value of a form (or query): letters, digits and - _ . ~ as they are, a space as
// '+', every other byte %XX.
std::string FormEscape(std::string_view text);

// "To=%2B15551234&Body=a+b": application/x-www-form-urlencoded, in the order given.
std::string FormEncode(const FormParams& params);

// The outcome of a Twilio REST answer (see the file comment).
SendResult ClassifyTwilioResponse(const HttpResponse& response);

class TwilioClient {
 public:
  // `clock` measures Retry-After dates; it must outlive the client.
  TwilioClient(TwilioOptions options, OutboundPolicy policy, Clock& clock, Duration timeout);

  // POST <api_url>/Accounts/<sid>/<resource> ("Messages.json", "Calls.json") with `params`.
  SendResult Post(std::string_view resource, const FormParams& params) const;

  const TwilioOptions& options() const { return options_; }

 private:
  TwilioOptions options_;
  OutboundPolicy policy_;
  Clock& clock_;
  Duration timeout_;
};

}  // namespace loom
