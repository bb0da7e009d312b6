#include "notify/pushover/pushover_channel.h"

#include <gtest/gtest.h>

#include <map>

#include "notify/channels.h"
#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "notify/test_page_log.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleNotice;

// The fields of a form body (no decoding needed for what the tests compare: encoded values).
std::map<std::string, std::string> Fields(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string::npos) amp = body.size();
    std::string pair = body.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    if (eq != std::string::npos) out[pair.substr(0, eq)] = pair.substr(eq + 1);
    pos = amp + 1;
  }
  return out;
}

TEST(PushoverMessageTest, Sev1IsEmergencyWithRetryExpireAndCallback) {
  auto f = Fields(RenderPushoverMessage(SampleNotice(), "app tok", "ukey"));
  EXPECT_EQ(f["token"], "app+tok");
  EXPECT_EQ(f["user"], "ukey");
  EXPECT_EQ(f["priority"], "2");
  EXPECT_EQ(f["retry"], "60");
  EXPECT_EQ(f["expire"], "3600");
  EXPECT_EQ(f["callback"],
            "https%3A%2F%2Foncall.example.com%2Fv1%2Fproviders%2Fpushover%2Fcallback");
  EXPECT_EQ(f["url"], "https%3A%2F%2Foncall.example.com%2Fa%2Fopen12");
  EXPECT_EQ(f["title"], "Sev1+page+%28primary%2C+step+0%29%3A+INC-12+Database+down");
  EXPECT_NE(f["message"].find("Sev1"), std::string::npos);
}

TEST(PushoverMessageTest, LowerSeveritiesAreNotEmergencies) {
  Notice notice = SampleNotice();
  notice.incidents[0].severity = "sev2";
  auto f = Fields(RenderPushoverMessage(notice, "a", "u"));
  EXPECT_EQ(f["priority"], "1");
  EXPECT_EQ(f.count("retry"), 0u);
  EXPECT_EQ(f.count("callback"), 0u);
  notice.type = "reminder";
  notice.incidents[0].severity = "sev1";
  EXPECT_EQ(PushoverPriority(notice), -1);
}

SendResult Classify(int status, std::string body, std::string* receipt = nullptr) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::kCompleted;
  r.status = status;
  r.body = std::move(body);
  return ClassifyPushoverResponse(r, receipt);
}

TEST(PushoverClassifyTest, PushoverAnswers) {
  using O = SendResult::Outcome;
  std::string receipt;
  EXPECT_EQ(Classify(200, R"({"status":1,"request":"r","receipt":"abc123"})", &receipt).outcome,
            O::kDelivered);
  EXPECT_EQ(receipt, "abc123");
  SendResult bad =
      Classify(400, R"({"user":"invalid","errors":["user identifier is invalid"],"status":0})");
  EXPECT_EQ(bad.outcome, O::kRejected);
  EXPECT_EQ(bad.error, "user identifier is invalid");
  EXPECT_EQ(Classify(429, R"({"status":0,"errors":["monthly limit"]})").outcome, O::kRetry);
  EXPECT_EQ(Classify(500, "").outcome, O::kRetry);
  EXPECT_EQ(Classify(200, R"({"status":0})").outcome, O::kRetry);
}

TEST(PushoverChannelTest, RemembersTheReceiptOfAnEmergencyPage) {
  testing::FakeClock clock;
  auto log = std::make_shared<testing::RecordingPageLog>();
  testing::CannedHttpServer ok(200, R"({"status":1,"request":"q","receipt":"rcpt30"})");
  PushoverOptions options;
  options.app_token = "apptoken";
  options.api_url = ok.url("");
  PushoverChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, options, log);
  SendResult result = channel.Send({"pushover", "user:x", {"userkey"}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  auto request = ok.last_request();
  EXPECT_EQ(request.request_line, "POST /1/messages.json HTTP/1.1");
  EXPECT_EQ(request.headers["content-type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(Fields(request.body)["user"], "userkey");
  ASSERT_EQ(log->calls.size(), 1u);
  ASSERT_EQ(log->calls[0].size(), 1u);
  const PushPage& page = log->calls[0][0];
  EXPECT_EQ(page.channel, "pushover");
  EXPECT_EQ(page.ref, "rcpt30");
  EXPECT_EQ(page.incident_number, 12);
  EXPECT_EQ(page.recipient, "alice");
}

TEST(PushoverChannelTest, SettleCancelsTheReceipt) {
  testing::FakeClock clock;
  testing::CannedHttpServer ok(200, R"({"status":1,"request":"q"})");
  PushoverOptions options;
  options.app_token = "apptoken";
  options.api_url = ok.url("");
  PushoverChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, options, nullptr);
  PushPageToSettle page;
  page.page.channel = "pushover";
  page.page.ref = "rcpt30";
  SendResult result = channel.Settle({page});
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(ok.last_request().request_line, "POST /1/receipts/rcpt30/cancel.json HTTP/1.1");
  EXPECT_EQ(ok.last_request().body, "token=apptoken");

  testing::CannedHttpServer down(503, "", {"Retry-After: 30"});
  options.api_url = down.url("");
  PushoverChannel later(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, options, nullptr);
  result = later.Settle({page});
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.retry_after, Duration(std::chrono::seconds(30)));
}

TEST(PushoverChannelTypeTest, NeedsTheProviderAndKeepsTheUserKeySecret) {
  const ChannelType* type = FindChannelType("pushover");
  ASSERT_NE(type, nullptr);
  std::string address;
  std::vector<std::string> secrets;
  EXPECT_EQ(type->compose({{"user_key_env", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"}}, &address, &secrets),
            "");
  EXPECT_EQ(address.find("uQiR"), std::string::npos);
  EXPECT_EQ(secrets, std::vector<std::string>{"uQiRzpo4DXghDmr9QzzfQu27cmVRsG"});
  testing::FakeClock clock;
  OutboundPolicy policy;
  ChannelSettings settings{policy, clock, std::chrono::seconds(10), std::nullopt};
  settings.pages = std::make_shared<testing::RecordingPageLog>();
  EXPECT_EQ(type->make(settings).value(), nullptr);  // no notify.providers.pushover
  settings.providers["pushover"] = {{"app_token", "a"}, {"api_url", ""}};
  EXPECT_NE(type->make(settings).value(), nullptr);
}

}  // namespace
}  // namespace loom
