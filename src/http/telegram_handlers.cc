// POST /v1/providers/telegram (docs/api.md "Provider callbacks"): the bot's webhook. Telegram
// sends every update with the header X-Telegram-Bot-Api-Secret-Token set to the secret_token
// given to setWebhook; a request without the configured secret (compared in constant time) is
// 403 and acts on nothing. Only callback_query updates (a button pressed) are acted on: the
// "ack:<ref>" callback_data names a page remembered by the channel (store/push_store.h); the
// press must come from the chat the page went to. The acknowledgement is the one-click link's
// command, as the page's recipient, via "telegram", once per page; the answer to the webhook is
// Telegram's answerCallbackQuery (a webhook may answer with one Bot API call), and the message
// is edited to show the new state by the pages' settling (engine/push_followups.h).

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "notify/telegram/telegram_channel.h"

namespace loom::http {
namespace {

// The webhook's answer: answerCallbackQuery with `text` shown to the person.
Response AnswerCallback(const std::string& callback_id, const std::string& text) {
  return JsonResponse(
      200,
      Json{{"method", "answerCallbackQuery"}, {"callback_query_id", callback_id}, {"text", text}});
}

// The string member `key` of `obj`, "" when absent or of another type.
std::string StringField(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A chat id as text, whether Telegram sent it as a number or a string.
std::string ChatIdText(const nlohmann::json& id) {
  if (id.is_number_integer()) return std::to_string(id.get<int64_t>());
  if (id.is_string()) return id.get<std::string>();
  return "";
}

}  // namespace

void Api::TelegramUpdate(const Request& req, const PathParams&, Reply reply) {
  const std::string& secret = options_.telegram_secret_token;
  if (secret.empty()) {
    return reply->Send(ProblemFor(Error::NotFound("Telegram is not configured"), req));
  }
  if (!ConstantTimeEquals(req.telegram_secret_token, secret)) {
    return reply->Send(
        ProblemFor(Error::PermissionDenied("wrong X-Telegram-Bot-Api-Secret-Token"), req));
  }
  Result<nlohmann::json> update = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!update.ok()) return reply->Send(ProblemFor(update.error(), req));
  const nlohmann::json* query =
      update->contains("callback_query") && (*update)["callback_query"].is_object()
          ? &(*update)["callback_query"]
          : nullptr;
  if (query == nullptr) return reply->Send(JsonResponse(200, Json::object()));
  const std::string callback_id = StringField(*query, "id");
  const std::string data = StringField(*query, "data");
  std::string chat;
  if (query->contains("message") && (*query)["message"].is_object()) {
    const nlohmann::json& message = (*query)["message"];
    if (message.contains("chat") && message["chat"].is_object()) {
      chat = ChatIdText(message["chat"].value("id", nlohmann::json()));
    }
  }
  if (!data.starts_with(kTelegramAckPrefix)) {
    return reply->Send(AnswerCallback(callback_id, "Unknown button"));
  }
  const std::string ref = data.substr(std::string_view(kTelegramAckPrefix).size());
  Result<std::vector<PushPage>> pages = ref.empty()
                                            ? Result<std::vector<PushPage>>(std::vector<PushPage>{})
                                            : store_.FindPushPages("telegram", ref);
  if (!pages.ok()) {
    return reply->Send(ProblemFor(Error::Unavailable("cannot read the page"), req));
  }
  // The press counts only from the chat the page went to (a channel's @name: the chat's own id
  // is not known, the secret header is the check).
  std::vector<PushPage> mine;
  for (PushPage& page : *pages) {
    if (page.address == chat || page.address.starts_with("@")) mine.push_back(std::move(page));
  }
  if (mine.empty()) return reply->Send(AnswerCallback(callback_id, "This page is not known here"));
  AcknowledgePushPages(mine, ref, [reply, callback_id](PushAckOutcome outcome) {
    if (!outcome.acknowledged.empty()) {
      std::string ids;
      for (int64_t n : outcome.acknowledged) ids += (ids.empty() ? "" : ", ") + IncidentId(n);
      return reply->Send(AnswerCallback(callback_id, "Acknowledged " + ids));
    }
    if (outcome.failed) {
      return reply->Send(AnswerCallback(callback_id, "Could not acknowledge now: try again"));
    }
    reply->Send(AnswerCallback(callback_id, "Nothing to do: already acknowledged"));
  });
}

}  // namespace loom::http
