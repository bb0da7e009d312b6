// VoiceChannel: a page as a phone call through Twilio's Calls resource
// (notify/twilio/twilio_client.h).
//
// The call carries its TwiML inline (`Twiml`): it says the incident (severity, number, title,
// service) and <Gather>s one key, POSTed to <public_url>/v1/providers/twilio/voice with the
// incidents and the person in the query (the query is covered by Twilio's signature, so it
// cannot be forged): 1 acknowledges, 2 escalates (src/http/twilio_handlers.cc). The call asks for
// answering-machine detection (`MachineDetection=Enable`): a machine or fax does not count as
// reached. Its status callback goes to <public_url>/v1/providers/twilio/voice/status.
//
// Thread safety: Send may be called concurrently; the channel is immutable after construction.
#pragma once

#include <memory>
#include <string>

#include "notify/channel.h"
#include "notify/twilio/twilio_client.h"

namespace loom {

struct ChannelType;  // notify/channels.h

// How long the call waits for a key, in seconds.
inline constexpr int kVoiceGatherSeconds = 10;

class VoiceChannel final : public Channel {
 public:
  explicit VoiceChannel(std::shared_ptr<const TwilioClient> client);

  // `to.address` is the E.164 number.
  SendResult Send(const Destination& to, const Notice& notice) override;

 private:
  std::shared_ptr<const TwilioClient> client_;
};

// What the call says (plain text, before XML escaping).
std::string RenderVoiceText(const Notice& notice);

// The URL the <Gather> posts the key to: <public_url>/v1/providers/twilio/voice?incidents=12,13
// &user=<recipient>.
std::string VoiceActionUrl(const std::string& public_url, const Notice& notice);

// The call's TwiML (see the file comment).
std::string RenderVoiceTwiml(const Notice& notice, const std::string& public_url);

// "voice": contact methods with a `number`, through notify.providers.twilio; registered in
// notify/channels.cc.
extern const ChannelType kVoiceChannelType;

}  // namespace loom
