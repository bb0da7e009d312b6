#include "notify/telegram/telegram_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/channels.h"
#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "notify/test_page_log.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleIncident;
using testing::SampleNotice;

TEST(TelegramMessageTest, HtmlTextAndKeyboard) {
  Notice notice = SampleNotice();
  notice.incidents[0].title = "DB <down> & out";
  auto body = nlohmann::json::parse(RenderTelegramMessage("-100123", notice, {"0123abcd"}));
  EXPECT_EQ(body["chat_id"], -100123);
  EXPECT_EQ(body["parse_mode"], "HTML");
  EXPECT_EQ(body["text"],
            "<b>Sev1 page (primary, step 0)</b>\n\n<b>INC-12</b> DB &lt;down&gt; &amp; out\n"
            "Sev1 \u00b7 availability \u00b7 service db \u00b7 triggered");
  auto row = body["reply_markup"]["inline_keyboard"][0];
  EXPECT_EQ(row[0]["text"], "Acknowledge");
  EXPECT_EQ(row[0]["callback_data"], "ack:0123abcd");
  EXPECT_EQ(row[1]["text"], "Open");
  EXPECT_EQ(row[1]["url"], "https://oncall.example.com/a/open12");
  EXPECT_EQ(nlohmann::json::parse(RenderTelegramMessage("@oncall", notice, {}))["chat_id"],
            "@oncall");
}

TEST(TelegramMessageTest, BundleNamesEachButtonAndStopsAtFive) {
  Notice notice = SampleNotice();
  notice.incidents.clear();
  for (int i = 1; i <= 7; ++i) notice.incidents.push_back(SampleIncident(i));
  auto body = nlohmann::json::parse(RenderTelegramMessage("1", notice, {"a", "b", "c", "d", "e"}));
  auto keyboard = body["reply_markup"]["inline_keyboard"];
  ASSERT_EQ(keyboard.size(), kTelegramMaxIncidents);
  EXPECT_EQ(keyboard[2][0]["text"], "Acknowledge INC-3");
  EXPECT_NE(body["text"].get<std::string>().find("and 2 more"), std::string::npos);
}

TEST(TelegramMessageTest, EditShowsTheStateAndWhoLeadsAndDropsTheButtons) {
  PushPageToSettle p;
  p.page.address = "42";
  p.page.message_id = "77";
  p.page.text = "<b>INC-12</b> Database down";
  p.incident_state = "acknowledged";
  p.commander = "user:alice";
  auto body = nlohmann::json::parse(RenderTelegramEdit({p}));
  EXPECT_EQ(body["chat_id"], 42);
  EXPECT_EQ(body["message_id"], 77);
  EXPECT_EQ(body["text"],
            "<b>INC-12</b> Database down\n\u2705 <b>Acknowledged</b> \u00b7 user:alice");
  EXPECT_TRUE(body["reply_markup"]["inline_keyboard"].empty());
}

SendResult Classify(int status, std::string body, std::string* id = nullptr) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::kCompleted;
  r.status = status;
  r.body = std::move(body);
  return ClassifyTelegramResponse(r, id);
}

TEST(TelegramClassifyTest, TelegramAnswers) {
  using O = SendResult::Outcome;
  std::string id;
  EXPECT_EQ(Classify(200, R"({"ok":true,"result":{"message_id":99,"chat":{"id":1}}})", &id).outcome,
            O::kDelivered);
  EXPECT_EQ(id, "99");
  SendResult slow = Classify(
      429,
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 9","parameters":{"retry_after":9}})");
  EXPECT_EQ(slow.outcome, O::kRetry);
  EXPECT_EQ(slow.retry_after, Duration(std::chrono::seconds(9)));
  SendResult blocked = Classify(
      403,
      R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
  EXPECT_EQ(blocked.outcome, O::kGone);
  EXPECT_EQ(blocked.error, "Forbidden: bot was blocked by the user");
  EXPECT_EQ(
      Classify(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})")
          .outcome,
      O::kRejected);
  EXPECT_EQ(Classify(502, "").outcome, O::kRetry);
}

