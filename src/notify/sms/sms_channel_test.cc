#include "notify/sms/sms_channel.h"

#include <gtest/gtest.h>

#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleIncident;
using testing::SampleNotice;

TEST(SmsTextTest, NamesTheIncidentAndItsReplyCodes) {
  Notice notice = SampleNotice();
  notice.incidents[0].service = "api";
  EXPECT_EQ(RenderSmsText(notice),
            "Sev1 page (primary, step 0): INC-12 Sev1 Database down (api). Reply 12A to "
            "acknowledge, 12E to escalate.");
}

TEST(SmsTextTest, ABundleListsTheIncidents) {
  Notice notice = SampleNotice();
  notice.type = "bundle";
  notice.incidents.clear();
  for (int i = 1; i <= 7; ++i)
    notice.incidents.push_back(SampleIncident(i, "t" + std::to_string(i)));
  EXPECT_EQ(RenderSmsText(notice),
            "7 new incidents: INC-1 Sev1 t1 (db); INC-2 Sev1 t2 (db); INC-3 Sev1 t3 (db); INC-4 "
            "Sev1 t4 (db); INC-5 Sev1 t5 (db); and 2 more. Reply <number>A to acknowledge, "
            "<number>E to escalate (e.g. 1A).");
}

TEST(SmsTextTest, AReminderHasNoReplyCodes) {
  Notice notice = SampleNotice();
  notice.type = "reminder";
  notice.summary = "Status update due";
  EXPECT_EQ(RenderSmsText(notice), "Status update due: INC-12 Sev1 Database down (db).");
}

TEST(SmsReplyTest, ReadsCodesAndKeywords) {
  using K = SmsReply::Kind;
  EXPECT_EQ(ParseSmsReply("4A").kind, K::kAcknowledge);
  EXPECT_EQ(ParseSmsReply("4A").incident_number, 4);
  EXPECT_EQ(ParseSmsReply(" inc-12 e \n").kind, K::kEscalate);
  EXPECT_EQ(ParseSmsReply(" inc-12 e \n").incident_number, 12);
  EXPECT_EQ(ParseSmsReply("Stop").kind, K::kStop);
  EXPECT_EQ(ParseSmsReply("UNSUBSCRIBE").kind, K::kStop);
  EXPECT_EQ(ParseSmsReply("start").kind, K::kStart);
  EXPECT_EQ(ParseSmsReply("help").kind, K::kHelp);
  for (const char* other :
       {"", "A", "4", "4X", "0A", "-4A", "4AA", "ok thanks", "99999999999999999999A"}) {
    EXPECT_EQ(ParseSmsReply(other).kind, K::kUnknown) << other;
  }
}

TwilioOptions Options(const std::string& api_url) {
  TwilioOptions o;
  o.account_sid = "AC1";
  o.auth_token = "tok";
  o.from = "+15550000";
  o.api_url = api_url;
  o.public_url = "https://oncall.example.com";
  return o;
}

TEST(SmsChannelTest, SendsTheMessageWithItsStatusCallback) {
  testing::FakeClock clock;
  testing::CannedHttpServer server(201, R"({"sid":"SM1","status":"queued"})");
  auto client = std::make_shared<TwilioClient>(Options(server.url("/2010-04-01")),
                                               OutboundPolicy::Create({"127.0.0.1"}).value(), clock,
                                               std::chrono::seconds(5));
  SmsChannel channel(client, nullptr);
  SendResult result = channel.Send({"sms", "+15551234567", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(result.provider_id, "SM1");
  EXPECT_EQ(server.last_request().body,
            FormEncode(
                {{"To", "+15551234567"},
                 {"From", "+15550000"},
                 {"Body", RenderSmsText(SampleNotice())},
                 {"StatusCallback", "https://oncall.example.com/v1/providers/twilio/sms/status"}}));
}

TEST(SmsChannelTest, AMessagingServiceReplacesFrom) {
  testing::FakeClock clock;
  testing::CannedHttpServer server(201, R"({"sid":"SM1"})");
  TwilioOptions o = Options(server.url("/2010-04-01"));
  o.from.clear();
  o.messaging_service_sid = "MG7";
  SmsChannel channel(
      std::make_shared<TwilioClient>(o, OutboundPolicy::Create({"127.0.0.1"}).value(), clock,
                                     std::chrono::seconds(5)),
      nullptr);
  ASSERT_EQ(channel.Send({"sms", "+15551234567", {}}, SampleNotice()).outcome,
            SendResult::Outcome::kDelivered);
  const std::string body = server.last_request().body;
  EXPECT_NE(body.find("&MessagingServiceSid=MG7&"), std::string::npos) << body;
  EXPECT_EQ(body.find("From="), std::string::npos) << body;
}

TEST(SmsChannelTest, ANumberThatRepliedStopGetsNothing) {
  testing::FakeClock clock;
  testing::CannedHttpServer server(201, R"({"sid":"SM1"})");
  auto client = std::make_shared<TwilioClient>(Options(server.url("/2010-04-01")),
                                               OutboundPolicy::Create({"127.0.0.1"}).value(), clock,
                                               std::chrono::seconds(5));
  SmsChannel channel(
      client, [](const std::string& number) -> Result<bool> { return number == "+15551234567"; });
  SendResult stopped = channel.Send({"sms", "+15551234567", {}}, SampleNotice());
  EXPECT_EQ(stopped.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(server.connections(), 0);
  EXPECT_EQ(channel.Send({"sms", "+15559999999", {}}, SampleNotice()).outcome,
            SendResult::Outcome::kDelivered);
}

}  // namespace
}  // namespace loom
