// TelegramChannel: pages a Telegram chat through a bot, with an inline keyboard the person
// acknowledges from, and edits the message once the incident moved on.
//
// Send: `POST <api_url>/bot<token>/sendMessage`, JSON: `chat_id` (the destination's address),
// `text` (HTML: the summary, then each incident's id, title and facts), and `reply_markup`
// with one row per incident: "Acknowledge" (callback_data "ack:<ref>", where <ref> is a fresh
// random short id remembered with the page, notify/push_pages.h; 20 bytes, within Telegram's
// 64) and "Open" (a URL button to the incident's read-only link). The pages are remembered
// before the send (a press finds them however fast it comes), the message id after it. A page
// that cannot be remembered is not sent (kRetry: the store is back soon).
//
// The bot's webhook (POST /v1/providers/telegram, src/http/telegram_handlers.cc) receives the
// presses; it is not part of this class.
//
// Settle (the incident was acknowledged, here or elsewhere): `editMessageText` of the message,
// each incident's line followed by its new state and who leads it, the keyboard removed.
//
// Outcomes (Telegram answers `{ok, result}` or `{ok: false, error_code, description,
// parameters: {retry_after}}`): ok delivered; 429 retry after parameters.retry_after (or the
// Retry-After header); 5xx retry; 403 (the bot was blocked or removed from the chat) gone; other
// 4xx rejected with Telegram's description — for an edit, "message is not modified" counts as
// done. The bot token is in the URL's path: errors show only the origin.
//
// Thread safety: Send and Settle may be called concurrently; immutable after construction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/http_post.h"
#include "notify/outbound_policy.h"
#include "notify/push_pages.h"

namespace loom {

struct ChannelType;  // notify/channels.h

inline constexpr char kTelegramDefaultApiUrl[] = "https://api.telegram.org";
inline constexpr char kTelegramAckPrefix[] = "ack:";  // callback_data = prefix + ref
inline constexpr size_t kTelegramMaxIncidents = 5;    // keyboard rows in one message

struct TelegramOptions {
  std::string bot_token;  // a secret: part of every API path
  std::string api_url = kTelegramDefaultApiUrl;
  Duration timeout = std::chrono::seconds(10);
};

class TelegramChannel final : public Channel, public PushSettler {
 public:
  // `clock` measures Retry-After dates; it must outlive the channel. `pages` must not be null.
  TelegramChannel(OutboundPolicy policy, Clock& clock, TelegramOptions options,
                  std::shared_ptr<PushPageLog> pages);

  // `to.address` is the chat id.
  SendResult Send(const Destination& to, const Notice& notice) override;
  SendResult Settle(const std::vector<PushPageToSettle>& pages) override;

 private:
  // POSTs `json` to the Bot API's `method`; `message_id` as ClassifyTelegramResponse sets it.
  SendResult Call(const std::string& method, const std::string& json,
                  std::string* message_id = nullptr) const;
  // The pages of the notice's incidents that carry an acknowledge link, each with a fresh short
  // id; `refs` gets one per incident shown ("" for none).
  std::vector<PushPage> PagesOf(const Destination& to, const Notice& notice,
                                std::vector<std::string>* refs) const;

  OutboundPolicy policy_;
  Clock& clock_;
  TelegramOptions options_;
  std::shared_ptr<PushPageLog> pages_;
};

// `text` with HTML's three special characters escaped (parse_mode HTML).
std::string EscapeTelegramHtml(std::string_view text);

// One incident's line of a page (HTML): "<b>INC-12</b> Database down\nSev1 · availability · …".
std::string TelegramIncidentLine(const NoticeIncident& incident);

// The sendMessage body for `chat_id`; `refs[i]` is the short id of incidents[i]'s Acknowledge
// button ("" for none).
std::string RenderTelegramMessage(const std::string& chat_id, const Notice& notice,
                                  const std::vector<std::string>& refs);

// The editMessageText body that shows the pages' incidents in their new state.
std::string RenderTelegramEdit(const std::vector<PushPageToSettle>& pages);

// The outcome of a call that got a status line (see the file comment); `message_id` is set from
// a delivered sendMessage's answer.
SendResult ClassifyTelegramResponse(const HttpResponse& response,
                                    std::string* message_id = nullptr);

// "telegram": contact methods with `chat_id`; needs notify.providers.telegram; registered in
// notify/channels.cc.
extern const ChannelType kTelegramChannelType;

}  // namespace loom
