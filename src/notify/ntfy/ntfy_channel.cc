#include "notify/ntfy/ntfy_channel.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "notify/channels.h"
#include "notify/notice_text.h"
#include "notify/vendor_api.h"

namespace loom {
namespace {

constexpr size_t kMaxBodyBytes = 3500;  // ntfy keeps messages up to 4096 bytes as text
constexpr size_t kMaxTitleBytes = 200;

// A header value: printable ASCII only (a non-ASCII character becomes '?', controls a space),
// so that no value can end the header or start another.
std::string HeaderValue(std::string_view text, size_t max) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= max) break;
    if (c >= 0x80) {
      // One '?' per UTF-8 character: skip continuation bytes.
      if ((c & 0xc0) != 0x80) out += '?';
    } else if (c < 0x20 || c == 0x7f) {
      out += ' ';
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// An action's label or URL, quoted when it holds one of the separators of the header syntax.
std::string ActionField(std::string_view value) {
  std::string v = HeaderValue(value, 2000);
  if (v.find_first_of(",;=\"'") == std::string::npos) return v;
  std::replace(v.begin(), v.end(), '"', '\'');
  return "\"" + v + "\"";
}

std::string IncidentText(const NoticeIncident& incident) {
  std::string text = incident.id + " " + TruncateUtf8(incident.title, kMaxTitleBytes);
  if (std::string facts = IncidentFacts(incident); !facts.empty()) text += "\n" + facts;
  return text;
}

}  // namespace

int NtfyPriority(const Notice& notice) {
  if (notice.type != "page") return 3;
  static constexpr std::array<std::pair<std::string_view, int>, 4> kBySeverity = {
      {{"sev1", 5}, {"sev2", 4}, {"sev3", 3}, {"sev4", 2}}};
  int priority = 0;
  for (const NoticeIncident& incident : notice.incidents) {
    for (const auto& [severity, p] : kBySeverity) {
      if (incident.severity == severity) priority = std::max(priority, p);
    }
  }
  return priority == 0 ? 3 : priority;
}

HttpRequest RenderNtfyPublish(const std::string& url, const Notice& notice) {
  HttpRequest request;
  request.url = url;
  std::string title = notice.summary;
  if (std::string headline = IncidentsHeadline(notice); !headline.empty()) {
    title += (title.empty() ? "" : ": ") + headline;
  }
  const bool drill = std::any_of(notice.incidents.begin(), notice.incidents.end(),
                                 [](const NoticeIncident& i) { return i.drill; });
  if (drill) title = "DRILL " + title;
  std::string body;
  for (const NoticeIncident& incident : notice.incidents) {
    if (!body.empty()) body += "\n\n";
    body += IncidentText(incident);
  }
  if (!notice.detail.empty()) body += (body.empty() ? "" : "\n\n") + notice.detail;
  if (body.empty()) body = notice.summary;
  request.body = TruncateUtf8(body, kMaxBodyBytes);

  std::vector<std::string> actions;
  const bool one = notice.incidents.size() == 1;
  for (const NoticeIncident& incident : notice.incidents) {
    if (incident.ack_url.empty() || actions.size() >= kNtfyMaxActions) continue;
    actions.push_back("http, " + ActionField(one ? "Acknowledge" : "Ack " + incident.id) + ", " +
                      ActionField(incident.ack_url) + ", method=POST, clear=true");
  }
  if (one && !notice.incidents.front().open_url.empty() && actions.size() < kNtfyMaxActions) {
    actions.push_back("view, Open, " + ActionField(notice.incidents.front().open_url));
  }
  std::string actions_header;
  for (const std::string& a : actions) actions_header += (actions_header.empty() ? "" : "; ") + a;

  const int priority = NtfyPriority(notice);
  request.headers = {"Content-Type: text/plain; charset=utf-8", "User-Agent: loom-oncall",
                     "Title: " + HeaderValue(title, kMaxTitleBytes),
                     "Priority: " + std::to_string(priority),
                     std::string("Tags: ") + (priority >= 5 ? "rotating_light" : "warning") +
                         (drill ? ",drill" : "")};
  if (!notice.incidents.empty() && !notice.incidents.front().open_url.empty()) {
    request.headers.push_back("Click: " + HeaderValue(notice.incidents.front().open_url, 2000));
  }
  if (!actions_header.empty()) request.headers.push_back("Actions: " + actions_header);
  return request;
}

SendResult ClassifyNtfyResponse(const HttpResponse& response) {
  std::string error;
  if (auto body = nlohmann::json::parse(response.body, nullptr, false);
      body.is_object() && body.contains("error") && body["error"].is_string()) {
    error = body["error"].get<std::string>();
  }
  return ClassifyVendorAnswer(response, /*accepted=*/true,
                              ShortPrintable(error.empty() ? response.body : error));
}

NtfyChannel::NtfyChannel(OutboundPolicy policy, Clock& clock, Duration timeout)
    : policy_(std::move(policy)), clock_(clock), timeout_(timeout) {}

SendResult NtfyChannel::Send(const Destination& to, const Notice& notice) {
  return GuardSend("ntfy", [&] {
    HttpRequest request = RenderNtfyPublish(to.address, notice);
    request.timeout = timeout_;
    if (!to.secrets.empty()) request.headers.push_back("Authorization: Bearer " + to.secrets[0]);
    return PostToVendor(policy_, request, clock_.Now(), ClassifyNtfyResponse);
  });
}

namespace {

// A topic as ntfy accepts it: 1 to 64 of [A-Za-z0-9_-].
bool IsNtfyTopic(std::string_view topic) {
  return !topic.empty() && topic.size() <= 64 &&
         std::all_of(topic.begin(), topic.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
         });
}

constexpr ContactKey kNtfyKeys[] = {
    {.name = "topic", .required = true},
    {.name = "server"},
    {.name = "token_env", .from_env = true},
};

std::string ComposeNtfy(const std::map<std::string, std::string>& values, std::string* address,
                        std::vector<std::string>* secrets) {
  const std::string& topic = values.at("topic");
  if (!IsNtfyTopic(topic)) {
    return "topic '" + topic + "' is not an ntfy topic (1 to 64 of A-Z a-z 0-9 _ -)";
  }
  std::string server = kNtfyDefaultServer;
  if (auto it = values.find("server"); it != values.end()) server = it->second;
  if (!server.starts_with("http://") && !server.starts_with("https://")) {
    return "server '" + server + "' is not an http(s) URL";
  }
  while (server.ends_with("/")) server.pop_back();
  *address = server + "/" + topic;
  if (auto it = values.find("token_env"); it != values.end() && !it->second.empty()) {
    secrets->push_back(it->second);
  }
  return "";
}

Result<std::shared_ptr<Channel>> MakeNtfyChannel(const ChannelSettings& settings) {
  return std::shared_ptr<Channel>(
      std::make_shared<NtfyChannel>(settings.policy, settings.clock, settings.timeout));
}

}  // namespace

const ChannelType kNtfyChannelType = {
    .name = "ntfy",
    .address = ChannelAddress::kKeys,
    .keys = kNtfyKeys,
    .compose = &ComposeNtfy,
    .make = &MakeNtfyChannel,
};

}  // namespace loom