TEST(TelegramChannelTest, RemembersThePageBeforeAndTheMessageIdAfter) {
  testing::FakeClock clock;
  auto log = std::make_shared<testing::RecordingPageLog>();
  testing::CannedHttpServer ok(200, R"({"ok":true,"result":{"message_id":5,"chat":{"id":42}}})");
  TelegramOptions options;
  options.bot_token = "123:abc";
  options.api_url = ok.url("");
  TelegramChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, options, log);
  SendResult result = channel.Send({"telegram", "42", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(ok.last_request().request_line, "POST /bot123:abc/sendMessage HTTP/1.1");
  auto sent = nlohmann::json::parse(ok.last_request().body);
  ASSERT_EQ(log->calls.size(), 2u);
  const PushPage& before = log->calls[0][0];
  EXPECT_EQ(before.message_id, "");
  EXPECT_EQ(before.address, "42");
  EXPECT_EQ(before.recipient, "alice");
  EXPECT_EQ(before.incident_number, 12);
  EXPECT_EQ(sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "ack:" + before.ref);
  EXPECT_LE(("ack:" + before.ref).size(), 64u);
  EXPECT_EQ(log->calls[1][0].ref, before.ref);
  EXPECT_EQ(log->calls[1][0].message_id, "5");
}

TEST(TelegramChannelTest, APageThatCannotBeRememberedIsNotSent) {
  testing::FakeClock clock;
  auto log = std::make_shared<testing::RecordingPageLog>();
  log->fail = true;
  testing::CannedHttpServer ok(200, R"({"ok":true,"result":{"message_id":5}})");
  TelegramOptions options;
  options.bot_token = "t";
  options.api_url = ok.url("");
  TelegramChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, options, log);
  SendResult result = channel.Send({"telegram", "42", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(ok.connections(), 0);
}

TEST(TelegramChannelTest, SettleEditsTheMessage) {
  testing::FakeClock clock;
  testing::CannedHttpServer ok(200, R"({"ok":true,"result":{"message_id":5}})");
  TelegramOptions options;
  options.bot_token = "t";
  options.api_url = ok.url("");
  TelegramChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, options,
                          std::make_shared<testing::RecordingPageLog>());
  PushPageToSettle p;
  p.page.address = "42";
  p.page.message_id = "5";
  p.page.text = "x";
  p.incident_state = "acknowledged";
  EXPECT_EQ(channel.Settle({p}).outcome, SendResult::Outcome::kDelivered);
  EXPECT_EQ(ok.last_request().request_line, "POST /bott/editMessageText HTTP/1.1");
  p.page.message_id.clear();  // never sent: nothing to edit
  EXPECT_EQ(channel.Settle({p}).outcome, SendResult::Outcome::kDelivered);
  EXPECT_EQ(ok.connections(), 1);

  testing::CannedHttpServer same(
      400, R"({"ok":false,"error_code":400,"description":"Bad Request: message is not modified"})");
  options.api_url = same.url("");
  TelegramChannel again(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, options,
                        std::make_shared<testing::RecordingPageLog>());
  p.page.message_id = "5";
  EXPECT_EQ(again.Settle({p}).outcome, SendResult::Outcome::kDelivered);
}

TEST(TelegramChannelTypeTest, ChatIds) {
  const ChannelType* type = FindChannelType("telegram");
  ASSERT_NE(type, nullptr);
  std::string address;
  std::vector<std::string> secrets;
  EXPECT_EQ(type->compose({{"chat_id", "-1001234"}}, &address, &secrets), "");
  EXPECT_EQ(address, "-1001234");
  EXPECT_EQ(type->compose({{"chat_id", "@oncall_room"}}, &address, &secrets), "");
  EXPECT_NE(type->compose({{"chat_id", "alice"}}, &address, &secrets), "");
  EXPECT_NE(type->compose({{"chat_id", "-"}}, &address, &secrets), "");
}

}  // namespace
}  // namespace loom
