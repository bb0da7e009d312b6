#include "notify/mattermost/mattermost_message.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "notify/chat_webhook.h"
#include "notify/notice_text.h"

namespace loom {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxDetailBytes = 2000;
constexpr size_t kMaxTitleBytes = 300;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Triggered red, acknowledged amber, mitigated blue, resolved and closed green.
const char* StateColor(std::string_view state) {
  if (state == "acknowledged") return "#f2a900";
  if (state == "mitigated") return "#1f6feb";
  if (state == "resolved" || state == "closed") return "#2da44e";
  return "#d1242f";
}

json Field(std::string title, std::string_view value) {
  return {{"short", true}, {"title", std::move(title)}, {"value", EscapeMarkdown(value)}};
}

json Attachment(const NoticeIncident& incident, std::string_view footer, std::string_view secret,
                std::string_view callback_url) {
  const std::string title = incident.id + " " + TruncateUtf8(incident.title, kMaxTitleBytes);
  json fields = json::array();
  if (!incident.severity.empty())
    fields.push_back(Field("Severity", SeverityLabel(incident.severity)));
  if (!incident.service.empty()) fields.push_back(Field("Service", incident.service));
  if (!incident.state.empty()) fields.push_back(Field("State", incident.state));
  json a = {{"fallback", title + " (" + IncidentFacts(incident) + ")"},
            {"color", StateColor(incident.state)},
            {"title", title},
            {"text", EscapeMarkdown(IncidentFacts(incident))},
            {"fields", std::move(fields)}};
  if (!incident.open_url.empty()) a["title_link"] = incident.open_url;
  if (!footer.empty()) a["footer"] = std::string(footer);
  if (!secret.empty()) {
    json context = {{"action", "acknowledge"},
                    {"secret", std::string(secret)},
                    {"incident", incident.id},
                    {"open_url", incident.open_url}};
    a["actions"] = json::array(
        {{{"id", "acknowledge"},
          {"type", "button"},
          {"name", "Acknowledge"},
          {"style", "danger"},
          {"integration", {{"url", std::string(callback_url)}, {"context", context}}}}});
  }
  return a;
}

}  // namespace

std::string RenderMattermostPost(const Notice& notice, const std::vector<std::string>& secrets,
                                 std::string_view callback_url) {
  std::string text = "**" + EscapeMarkdown(notice.summary) + "**";
  if (!notice.detail.empty()) {
    text += "\n" + EscapeMarkdown(TruncateUtf8(notice.detail, kMaxDetailBytes));
  }
  const size_t shown = std::min(notice.incidents.size(), kMattermostMaxIncidents);
  if (notice.incidents.size() > shown) {
    text += "\n_and " + std::to_string(notice.incidents.size() - shown) + " more_";
  }
  const std::string footer = NoticeFooter(notice);
  json attachments = json::array();
  for (size_t i = 0; i < shown; ++i) {
    const std::string_view secret = i < secrets.size() ? secrets[i] : std::string_view();
    attachments.push_back(Attachment(notice.incidents[i], footer, secret, callback_url));
  }
  json post = {{"username", "loom-oncall"}, {"text", text}, {"attachments", attachments}};
  return Dump(post);
}

std::string RenderMattermostUpdate(const NoticeIncident& incident, std::string_view message,
                                   std::string_view ephemeral) {
  json update = {
      {"update",
       {{"message", std::string(message)},
        {"props", {{"attachments", json::array({Attachment(incident, "loom-oncall", "", "")})}}}}},
      {"ephemeral_text", std::string(ephemeral)}};
  return Dump(update);
}

std::string RenderMattermostEphemeral(std::string_view text) {
  return Dump(json{{"ephemeral_text", std::string(text)}});
}

}  // namespace loom
