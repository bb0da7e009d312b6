#include "notify/voice/voice_channel.h"

#include <algorithm>
#include <cctype>

#include "notify/channels.h"
#include "notify/notice_text.h"
#include "notify/twilio/twiml.h"

namespace loom {
namespace {

constexpr size_t kMaxTitleBytes = 120;
constexpr size_t kMaxSpokenIncidents = 3;

// "sev1" → "severity 1"; anything else as it is.
std::string SpokenSeverity(const std::string& severity) {
  if (severity.size() == 4 && severity.starts_with("sev")) return "severity " + severity.substr(3);
  return severity;
}

std::string Spoken(const NoticeIncident& i) {
  std::string text = SpokenSeverity(i.severity) + " incident " + std::to_string(i.number) + ": " +
                     TruncateUtf8(i.title, kMaxTitleBytes);
  if (!i.service.empty()) text += ", service " + i.service;
  return text + ".";
}

}  // namespace

std::string RenderVoiceText(const Notice& notice) {
  std::string text = "This is loom on-call. ";
  const bool drill = std::any_of(notice.incidents.begin(), notice.incidents.end(),
                                 [](const NoticeIncident& i) { return i.drill; });
  if (drill) text += "This is a drill. ";
  if (notice.incidents.size() > 1) {
    text += std::to_string(notice.incidents.size()) + " new incidents. ";
  }
  const size_t shown = std::min(notice.incidents.size(), kMaxSpokenIncidents);
  for (size_t k = 0; k < shown; ++k) text += Spoken(notice.incidents[k]) + " ";
  if (notice.incidents.size() > shown) {
    text += "And " + std::to_string(notice.incidents.size() - shown) + " more. ";
  }
  text += "Press 1 to acknowledge. Press 2 to escalate.";
  return text;
}

std::string VoiceActionUrl(const std::string& public_url, const Notice& notice) {
  std::string numbers;
  for (const NoticeIncident& i : notice.incidents) {
    if (!numbers.empty()) numbers += ",";
    numbers += std::to_string(i.number);
  }
  return public_url + "/v1/providers/twilio/voice?incidents=" + numbers +
         "&user=" + FormEscape(notice.recipient);
}

std::string RenderVoiceTwiml(const Notice& notice, const std::string& public_url) {
  return TwimlGather(RenderVoiceText(notice), VoiceActionUrl(public_url, notice),
                     kVoiceGatherSeconds, "No key was pressed. Goodbye.");
}

VoiceChannel::VoiceChannel(std::shared_ptr<const TwilioClient> client)
    : client_(std::move(client)) {}

SendResult VoiceChannel::Send(const Destination& to, const Notice& notice) {
  try {
    const TwilioOptions& o = client_->options();
    FormParams params = {
        {"To", to.address},
        {"From", o.from},
        {"Twiml", RenderVoiceTwiml(notice, o.public_url)},
        {"MachineDetection", "Enable"},
        {"StatusCallback", o.public_url + "/v1/providers/twilio/voice/status"},
    };
    return client_->Post("Calls.json", params);
  } catch (const std::exception& e) {
    SendResult failed;
    failed.error = std::string("voice: ") + e.what();
    return failed;
  }
}

namespace {

Result<std::shared_ptr<Channel>> MakeVoiceChannel(const ChannelSettings& settings) {
  if (!settings.twilio) return std::shared_ptr<Channel>();
  // Calls need a sender number; the configuration refuses voice methods without one.
  if (settings.twilio->from.empty()) return std::shared_ptr<Channel>();
  return std::shared_ptr<Channel>(std::make_shared<VoiceChannel>(std::make_shared<TwilioClient>(
      *settings.twilio, settings.policy, settings.clock, settings.timeout)));
}

}  // namespace

const ChannelType kVoiceChannelType = {
    .name = "voice",
    .address = ChannelAddress::kPhoneNumber,
    .provider = "twilio.from",
    .make = &MakeVoiceChannel,
};

}  // namespace loom
