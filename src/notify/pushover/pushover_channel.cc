#include "notify/pushover/pushover_channel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "notify/channels.h"
#include "notify/notice_text.h"
#include "notify/vendor_api.h"

namespace loom {
namespace {

constexpr size_t kMaxMessageBytes = 1000;  // Pushover's limit is 1024 characters
constexpr size_t kMaxTitleBytes = 240;     // and 250 for the title

bool HasSeverity(const Notice& notice, std::string_view severity) {
  return std::any_of(notice.incidents.begin(), notice.incidents.end(),
                     [&](const NoticeIncident& i) { return i.severity == severity; });
}

std::string Field(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + FormEncode(value);
}

}  // namespace

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

int PushoverPriority(const Notice& notice) {
  if (notice.type != "page") return -1;
  if (HasSeverity(notice, "sev1")) return 2;
  if (HasSeverity(notice, "sev2")) return 1;
  if (HasSeverity(notice, "sev3")) return 0;
  return -1;
}

std::string PushoverCallbackUrl(const Notice& notice) {
  for (const NoticeIncident& incident : notice.incidents) {
    for (const std::string* url : {&incident.ack_url, &incident.open_url}) {
      size_t at = url->rfind("/a/");
      if (at != std::string::npos) return url->substr(0, at) + "/v1/providers/pushover/callback";
    }
  }
  return "";
}

std::string RenderPushoverMessage(const Notice& notice, const std::string& app_token,
                                  const std::string& user_key) {
  std::string title = notice.summary;
  if (std::string headline = IncidentsHeadline(notice); !headline.empty()) {
    title += (title.empty() ? "" : ": ") + headline;
  }
  if (std::any_of(notice.incidents.begin(), notice.incidents.end(),
                  [](const NoticeIncident& i) { return i.drill; })) {
    title = "DRILL " + title;
  }
  std::string message;
  for (const NoticeIncident& incident : notice.incidents) {
    if (!message.empty()) message += "\n";
    message += incident.id + " " + incident.title;
    if (std::string facts = IncidentFacts(incident); !facts.empty()) message += " (" + facts + ")";
  }
  if (!notice.detail.empty()) message += (message.empty() ? "" : "\n") + notice.detail;
  if (message.empty()) message = notice.summary;

  const int priority = PushoverPriority(notice);
  std::string body = Field("token", app_token) + "&" + Field("user", user_key) + "&" +
                     Field("title", TruncateUtf8(title, kMaxTitleBytes)) + "&" +
                     Field("message", TruncateUtf8(message, kMaxMessageBytes)) + "&" +
                     Field("priority", std::to_string(priority));
  if (!notice.incidents.empty() && !notice.incidents.front().open_url.empty()) {
    body += "&" + Field("url", notice.incidents.front().open_url) + "&" +
            Field("url_title", "Open " + notice.incidents.front().id);
  }
  if (priority == 2) {
    body += "&" + Field("retry", std::to_string(kPushoverRetrySeconds)) + "&" +
            Field("expire", std::to_string(kPushoverExpireSeconds));
    if (std::string callback = PushoverCallbackUrl(notice); !callback.empty()) {
      body += "&" + Field("callback", callback);
    }
  }
  return body;
}

SendResult ClassifyPushoverResponse(const HttpResponse& response, std::string* receipt) {
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  std::string error;
  if (body.is_object() && body.contains("errors") && body["errors"].is_array() &&
      !body["errors"].empty() && body["errors"][0].is_string()) {
    error = body["errors"][0].get<std::string>();
  }
  const bool accepted = body.is_object() && body.value("status", 0) == 1;
  SendResult result = ClassifyVendorAnswer(response, accepted, ShortPrintable(error), {});
  if (result.outcome == SendResult::Outcome::kDelivered && receipt != nullptr &&
      body.contains("receipt") && body["receipt"].is_string()) {
    *receipt = body["receipt"].get<std::string>();
  }
  return result;
}

PushoverChannel::PushoverChannel(OutboundPolicy policy, Clock& clock, PushoverOptions options,
                                 std::shared_ptr<PushPageLog> pages)
    : policy_(std::move(policy)),
      clock_(clock),
      options_(std::move(options)),
      pages_(std::move(pages)) {}

SendResult PushoverChannel::Send(const Destination& to, const Notice& notice) {
  return GuardSend("pushover", [&] {
    if (to.secrets.empty()) {
      SendResult missing;
      missing.outcome = SendResult::Outcome::kRejected;
      missing.error = "pushover: no user key";
      return missing;
    }
    std::string receipt;
    SendResult result = PostToVendor(
        policy_,
        FormRequest("/1/messages.json",
                    RenderPushoverMessage(notice, options_.app_token, to.secrets[0])),
        clock_.Now(),
        [&receipt](const HttpResponse& r) { return ClassifyPushoverResponse(r, &receipt); });
    if (result.outcome == SendResult::Outcome::kDelivered && !receipt.empty() && pages_) {
      RememberReceipt(receipt, notice);
    }
    return result;
  });
}

HttpRequest PushoverChannel::FormRequest(const std::string& path, std::string body) const {
  HttpRequest request;
  request.url = options_.api_url + path;
  request.timeout = options_.timeout;
  request.body = std::move(body);
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "User-Agent: loom-oncall"};
  return request;
}

