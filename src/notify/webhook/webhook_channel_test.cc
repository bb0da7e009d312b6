#include "notify/webhook/webhook_channel.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleIncident;
using testing::SampleNotice;

// Computed with OpenSSL directly, independent of common/crypto and of the channel's code.
std::string ReferenceSignature(const std::string& key, const std::string& content) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_len);
  unsigned char b64[128];
  int n = EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  return "v1," + std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

// The example of the Standard Webhooks specification (and its reference libraries' tests).
TEST(WebhookSignatureTest, MatchesTheStandardWebhooksSpecExample) {
  auto signature =
      WebhookSignature({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
                       1614265330, R"({"test": 2432232314})");
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(*signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignatureTest, OneSignaturePerSecretInOrder) {
  const std::string body = R"({"x":1})";
  auto signature =
      WebhookSignature({"whsec_c2VjcmV0LW5ldw==", "plain-old-secret"}, "id1", 1700000000, body);
  ASSERT_TRUE(signature.ok());
  std::string content = "id1.1700000000." + body;
  EXPECT_EQ(*signature, ReferenceSignature("secret-new", content) + " " +
                            ReferenceSignature("plain-old-secret", content));
}

TEST(WebhookSignatureTest, BadSecrets) {
  EXPECT_FALSE(WebhookSignature({}, "id", 1, "{}").ok());
  EXPECT_FALSE(WebhookSignature({""}, "id", 1, "{}").ok());
  EXPECT_FALSE(WebhookSignature({"whsec_not*base64"}, "id", 1, "{}").ok());
  EXPECT_FALSE(WebhookSignature({"whsec_"}, "id", 1, "{}").ok());
  EXPECT_EQ(WebhookSigningKey("whsec_YWJj").value(), "abc");
  EXPECT_EQ(WebhookSigningKey("raw-bytes").value(), "raw-bytes");
  EXPECT_EQ(Base64Decode("YWJjZA").value(), "abcd");
  EXPECT_EQ(Base64Decode("YWJjZA==").value(), "abcd");
  EXPECT_FALSE(Base64Decode("Y").has_value());
}

TEST(WebhookBodyTest, VersionedDocument) {
  Notice notice = SampleNotice();
  notice.incidents.push_back(notice.incidents[0]);
  notice.incidents[1].number = 13;
  notice.incidents[1].id = "INC-13";
  notice.incidents[1].ack_url = "";
  notice.bundled = 3;  // three notifications about two incidents
  auto body = nlohmann::json::parse(RenderWebhookBody(notice));
  EXPECT_EQ(body["schema"], "loom-oncall.notification/v1");
  EXPECT_EQ(body["id"], "ntf-42");
  EXPECT_EQ(body["type"], "page");
  EXPECT_EQ(body["created_at"], "2026-11-02T09:00:00.250Z");
  EXPECT_EQ(
      body["recipient"],
      (nlohmann::json{{"kind", "user"}, {"id", "alice"}, {"name", "Alice"}, {"role", "primary"}}));
  EXPECT_EQ(body["summary"], "Sev1 page (primary, step 0)");
  EXPECT_TRUE(body["detail"].is_null());
  EXPECT_EQ(body["bundled"], 3);
  ASSERT_EQ(body["incidents"].size(), 2u);
  const auto& first = body["incidents"][0];
  EXPECT_EQ(first["number"], 12);
  EXPECT_EQ(first["id"], "INC-12");
  EXPECT_EQ(first["title"], "Database down");
  EXPECT_EQ(first["severity"], "sev1");
  EXPECT_EQ(first["kind"], "availability");
  EXPECT_EQ(first["service"], "db");
  EXPECT_EQ(first["state"], "triggered");
  EXPECT_EQ(first["ack_url"], "https://oncall.example.com/a/ack12?x=1&y=2");
  EXPECT_EQ(first["open_url"], "https://oncall.example.com/a/open12");
  EXPECT_TRUE(body["incidents"][1]["ack_url"].is_null());
}

TEST(WebhookBodyTest, ChannelRecipientAndInvalidUtf8) {
  Notice notice = SampleNotice();
  notice.recipient = "channel:db/ops";
  notice.recipient_name = "";
  notice.role = "";
  notice.incidents[0].title = "bad \xff byte";
  auto body = nlohmann::json::parse(RenderWebhookBody(notice));
  EXPECT_EQ(body["recipient"]["kind"], "channel");
  EXPECT_TRUE(body["recipient"]["name"].is_null());
  EXPECT_EQ(body["incidents"][0]["title"], "bad \xef\xbf\xbd byte");
}

TEST(WebhookClassifyTest, Statuses) {
  auto classify = [](int status, std::optional<Duration> retry_after = std::nullopt) {
    HttpResponse r;
    r.transport = HttpResponse::Transport::kCompleted;
    r.status = status;
    r.retry_after = retry_after;
    return ClassifyWebhookResponse(r);
  };
  using O = SendResult::Outcome;
  EXPECT_EQ(classify(200).outcome, O::kDelivered);
  EXPECT_EQ(classify(204).outcome, O::kDelivered);
  EXPECT_EQ(classify(410).outcome, O::kGone);
  EXPECT_EQ(classify(500).outcome, O::kRetry);
  EXPECT_EQ(classify(408).outcome, O::kRetry);
  EXPECT_EQ(classify(400).outcome, O::kRetry);  // by choice: counts toward the dead letter
  EXPECT_EQ(classify(302).outcome, O::kRetry);
  SendResult throttled = classify(429, std::chrono::seconds(7));
  EXPECT_EQ(throttled.outcome, O::kRetry);
  EXPECT_EQ(throttled.retry_after, Duration(std::chrono::seconds(7)));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.error, "HTTP 429");
}

class WebhookChannelTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_{ParseRfc3339("2026-11-02T09:00:05Z").value()};
  WebhookChannel channel_{OutboundPolicy::Create({"127.0.0.0/8"}).value(), clock_,
                          std::chrono::seconds(5)};
  Destination Dest(const std::string& url) {
    return {"webhook", url, {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "older-secret"}};
  }
};

