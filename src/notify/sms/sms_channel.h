// SmsChannel: a page as an SMS through Twilio's Messages resource (notify/twilio/twilio_client.h).
//
// The text names the incident, its severity and title and carries a reply code per incident:
// "Reply 12A to acknowledge, 12E to escalate" (12 is the incident's number). The reply comes back
// to POST /v1/providers/twilio/sms (src/http/twilio_handlers.cc), which ParseSmsReply reads. A
// bundle ("3 new incidents: …") lists up to kSmsMaxIncidents incidents, each with its number.
// A number that replied STOP gets nothing (kRejected, so the person's next contact method runs)
// until it replies START; Twilio itself refuses such a number too (error 21610).
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "notify/channel.h"
#include "notify/twilio/twilio_client.h"

namespace loom {

struct ChannelType;  // notify/channels.h

inline constexpr size_t kSmsMaxIncidents = 5;

class SmsChannel final : public Channel {
 public:
  // `opted_out` may be null (nothing is opted out).
  SmsChannel(std::shared_ptr<const TwilioClient> client, SmsOptOutCheck opted_out);

  // `to.address` is the E.164 number.
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  std::shared_ptr<const TwilioClient> client_;
  SmsOptOutCheck opted_out_;
};

// The text of the SMS (see the file comment).
std::string RenderSmsText(const Notice& notice);

// What a person's SMS to us asks for.
struct SmsReply {
  enum class Kind {
    kAcknowledge,  // "<n>A"
    kEscalate,     // "<n>E"
    kStop,         // STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT (Twilio's opt-out words)
    kStart,        // START, YES, UNSTOP (opt in again)
    kHelp,         // HELP, INFO
    kUnknown,
  };
  Kind kind = Kind::kUnknown;
  int64_t incident_number = 0;  // kAcknowledge, kEscalate
};

// Reads a reply: case and surrounding white space do not matter, "INC-12A" and "12 a" are 12A.
SmsReply ParseSmsReply(std::string_view body);

// "sms": contact methods with a `number`, through notify.providers.twilio; registered in
// notify/channels.cc.
extern const ChannelType kSmsChannelType;

}  // namespace loom
