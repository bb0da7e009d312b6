// The Api without sockets: the provider callbacks of pages (pushover_handlers.cc,
// telegram_handlers.cc, push_ack.cc) — authenticated by what each vendor offers, acting once as
// the page's recipient via the channel, and acting on nothing when forged.
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

class PushCallbacksTest : public ::testing::Test {
 protected:
  PushCallbacksTest() {
    PushPage a;
    a.channel = "pushover";
    a.ref = "rcptAAAA";
    a.incident_number = 20;
    a.recipient = "alice";
    PushPage b = a;
    b.incident_number = 21;
    store_.push_pages[{"pushover", "rcptAAAA"}] = {a, b};
    PushPage t;
    t.channel = "telegram";
    t.ref = "0123abcd";
    t.incident_number = 20;
    t.recipient = "alice";
    t.address = "424242";
    t.message_id = "7";
    store_.push_pages[{"telegram", "0123abcd"}] = {t};
  }

  std::shared_ptr<RecordingReply> Post(std::string_view path, std::string_view body,
                                       std::string_view secret = {}) {
    Request req;
    req.method = Method::kPost;
    req.target = path;
    req.path = path;
    req.body = body;
    req.telegram_secret_token = secret;
    auto reply = std::make_shared<RecordingReply>();
    api_.Handle(api_.Match(Method::kPost, req.path), req, reply);
    return reply;
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

  testing::FakeClock clock_;
  FakeStore store_;
  Api api_{store_, clock_, Sha256Hex(kAdminToken), WithTelegram()};
};

TEST_F(PushCallbacksTest, PushoverCallbackAcknowledgesEveryIncidentOfTheReceipt) {
  auto r = Post("/v1/providers/pushover/callback",
                "receipt=rcptAAAA&acknowledged=1&acknowledged_at=1&acknowledged_by=uKEY");
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 200) << r->response->body;
  EXPECT_EQ(json::parse(r->response->body)["acknowledged"], json::array({"INC-20", "INC-21"}));
  ASSERT_EQ(store_.commands.size(), 2u);
  for (const IncidentCommand& c : store_.commands) {
    EXPECT_EQ(c.type, IncidentCommand::Type::kAcknowledge);
    EXPECT_EQ(c.actor, "user:alice");
    EXPECT_EQ(c.via, "pushover");
  }
  EXPECT_EQ(store_.commands[0].link_nonce, "pushover:rcptAAAA:20");
  EXPECT_EQ(store_.commands[1].link_nonce, "pushover:rcptAAAA:21");
}

TEST_F(PushCallbacksTest, PushoverCallbackOfAnUnknownReceiptIsRefused) {
  for (const char* body : {"receipt=rcptBBBB&acknowledged=1", "acknowledged=1",
                           "receipt=rcpt%2FAAAA&acknowledged=1"}) {
    auto r = Post("/v1/providers/pushover/callback", body);
    ASSERT_EQ(r->sends, 1);
    EXPECT_EQ(r->response->status, 403) << body;
  }
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(PushCallbacksTest, AReplayedCallbackChangesNothing) {
  store_.execute_error = Error::Conflict(kLinkAlreadyUsed);
  auto r = Post("/v1/providers/pushover/callback", "receipt=rcptAAAA&acknowledged=1");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(json::parse(r->response->body)["acknowledged"], json::array());
}

TEST_F(PushCallbacksTest, TelegramNeedsTheSecretHeader) {
  for (std::string_view secret : {"", "telegram-webhook-secreT", "x"}) {
    auto r = Post("/v1/providers/telegram", Press("ack:0123abcd"), secret);
    ASSERT_EQ(r->sends, 1);
    EXPECT_EQ(r->response->status, 403);
  }
  EXPECT_TRUE(store_.commands.empty());
}

TEST_F(PushCallbacksTest, TelegramButtonAcknowledgesAsTheRecipient) {
  auto r = Post("/v1/providers/telegram", Press("ack:0123abcd"), kWebhookSecret);
  ASSERT_EQ(r->sends, 1);
  EXPECT_EQ(r->response->status, 200);
  json answer = json::parse(r->response->body);
  EXPECT_EQ(answer["method"], "answerCallbackQuery");
  EXPECT_EQ(answer["callback_query_id"], "cbq-1");
  EXPECT_EQ(answer["text"], "Acknowledged INC-20");
  ASSERT_EQ(store_.commands.size(), 1u);
  EXPECT_EQ(store_.commands[0].actor, "user:alice");
  EXPECT_EQ(store_.commands[0].via, "telegram");
  EXPECT_EQ(store_.commands[0].link_nonce, "telegram:0123abcd:20");
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
  EXPECT_TRUE(store_.commands.empty());
}

TEST(PushCallbacksWithoutTelegramTest, TheWebhookIsNotFound) {
  testing::FakeClock clock;
  FakeStore store;
  Api api(store, clock, Sha256Hex(kAdminToken), ApiOptions{});
  Request req;
  req.method = Method::kPost;
  req.target = req.path = "/v1/providers/telegram";
  req.body = "{}";
  auto reply = std::make_shared<RecordingReply>();
  api.Handle(api.Match(Method::kPost, req.path), req, reply);
  EXPECT_EQ(reply->response->status, 404);
}

}  // namespace
}  // namespace loom::http
