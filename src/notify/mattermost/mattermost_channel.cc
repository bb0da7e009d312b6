#include "notify/mattermost/mattermost_channel.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/crypto.h"
#include "notify/channels.h"
#include "notify/chat_webhook.h"
#include "notify/mattermost/mattermost_message.h"

namespace loom {

bool MattermostButtonFor(const Notice& notice, const NoticeIncident& incident) {
  if (notice.public_url.empty() || incident.state != "triggered") return false;
  return !incident.ack_url.empty() || notice.recipient.starts_with("channel:");
}

SendResult ClassifyMattermostResponse(const HttpResponse& response) {
  std::string error = ShortPrintable(response.body);
  // Mattermost answers errors as {"id": ..., "message": ..., "status_code": ...}.
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    error = ShortPrintable(parsed["message"].get<std::string>());
  }
  return ClassifyChatAnswer(response, response.status == 200, /*gone=*/false, std::move(error));
}

MattermostChannel::MattermostChannel(OutboundPolicy policy, Clock& clock,
                                     std::shared_ptr<MessageActionLog> actions, Duration timeout)
    : policy_(std::move(policy)), clock_(clock), actions_(std::move(actions)), timeout_(timeout) {}

SendResult MattermostChannel::Send(const Destination& to, const Notice& notice) {
  std::vector<std::string> secrets;
  std::vector<MessageAction> kept;
  if (actions_ != nullptr) {
    const TimePoint now = clock_.Now();
    const size_t shown = std::min(notice.incidents.size(), kMattermostMaxIncidents);
    for (size_t i = 0; i < shown; ++i) {
      const NoticeIncident& incident = notice.incidents[i];
      secrets.emplace_back();
      if (!MattermostButtonFor(notice, incident)) continue;
      secrets.back() = RandomHex(32);
      MessageAction action;
      action.secret_hash = Sha256Hex(secrets.back());
      action.channel = "mattermost";
      action.incident_number = incident.number;
      action.recipient = notice.recipient;
      action.notice_id = notice.id;
      action.created_at = now;
      action.expires_at = notice.links_expire_at;
      kept.push_back(std::move(action));
    }
  }
  if (!kept.empty()) {
    Status saved = actions_->Keep(std::move(kept));
    if (!saved.ok()) {
      SendResult failed;
      failed.error = "cannot keep the buttons: " + saved.error().message;
      return failed;
    }
  }
  const std::string callback = notice.public_url + std::string(kMattermostActionPath);
  return PostChatMessage(policy_, clock_, timeout_, to.address,
                         RenderMattermostPost(notice, secrets, callback), "mattermost",
                         &ClassifyMattermostResponse);
}

namespace {

Result<std::shared_ptr<Channel>> MakeMattermostChannel(const ChannelSettings& settings) {
  return std::shared_ptr<Channel>(std::make_shared<MattermostChannel>(
      settings.policy, settings.clock, settings.actions, settings.timeout));
}

}  // namespace

const ChannelType kMattermostChannelType = {
    .name = "mattermost",
    .address = ChannelAddress::kUrl,
    .incident_channel = true,
    .make = &MakeMattermostChannel,
};

}  // namespace loom
