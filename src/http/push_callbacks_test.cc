// The Api without sockets, on the real store: the provider callbacks of pages
// (pushover_handlers.cc, telegram_handlers.cc, push_ack.cc) — authenticated by what each vendor
// offers, acting once as the page's recipient via the channel, and acting on nothing when forged.
#include <gtest/gtest.h>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

constexpr char kWebhookSecret[] = "telegram-webhook-secret";

ApiOptions WithTelegram() {
  ApiOptions options;
  options.telegram_secret_token = kWebhookSecret;
  return options;
}

// On the real store: INC-1 and INC-2 open, paged to alice by Pushover under one receipt and
// INC-1 by Telegram.
class PushCallbacksTest : public StoreApiTest {
 protected:
  void SetUp() override {
    StoreApiTest::SetUp();
    ASSERT_EQ(Trigger("disk-full", Severity::kSev2), 1);
    ASSERT_EQ(Trigger("cpu-hot", Severity::kSev2), 2);
    PushPage a;
    a.channel = "pushover";
    a.ref = "rcptAAAA";
    a.incident_number = 1;
    a.recipient = "alice";
    a.created_at = clock_.Now();
    PushPage b = a;
    b.incident_number = 2;
    PushPage t = a;
    t.channel = "telegram";
    t.ref = "0123abcd";
    t.address = "424242";
    t.message_id = "7";
    Result<int64_t> stored = AwaitWrite<int64_t>([&](auto done) {
      store_->RememberPushPages({a, b, t}, done);
    });
    ASSERT_TRUE(stored.ok()) << stored.error().message;
  }
  ApiOptions Options() const override { return WithTelegram(); }

  std::shared_ptr<RecordingReply> Post(std::string_view path, std::string_view body,
                                       std::string_view secret = {}) {
    Request req;
    req.method = Method::kPost;
    req.target = path;
    req.path = path;
    req.body = body;
    req.telegram_secret_token = secret;
    return Send(req);
  }

  static std::string Press(const std::string& data, int64_t chat = 424242) {
    return json{{"update_id", 1},
                {"callback_query",
                 {{"id", "cbq-1"},
                  {"from", {{"id", chat}}},
                  {"message", {{"message_id", 7}, {"chat", {{"id", chat}}}}},
                  {"data", data}}}}
        .dump();
  }
};

TEST_F(PushCallbacksTest, PushoverCallbackAcknowledgesEveryIncidentOfTheReceipt) {
  auto r = Post("/v1/providers/pushover/callback",
                "receipt=rcptAAAA&acknowledged=1&acknowledged_at=1&acknowledged_by=uKEY");
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(json::parse(r->response->body)["acknowledged"], json::array({"INC-1", "INC-2"}));
  ASSERT_EQ(writes_->commands.size(), 2u);
  for (const IncidentCommand& c : writes_->commands) {
    EXPECT_EQ(c.type, IncidentCommand::Type::kAcknowledge);
    EXPECT_EQ(c.actor, "user:alice");
    EXPECT_EQ(c.via, "pushover");
  }
  EXPECT_EQ(writes_->commands[0].link_nonce, "pushover:rcptAAAA:1");
  EXPECT_EQ(writes_->commands[1].link_nonce, "pushover:rcptAAAA:2");
}

TEST_F(PushCallbacksTest, PushoverCallbackOfAnUnknownReceiptIsRefused) {
  for (const char* body : {"receipt=rcptBBBB&acknowledged=1", "acknowledged=1",
                           "receipt=rcpt%2FAAAA&acknowledged=1"}) {
    auto r = Post("/v1/providers/pushover/callback", body);
    ASSERT_EQ(r->sends, 1);
    EXPECT_EQ(r->response->status, 403) << body;
  }
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(PushCallbacksTest, AReplayedCallbackChangesNothing) {
  auto r = Post("/v1/providers/pushover/callback", "receipt=rcptAAAA&acknowledged=1");
  EXPECT_EQ(json::parse(r->response->body)["acknowledged"], json::array({"INC-1", "INC-2"}));
  Result<std::optional<IncidentDetail>> before = store_->GetIncident(1);
  ASSERT_TRUE(before.ok() && before->has_value());

  r = Post("/v1/providers/pushover/callback", "receipt=rcptAAAA&acknowledged=1");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(json::parse(r->response->body)["acknowledged"], json::array());
  Result<std::optional<IncidentDetail>> after = store_->GetIncident(1);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->timeline.size(), (*before)->timeline.size());

  // The store refusing the single-use id answers the same.
  writes_->execute_error = Error::Conflict(kLinkAlreadyUsed);
  r = Post("/v1/providers/pushover/callback", "receipt=rcptAAAA&acknowledged=1");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(json::parse(r->response->body)["acknowledged"], json::array());
}

TEST_F(PushCallbacksTest, TelegramNeedsTheSecretHeader) {
  for (std::string_view secret : {"", "telegram-webhook-secreT", "x"}) {
    auto r = Post("/v1/providers/telegram", Press("ack:0123abcd"), secret);
    ASSERT_EQ(r->sends, 1);
    EXPECT_EQ(r->response->status, 403);
  }
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(PushCallbacksTest, TelegramButtonAcknowledgesAsTheRecipient) {
  auto r = Post("/v1/providers/telegram", Press("ack:0123abcd"), kWebhookSecret);
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 200);
  json answer = json::parse(r->response->body);
  EXPECT_EQ(answer["method"], "answerCallbackQuery");
  EXPECT_EQ(answer["callback_query_id"], "cbq-1");
  EXPECT_EQ(answer["text"], "Acknowledged INC-1");
  ASSERT_EQ(writes_->commands.size(), 1u);
  EXPECT_EQ(writes_->commands[0].actor, "user:alice");
  EXPECT_EQ(writes_->commands[0].via, "telegram");
  EXPECT_EQ(writes_->commands[0].link_nonce, "telegram:0123abcd:1");
}

TEST_F(PushCallbacksTest, TelegramButtonOfNoPageOrAnotherChatActsOnNothing) {
  auto r = Post("/v1/providers/telegram", Press("ack:ffffffff"), kWebhookSecret);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(json::parse(r->response->body)["text"], "This page is not known here");
  r = Post("/v1/providers/telegram", Press("ack:0123abcd", 999), kWebhookSecret);
  EXPECT_EQ(json::parse(r->response->body)["text"], "This page is not known here");
  r = Post("/v1/providers/telegram", R"({"update_id":2,"message":{"text":"hi"}})", kWebhookSecret);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(r->response->body, "{}");
  EXPECT_TRUE(writes_->commands.empty());
}

class PushCallbacksWithoutTelegramTest : public StoreApiTest {};

TEST_F(PushCallbacksWithoutTelegramTest, TheWebhookIsNotFound) {
  EXPECT_EQ(Call(Method::kPost, "/v1/providers/telegram", "{}")->response->status, 404);
}

}  // namespace
}  // namespace loom::http
