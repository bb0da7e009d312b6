#include "notify/telegram/telegram_channel.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "notify/channels.h"
#include "notify/notice_text.h"
#include "notify/vendor_api.h"

namespace loom {
namespace {

constexpr size_t kMaxTitleBytes = 300;
constexpr size_t kMaxDetailBytes = 1500;

// A chat id as Telegram takes it: a number when it is one (private chats and groups), else the
// "@channelusername" string.
nlohmann::json ChatId(const std::string& chat_id) {
  if (!chat_id.empty() && (std::isdigit(static_cast<unsigned char>(chat_id[0])) != 0 ||
                           (chat_id[0] == '-' && chat_id.size() > 1))) {
    try {
      size_t used = 0;
      long long n = std::stoll(chat_id, &used);
      if (used == chat_id.size()) return n;
    } catch (const std::exception&) {
    }
  }
  return chat_id;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StateLabel(std::string_view state) {
  std::string label(state);
  if (!label.empty())
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  return label;
}

}  // namespace

std::string EscapeTelegramHtml(std::string_view text) { return EscapeHtml(text, /*quotes=*/false); }

std::string TelegramIncidentLine(const NoticeIncident& incident) {
  std::string line = "<b>" + EscapeTelegramHtml(incident.id) + "</b> " +
                     EscapeTelegramHtml(TruncateUtf8(incident.title, kMaxTitleBytes));
  if (std::string facts = IncidentFacts(incident); !facts.empty()) {
    line += "\n" + EscapeTelegramHtml(facts);
  }
  return line;
}

std::string RenderTelegramMessage(const std::string& chat_id, const Notice& notice,
                                  const std::vector<std::string>& refs) {
  const bool drill = std::any_of(notice.incidents.begin(), notice.incidents.end(),
                                 [](const NoticeIncident& i) { return i.drill; });
  std::string text = "<b>" + EscapeTelegramHtml((drill ? "DRILL " : "") + notice.summary) + "</b>";
  if (!notice.detail.empty()) {
    text += "\n" + EscapeTelegramHtml(TruncateUtf8(notice.detail, kMaxDetailBytes));
  }
  nlohmann::json keyboard = nlohmann::json::array();
  const size_t shown = std::min(notice.incidents.size(), kTelegramMaxIncidents);
  for (size_t i = 0; i < shown; ++i) {
    const NoticeIncident& incident = notice.incidents[i];
    text += "\n\n" + TelegramIncidentLine(incident);
    nlohmann::json row = nlohmann::json::array();
    const std::string suffix = shown > 1 ? " " + incident.id : "";
    if (i < refs.size() && !refs[i].empty()) {
      row.push_back({{"text", "Acknowledge" + suffix},
                     {"callback_data", std::string(kTelegramAckPrefix) + refs[i]}});
    }
    if (!incident.open_url.empty()) {
      row.push_back({{"text", "Open" + suffix}, {"url", incident.open_url}});
    }
    if (!row.empty()) keyboard.push_back(std::move(row));
  }
  if (notice.incidents.size() > shown) {
    text += "\n\nand " + std::to_string(notice.incidents.size() - shown) + " more";
  }
  nlohmann::json body = {{"chat_id", ChatId(chat_id)},
                         {"text", text},
                         {"parse_mode", "HTML"},
                         {"disable_web_page_preview", true}};
  if (!keyboard.empty()) body["reply_markup"] = {{"inline_keyboard", std::move(keyboard)}};
  return Dump(body);
}

std::string RenderTelegramEdit(const std::vector<PushPageToSettle>& pages) {
  std::string text;
  for (const PushPageToSettle& p : pages) {
    if (!text.empty()) text += "\n\n";
    text +=
        p.page.text + "\n\u2705 <b>" + EscapeTelegramHtml(StateLabel(p.incident_state)) + "</b>";
    if (!p.commander.empty()) text += " \u00b7 " + EscapeTelegramHtml(p.commander);
  }
  const PushPage& first = pages.front().page;
  nlohmann::json body = {{"chat_id", ChatId(first.address)},
                         {"message_id", ChatId(first.message_id)},
                         {"text", text},
                         {"parse_mode", "HTML"},
                         {"disable_web_page_preview", true},
                         {"reply_markup", {{"inline_keyboard", nlohmann::json::array()}}}};
  return Dump(body);
}

SendResult ClassifyTelegramResponse(const HttpResponse& response, std::string* message_id) {
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  std::string description;
  if (body.is_object() && body.contains("description") && body["description"].is_string()) {
    description = body["description"].get<std::string>();
  }
  const bool ok = body.is_object() && body.value("ok", false);
  SendResult result = ClassifyVendorAnswer(response, ok, ShortPrintable(description), {403});
  if (result.outcome == SendResult::Outcome::kDelivered && message_id != nullptr &&
      body.contains("result") && body["result"].is_object()) {
    const auto& id = body["result"].value("message_id", nlohmann::json());
    if (id.is_number_integer()) *message_id = std::to_string(id.get<int64_t>());
  }
  // A 429's wait is in the body (parameters.retry_after), the header being optional.
  if (response.status == 429 && body.is_object() && body.contains("parameters") &&
      body["parameters"].is_object()) {
    const auto& after = body["parameters"].value("retry_after", nlohmann::json());
    if (after.is_number_integer() && after.get<int64_t>() >= 0) {
      result.retry_after = std::chrono::seconds(after.get<int64_t>());
    }
  }
  return result;
}

TelegramChannel::TelegramChannel(OutboundPolicy policy, Clock& clock, TelegramOptions options,
                                 std::shared_ptr<PushPageLog> pages)
    : policy_(std::move(policy)),
      clock_(clock),
      options_(std::move(options)),
      pages_(std::move(pages)) {}

SendResult TelegramChannel::Call(const std::string& method, const std::string& json,
                                 std::string* message_id) const {
  HttpRequest request;
  request.url = options_.api_url + "/bot" + options_.bot_token + "/" + method;
  request.timeout = options_.timeout;
  request.body = json;
  request.headers = {"Content-Type: application/json", "User-Agent: loom-oncall"};
  return PostToVendor(policy_, request, clock_.Now(), [message_id](const HttpResponse& r) {
    return ClassifyTelegramResponse(r, message_id);
  });
}

SendResult TelegramChannel::Send(const Destination& to, const Notice& notice) {
  return GuardSend("telegram", [&] {
    std::vector<std::string> refs;
    std::vector<PushPage> pages = PagesOf(to, notice, &refs);
    if (!pages.empty()) {
      if (Status s = pages_->Remember(pages); !s.ok()) {
        SendResult later;
        later.error = "cannot record the page: " + s.error().message;
        return later;
      }
    }
    std::string message_id;
    SendResult result =
        Call("sendMessage", RenderTelegramMessage(to.address, notice, refs), &message_id);
    if (result.outcome == SendResult::Outcome::kDelivered && !message_id.empty() &&
        !pages.empty()) {
      for (PushPage& page : pages) page.message_id = message_id;
      // Without the id the message is not edited later; the page itself went out.
      (void)pages_->Remember(std::move(pages));
    }
    return result;
  });
}

std::vector<PushPage> TelegramChannel::PagesOf(const Destination& to, const Notice& notice,
                                               std::vector<std::string>* refs) const {
  std::vector<PushPage> pages;
  for (size_t i = 0; i < notice.incidents.size() && i < kTelegramMaxIncidents; ++i) {
    const NoticeIncident& incident = notice.incidents[i];
    if (incident.ack_url.empty()) {
      refs->emplace_back();
      continue;
    }
    PushPage page;
    page.channel = "telegram";
    page.ref = RandomHex(8);
    page.incident_number = incident.number;
    page.recipient = notice.recipient;
    page.address = to.address;
    page.text = TelegramIncidentLine(incident);
    page.created_at = clock_.Now();
    refs->push_back(page.ref);
    pages.push_back(std::move(page));
  }
  return pages;
}

SendResult TelegramChannel::Settle(const std::vector<PushPageToSettle>& pages) {
  SendResult done;
  done.outcome = SendResult::Outcome::kDelivered;
  if (pages.empty() || pages.front().page.message_id.empty()) return done;  // nothing to edit
  return GuardSend("telegram", [&] {
    SendResult result = Call("editMessageText", RenderTelegramEdit(pages));
    if (result.status == 400 && result.error.find("message is not modified") != std::string::npos) {
      return done;
    }
    return result;
  });
}

namespace {

constexpr ContactKey kTelegramKeys[] = {
    {.name = "chat_id", .required = true},
};

std::string ComposeTelegram(const std::map<std::string, std::string>& values, std::string* address,
                            std::vector<std::string>*) {
  const std::string& chat = values.at("chat_id");
  const bool numeric =
      !chat.empty() &&
      std::all_of(chat.begin() + (chat[0] == '-' ? 1 : 0), chat.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
      chat != "-";
  const bool channel_name = chat.size() > 1 && chat[0] == '@';
  if (!numeric && !channel_name) {
    return "chat_id '" + chat + "' is not a Telegram chat id (a number, or @channelname)";
  }
  *address = chat;
  return "";
}

Result<std::shared_ptr<Channel>> MakeTelegramChannel(const ChannelSettings& settings) {
  auto provider = settings.providers.find("telegram");
  if (provider == settings.providers.end() || settings.pages == nullptr) {
    return std::shared_ptr<Channel>();
  }
  TelegramOptions options;
  options.bot_token = provider->second.at("bot_token");
  options.api_url = ProviderApiUrl(provider->second, kTelegramDefaultApiUrl);
  options.timeout = settings.timeout;
  return std::shared_ptr<Channel>(std::make_shared<TelegramChannel>(
      settings.policy, settings.clock, std::move(options), settings.pages));
}

}  // namespace

const ChannelType kTelegramChannelType = {
    .name = "telegram",
    .address = ChannelAddress::kKeys,
    .provider = "telegram",
    .keys = kTelegramKeys,
    .compose = &ComposeTelegram,
    .make = &MakeTelegramChannel,
};

}  // namespace loom