void PushoverChannel::RememberReceipt(const std::string& receipt, const Notice& notice) {
  std::vector<PushPage> pages;
  for (const NoticeIncident& incident : notice.incidents) {
    if (incident.ack_url.empty()) continue;  // only what the recipient may acknowledge
    PushPage page;
    page.channel = "pushover";
    page.ref = receipt;
    page.incident_number = incident.number;
    page.recipient = notice.recipient;
    page.created_at = clock_.Now();
    pages.push_back(std::move(page));
  }
  if (Status s = pages_->Remember(std::move(pages)); !s.ok()) {
    spdlog::warn("pushover: page {} sent, but its receipt was not recorded: {}", notice.id,
                 s.error().message);
  }
}

SendResult PushoverChannel::Settle(const std::vector<PushPageToSettle>& pages) {
  if (pages.empty()) {
    SendResult nothing;
    nothing.outcome = SendResult::Outcome::kDelivered;
    return nothing;
  }
  return GuardSend("pushover", [&] {
    const std::string& receipt = pages.front().page.ref;
    return PostToVendor(policy_,
                        FormRequest("/1/receipts/" + FormEncode(receipt) + "/cancel.json",
                                    Field("token", options_.app_token)),
                        clock_.Now(),
                        [](const HttpResponse& r) { return ClassifyPushoverResponse(r); });
  });
}

namespace {

constexpr ContactKey kPushoverKeys[] = {
    {.name = "user_key_env", .required = true, .from_env = true},
};

std::string ComposePushover(const std::map<std::string, std::string>& values, std::string* address,
                            std::vector<std::string>* secrets) {
  const std::string& key = values.at("user_key_env");
  if (key.empty()) return "user_key_env: the user key is empty";
  // The address only tells destinations apart (delivery's keys): a digest, never the key.
  *address = "user:" + Sha256Hex(key).substr(0, 16);
  secrets->push_back(key);
  return "";
}

Result<std::shared_ptr<Channel>> MakePushoverChannel(const ChannelSettings& settings) {
  auto provider = settings.providers.find("pushover");
  if (provider == settings.providers.end() || settings.pages == nullptr) {
    return std::shared_ptr<Channel>();
  }
  PushoverOptions options;
  options.app_token = provider->second.at("app_token");
  options.api_url = ProviderApiUrl(provider->second, kPushoverDefaultApiUrl);
  options.timeout = settings.timeout;
  return std::shared_ptr<Channel>(std::make_shared<PushoverChannel>(
      settings.policy, settings.clock, std::move(options), settings.pages));
}

}  // namespace

const ChannelType kPushoverChannelType = {
    .name = "pushover",
    .address = ChannelAddress::kKeys,
    .provider = "pushover",
    .keys = kPushoverKeys,
    .compose = &ComposePushover,
    .make = &MakePushoverChannel,
};

}  // namespace loom
