#include "notify/slack/slack_channel.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "notify/channels.h"
#include "notify/chat_webhook.h"
#include "notify/notice_text.h"

namespace loom {
namespace {

// Slack limits a section's text to 3000 characters; these keep every section well inside it.
constexpr size_t kMaxDetailBytes = 2000;
constexpr size_t kMaxTitleBytes = 300;

nlohmann::json Mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

nlohmann::json Section(std::string text) { return {{"type", "section"}, {"text", Mrkdwn(text)}}; }

nlohmann::json Context(std::string text) {
  return {{"type", "context"}, {"elements", nlohmann::json::array({Mrkdwn(std::move(text))})}};
}

// <url|label>. The URL is entity-escaped like text (Slack unescapes it), and a '|' in it, which
// would end the URL early, is percent-encoded.
std::string Link(std::string_view url, std::string_view label) {
  std::string escaped_url;
  for (char c : EscapeSlackText(url)) {
    if (c == '|')
      escaped_url += "%7C";
    else
      escaped_url += c;
  }
  return "<" + escaped_url + "|" + EscapeSlackText(label) + ">";
}

std::string IncidentSection(const NoticeIncident& incident) {
  std::string text = "*" + EscapeSlackText(incident.id) + "* " +
                     EscapeSlackText(TruncateUtf8(incident.title, kMaxTitleBytes));
  std::string facts = IncidentFacts(incident);
  if (!facts.empty()) text += "\n" + EscapeSlackText(facts);
  std::string links;
  if (!incident.ack_url.empty()) links += Link(incident.ack_url, "Acknowledge");
  if (!incident.open_url.empty()) {
    if (!links.empty()) links += "  \u00b7  ";
    links += Link(incident.open_url, "Open");
  }
  if (!links.empty()) text += "\n" + links;
  return text;
}

bool BodyIs(std::string_view body, std::initializer_list<std::string_view> codes) {
  std::string code = ShortPrintable(body);
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

std::string EscapeSlackText(std::string_view text) {
  // Slack's three control characters take the HTML entities; quotes stay as they are.
  return EscapeHtml(text, /*quotes=*/false);
}

std::string RenderSlackMessage(const Notice& notice) {
  std::string headline = IncidentsHeadline(notice);
  std::string fallback = notice.summary;
  if (!headline.empty()) fallback += (fallback.empty() ? "" : ": ") + headline;

  nlohmann::json blocks = nlohmann::json::array();
  std::string top = "*" + EscapeSlackText(notice.summary) + "*";
  if (!notice.detail.empty()) {
    top += "\n" + EscapeSlackText(TruncateUtf8(notice.detail, kMaxDetailBytes));
  }
  blocks.push_back(Section(top));
  size_t shown = std::min(notice.incidents.size(), kSlackMaxIncidents);
  for (size_t i = 0; i < shown; ++i)
    blocks.push_back(Section(IncidentSection(notice.incidents[i])));
  if (notice.incidents.size() > shown) {
    blocks.push_back(Context("and " + std::to_string(notice.incidents.size() - shown) + " more"));
  }
  blocks.push_back(Context(EscapeSlackText(NoticeFooter(notice))));

  nlohmann::json message = {{"text", EscapeSlackText(fallback)}, {"blocks", std::move(blocks)}};
  return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SendResult ClassifySlackResponse(const HttpResponse& response) {
  std::string body = ShortPrintable(response.body);
  const bool accepted = response.status == 200 && body == "ok";
  const bool gone = BodyIs(body, {"no_service", "no_team", "team_disabled", "invalid_token",
                                  "channel_not_found", "channel_is_archived"});
  return ClassifyChatAnswer(response, accepted, gone, body);
}

SlackChannel::SlackChannel(OutboundPolicy policy, Clock& clock, Duration timeout)
    : policy_(std::move(policy)), clock_(clock), timeout_(timeout) {}

SendResult SlackChannel::Send(const Destination& to, const Notice& notice) {
  return PostChatMessage(policy_, clock_, timeout_, to.address, RenderSlackMessage(notice), "slack",
                         &ClassifySlackResponse);
}

namespace {

Result<std::shared_ptr<Channel>> MakeSlackChannel(const ChannelSettings& settings) {
  return std::shared_ptr<Channel>(
      std::make_shared<SlackChannel>(settings.policy, settings.clock, settings.timeout));
}

}  // namespace

const ChannelType kSlackChannelType = {
    .name = "slack",
    .address = ChannelAddress::kUrl,
    .incident_channel = true,
    .make = &MakeSlackChannel,
};

}  // namespace loom
