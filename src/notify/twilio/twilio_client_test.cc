#include "notify/twilio/twilio_client.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "notify/local_test_servers.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

SendResult Classify(int status, std::string body,
                    std::optional<Duration> retry_after = std::nullopt) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::kCompleted;
  r.status = status;
  r.body = std::move(body);
  r.retry_after = retry_after;
  return ClassifyTwilioResponse(r);
}

TEST(TwilioFormTest, EncodesNamesAndValues) {
  EXPECT_EQ(FormEncode({{"To", "+15551234567"}, {"Body", "Sev1 INC-4: a&b=c"}}),
            "To=%2B15551234567&Body=Sev1+INC-4%3A+a%26b%3Dc");
  EXPECT_EQ(FormEncode({}), "");
}

TEST(TwilioClassifyTest, TwilioAnswers) {
  using O = SendResult::Outcome;
  SendResult created = Classify(201, R"({"sid":"SM123","status":"queued"})");
  EXPECT_EQ(created.outcome, O::kDelivered);
  EXPECT_EQ(created.provider_id, "SM123");
  EXPECT_EQ(Classify(201, "{}").outcome, O::kRetry);
  SendResult throttled = Classify(
      429, R"({"code":20429,"message":"Too Many Requests","status":429})", std::chrono::seconds(7));
  EXPECT_EQ(throttled.outcome, O::kRetry);
  EXPECT_EQ(throttled.retry_after, Duration(std::chrono::seconds(7)));
  EXPECT_EQ(throttled.error, "20429 Too Many Requests");
  EXPECT_EQ(Classify(500, "oops").outcome, O::kRetry);
  EXPECT_EQ(Classify(500, "oops").error, "HTTP 500");
  SendResult stopped = Classify(
      400, R"({"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400})");
  EXPECT_EQ(stopped.outcome, O::kRejected);
  EXPECT_EQ(stopped.error, "21610 Attempt to send to unsubscribed recipient");
  EXPECT_EQ(Classify(401, R"({"code":20003,"message":"Authenticate"})").outcome, O::kRejected);
}

TEST(TwilioClientTest, PostsFormWithBasicAuthToTheAccountsResource) {
  testing::FakeClock clock;
  testing::CannedHttpServer server(201, R"({"sid":"SM9","status":"queued"})");
  TwilioOptions options;
  options.account_sid = "AC42";
  options.auth_token = "secret-token";
  options.api_url = server.url("/2010-04-01");
  TwilioClient client(options, OutboundPolicy::Create({"127.0.0.1"}).value(), clock,
                      std::chrono::seconds(5));
  SendResult result = client.Post("Messages.json", {{"To", "+15550001"}, {"Body", "hi"}});
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(result.provider_id, "SM9");
  auto request = server.last_request();
  EXPECT_EQ(request.request_line, "POST /2010-04-01/Accounts/AC42/Messages.json HTTP/1.1");
  EXPECT_EQ(request.headers["authorization"], "Basic " + Base64Encode("AC42:secret-token"));
  EXPECT_EQ(request.headers["content-type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(request.body, "To=%2B15550001&Body=hi");
}

TEST(TwilioClientTest, ErrorsNeverNameTheToken) {
  testing::FakeClock clock;
  TwilioOptions options;
  options.account_sid = "AC42";
  options.auth_token = "secret-token";
  options.api_url = "http://10.0.0.1/2010-04-01";
  TwilioClient client(options, OutboundPolicy(), clock, std::chrono::seconds(5));
  SendResult result = client.Post("Calls.json", {{"To", "+15550001"}});
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error.find("secret-token"), std::string::npos);
}

}  // namespace
}  // namespace loom
