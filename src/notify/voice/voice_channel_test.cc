#include "notify/voice/voice_channel.h"

#include <gtest/gtest.h>

#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "notify/twilio/twiml.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleIncident;
using testing::SampleNotice;

TEST(VoiceTextTest, SaysTheIncidentAndTheKeys) {
  EXPECT_EQ(RenderVoiceText(SampleNotice()),
            "This is loom on-call. severity 1 incident 12: Database down, service db. Press 1 to "
            "acknowledge. Press 2 to escalate.");
  Notice bundle = SampleNotice();
  bundle.incidents = {SampleIncident(1, "a"), SampleIncident(2, "b"), SampleIncident(3, "c"),
                      SampleIncident(4, "d")};
  bundle.incidents[0].drill = true;
  EXPECT_EQ(RenderVoiceText(bundle),
            "This is loom on-call. This is a drill. 4 new incidents. severity 1 incident 1: a, "
            "service db. severity 1 incident 2: b, service db. severity 1 incident 3: c, service "
            "db. And 1 more. Press 1 to acknowledge. Press 2 to escalate.");
}

TEST(VoiceTwimlTest, GathersOneKeyForTheIncidentsAndThePerson) {
  Notice notice = SampleNotice();
  notice.incidents.push_back(SampleIncident(13));
  EXPECT_EQ(VoiceActionUrl("https://oncall.example.com", notice),
            "https://oncall.example.com/v1/providers/twilio/voice?incidents=12,13&user=alice");
  EXPECT_EQ(RenderVoiceTwiml(notice, "https://oncall.example.com"),
            TwimlGather(RenderVoiceText(notice),
                        "https://oncall.example.com/v1/providers/twilio/voice?incidents=12,13&"
                        "user=alice",
                        kVoiceGatherSeconds, "No key was pressed. Goodbye."));
}

TEST(VoiceChannelTest, PlacesTheCallWithMachineDetection) {
  testing::FakeClock clock;
  testing::CannedHttpServer server(201, R"({"sid":"CA5","status":"queued"})");
  TwilioOptions o;
  o.account_sid = "AC1";
  o.auth_token = "tok";
  o.from = "+15550000";
  o.api_url = server.url("/2010-04-01");
  o.public_url = "https://oncall.example.com";
  VoiceChannel channel(std::make_shared<TwilioClient>(
      o, OutboundPolicy::Create({"127.0.0.1"}).value(), clock, std::chrono::seconds(5)));
  SendResult result = channel.Send({"voice", "+15551234567", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  EXPECT_EQ(result.provider_id, "CA5");
  auto request = server.last_request();
  EXPECT_EQ(request.request_line, "POST /2010-04-01/Accounts/AC1/Calls.json HTTP/1.1");
  EXPECT_EQ(request.body,
            FormEncode({{"To", "+15551234567"},
                        {"From", "+15550000"},
                        {"Twiml", RenderVoiceTwiml(SampleNotice(), "https://oncall.example.com")},
                        {"MachineDetection", "Enable"},
                        {"StatusCallback",
                         "https://oncall.example.com/v1/providers/twilio/voice/status"}}));
}

}  // namespace
}  // namespace loom