TEST_F(WebhookChannelTest, PostArrivesSignedAndVerifiable) {
  testing::CannedHttpServer server(200, "");
  SendResult result = channel_.Send(Dest(server.url()), SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(result.status, 200);
  auto request = server.last_request();
  EXPECT_EQ(request.request_line, "POST /hook HTTP/1.1");
  EXPECT_EQ(request.headers["content-type"], "application/json");
  EXPECT_EQ(request.headers["user-agent"], "loom-oncall");
  EXPECT_EQ(request.headers["webhook-id"], "ntf-42");
  EXPECT_EQ(request.headers["webhook-timestamp"], "1793610005");
  // Verify as a receiver would: over the exact bytes received.
  std::string content = "ntf-42.1793610005." + request.body;
  std::string key = Base64Decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").value();
  EXPECT_EQ(request.headers["webhook-signature"],
            ReferenceSignature(key, content) + " " + ReferenceSignature("older-secret", content));
  EXPECT_EQ(nlohmann::json::parse(request.body)["schema"], "loom-oncall.notification/v1");
}

TEST_F(WebhookChannelTest, TooManyRequestsRetriesAfter) {
  testing::CannedHttpServer server(429, "", {"Retry-After: Mon, 02 Nov 2026 09:01:05 GMT"});
  SendResult result = channel_.Send(Dest(server.url()), SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.retry_after, Duration(std::chrono::seconds(60)));
}

TEST_F(WebhookChannelTest, GoneAndServerError) {
  testing::CannedHttpServer gone(410, "");
  EXPECT_EQ(channel_.Send(Dest(gone.url()), SampleNotice()).outcome, SendResult::Outcome::kGone);
  testing::CannedHttpServer broken(500, "stack trace with secrets");
  SendResult result = channel_.Send(Dest(broken.url()), SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.error, "HTTP 500");
}

TEST_F(WebhookChannelTest, ConnectionRefusedRetries) {
  testing::ClosedPort closed;
  int port = closed.port();
  SendResult result =
      channel_.Send(Dest("http://127.0.0.1:" + std::to_string(port) + "/x"), SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_FALSE(result.error.empty());
}

TEST_F(WebhookChannelTest, LoopbackWithEmptyAllowListIsRejectedWithoutConnecting) {
  testing::CannedHttpServer server(200, "");
  WebhookChannel strict(OutboundPolicy(), clock_);
  SendResult result = strict.Send(Dest(server.url("/hook?token=s3cret")), SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error, "destination not allowed: 127.0.0.1");
  EXPECT_EQ(server.connections(), 0);
}

// docs/configuration.md: without `secret_env` the POST is unsigned (no webhook-signature).
TEST_F(WebhookChannelTest, WithoutASecretThePostIsUnsigned) {
  testing::CannedHttpServer server(200, "");
  SendResult result = channel_.Send({"webhook", server.url(), {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(server.connections(), 1);
}

}  // namespace
}  // namespace loom
