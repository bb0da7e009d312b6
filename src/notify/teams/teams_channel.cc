#include "notify/teams/teams_channel.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "notify/channels.h"
#include "notify/chat_webhook.h"
#include "notify/notice_text.h"

namespace loom {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxDetailBytes = 2000;
constexpr size_t kMaxTitleBytes = 300;

json TextBlock(std::string text) {
  return {{"type", "TextBlock"}, {"text", std::move(text)}, {"wrap", true}};
}

json Fact(std::string title, std::string_view value) {
  return {{"title", std::move(title)}, {"value", EscapeMarkdown(value)}};
}

json OpenUrl(std::string title, std::string url) {
  return {{"type", "Action.OpenUrl"}, {"title", std::move(title)}, {"url", std::move(url)}};
}

// One incident: its headline, its facts and its buttons, as a Container.
json IncidentContainer(const NoticeIncident& incident, bool separator) {
  json items = json::array();
  json headline = TextBlock("**" + EscapeMarkdown(incident.id) + "** " +
                            EscapeMarkdown(TruncateUtf8(incident.title, kMaxTitleBytes)));
  headline["size"] = "Medium";
  items.push_back(std::move(headline));
  json facts = json::array();
  facts.push_back(Fact("Incident", incident.id));
  if (!incident.severity.empty())
    facts.push_back(Fact("Severity", SeverityLabel(incident.severity)));
  if (!incident.service.empty()) facts.push_back(Fact("Service", incident.service));
  if (!incident.kind.empty()) facts.push_back(Fact("Kind", incident.kind));
  if (!incident.state.empty()) facts.push_back(Fact("State", incident.state));
  items.push_back({{"type", "FactSet"}, {"facts", std::move(facts)}});
  json actions = json::array();
  if (!incident.ack_url.empty()) {
    json ack = OpenUrl("Acknowledge", incident.ack_url);
    ack["style"] = "positive";
    actions.push_back(std::move(ack));
  }
  if (!incident.open_url.empty()) actions.push_back(OpenUrl("Open", incident.open_url));
  if (!actions.empty()) items.push_back({{"type", "ActionSet"}, {"actions", std::move(actions)}});
  json container = {{"type", "Container"}, {"items", std::move(items)}};
  if (separator) container["separator"] = true;
  return container;
}

}  // namespace

std::string RenderTeamsMessage(const Notice& notice) {
  json body = json::array();
  json top = TextBlock(EscapeMarkdown(notice.summary));
  top["weight"] = "Bolder";
  top["size"] = "Large";
  body.push_back(std::move(top));
  if (!notice.detail.empty()) {
    body.push_back(TextBlock(EscapeMarkdown(TruncateUtf8(notice.detail, kMaxDetailBytes))));
  }
  const size_t shown = std::min(notice.incidents.size(), kTeamsMaxIncidents);
  for (size_t i = 0; i < shown; ++i) {
    body.push_back(IncidentContainer(notice.incidents[i], /*separator=*/i > 0));
  }
  if (notice.incidents.size() > shown) {
    body.push_back(TextBlock("and " + std::to_string(notice.incidents.size() - shown) + " more"));
  }
  json footer = TextBlock(EscapeMarkdown(NoticeFooter(notice)));
  footer["size"] = "Small";
  footer["isSubtle"] = true;
  body.push_back(std::move(footer));

  std::string headline = IncidentsHeadline(notice);
  json card = {{"type", "AdaptiveCard"},
               {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"version", "1.4"},
               {"fallbackText", notice.summary + (headline.empty() ? "" : ": " + headline)},
               {"body", std::move(body)}};
  json message = {
      {"type", "message"},
      {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                    {"contentUrl", nullptr},
                                    {"content", std::move(card)}}})}};
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

SendResult ClassifyTeamsResponse(const HttpResponse& response) {
  std::string error = ShortPrintable(response.body);
  // Workflows answers errors as {"error": {"code": ..., "message": ...}}.
  json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const json& e = parsed["error"];
    auto text = [&e](const char* key) {
      auto it = e.find(key);
      return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string code = text("code");
    std::string message = text("message");
    error = ShortPrintable(code.empty() ? message : message.empty() ? code : code + ": " + message);
  }
  const bool accepted = response.status >= 200 && response.status < 300;
  return ClassifyChatAnswer(response, accepted, /*gone=*/false, std::move(error));
}

TeamsChannel::TeamsChannel(OutboundPolicy policy, Clock& clock, Duration timeout)
    : policy_(std::move(policy)), clock_(clock), timeout_(timeout) {}

SendResult TeamsChannel::Send(const Destination& to, const Notice& notice) {
  return PostChatMessage(policy_, clock_, timeout_, to.address, RenderTeamsMessage(notice), "teams",
                         &ClassifyTeamsResponse);
}

namespace {

Result<std::shared_ptr<Channel>> MakeTeamsChannel(const ChannelSettings& settings) {
  return std::shared_ptr<Channel>(
      std::make_shared<TeamsChannel>(settings.policy, settings.clock, settings.timeout));
}

}  // namespace

const ChannelType kTeamsChannelType = {
    .name = "teams",
    .address = ChannelAddress::kUrl,
    .incident_channel = true,
    .make = &MakeTeamsChannel,
};

}  // namespace loom
