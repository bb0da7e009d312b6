#include "notify/slack/slack_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "notify/local_test_servers.h"
#include "notify/notice_text.h"
#include "notify/test_notices.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleIncident;
using testing::SampleNotice;

TEST(SlackTextTest, EscapesTheThreeControlCharacters) {
  EXPECT_EQ(EscapeSlackText("a & b <c> *d*"), "a &amp; b &lt;c&gt; *d*");
  EXPECT_EQ(EscapeSlackText("<!channel>"), "&lt;!channel&gt;");
}

TEST(SlackMessageTest, SectionsLinksAndContext) {
  Notice notice = SampleNotice();
  notice.incidents[0].title = "Database <down> & out";
  auto message = nlohmann::json::parse(RenderSlackMessage(notice));
  EXPECT_EQ(message["text"], "Sev1 page (primary, step 0): INC-12 Database &lt;down&gt; &amp; out");
  auto blocks = message["blocks"];
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0]["type"], "section");
  EXPECT_EQ(blocks[0]["text"]["type"], "mrkdwn");
  EXPECT_EQ(blocks[0]["text"]["text"], "*Sev1 page (primary, step 0)*");
  EXPECT_EQ(blocks[1]["text"]["text"],
            "*INC-12* Database &lt;down&gt; &amp; out\n"
            "Sev1 \u00b7 availability \u00b7 service db \u00b7 triggered\n"
            "<https://oncall.example.com/a/ack12?x=1&amp;y=2|Acknowledge>  \u00b7  "
            "<https://oncall.example.com/a/open12|Open>");
  EXPECT_EQ(blocks[2]["type"], "context");
  EXPECT_EQ(blocks[2]["elements"][0]["text"], "loom-oncall \u00b7 page \u00b7 for Alice (primary)");
}

TEST(SlackMessageTest, LinkUrlsCannotBreakOutOfTheLink) {
  Notice notice = SampleNotice();
  notice.incidents[0].ack_url = "https://x.example/a?b=1&c=<2>|evil";
  notice.incidents[0].open_url = "";
  auto message = nlohmann::json::parse(RenderSlackMessage(notice));
  std::string text = message["blocks"][1]["text"]["text"];
  EXPECT_NE(text.find("<https://x.example/a?b=1&amp;c=&lt;2&gt;%7Cevil|Acknowledge>"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("|Open>"), std::string::npos);
}

TEST(SlackMessageTest, BundleShowsTenThenHowManyMore) {
  Notice notice = SampleNotice();
  notice.detail = "Status: investigating";
  notice.incidents.clear();
  for (int i = 1; i <= 37; ++i) notice.incidents.push_back(SampleIncident(i, "t"));
  auto message = nlohmann::json::parse(RenderSlackMessage(notice));
  auto blocks = message["blocks"];
  ASSERT_EQ(blocks.size(), 1 + kSlackMaxIncidents + 1 + 1);
  EXPECT_EQ(blocks[0]["text"]["text"], "*Sev1 page (primary, step 0)*\nStatus: investigating");
  EXPECT_EQ(blocks[11]["elements"][0]["text"], "and 27 more");
  EXPECT_EQ(message["text"], "Sev1 page (primary, step 0): 37 incidents");
}

SendResult Classify(int status, std::string body,
                    std::optional<Duration> retry_after = std::nullopt) {
  return ClassifySlackResponse(testing::CompletedResponse(status, std::move(body), retry_after));
}

TEST(SlackClassifyTest, SlackAnswers) {
  using O = SendResult::Outcome;
  EXPECT_EQ(Classify(200, "ok").outcome, O::kDelivered);
  EXPECT_EQ(Classify(200, "ok").error, "");
  SendResult throttled = Classify(429, "rate_limited", std::chrono::seconds(30));
  EXPECT_EQ(throttled.outcome, O::kRetry);
  EXPECT_EQ(throttled.retry_after, Duration(std::chrono::seconds(30)));
  EXPECT_EQ(Classify(404, "no_service").outcome, O::kGone);
  EXPECT_EQ(Classify(410, "channel_is_archived").outcome, O::kGone);
  EXPECT_EQ(Classify(403, "invalid_token").outcome, O::kGone);
  SendResult invalid = Classify(400, "invalid_payload\n");
  EXPECT_EQ(invalid.outcome, O::kRejected);
  EXPECT_EQ(invalid.error, "invalid_payload");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(Classify(403, "action_prohibited").outcome, O::kRejected);
  EXPECT_EQ(Classify(500, "rollup_error").outcome, O::kRetry);
  EXPECT_EQ(Classify(503, "").error, "HTTP 503");
  EXPECT_EQ(Classify(200, "<html>captive portal</html>").outcome, O::kRetry);
}

TEST(NoticeTextTest, TruncateUtf8CutsAtACharacterBoundary) {
  EXPECT_EQ(TruncateUtf8("abc", 5), "abc");
  EXPECT_EQ(TruncateUtf8("ab\u00e9cd", 3), "ab\u2026");  // é is 2 bytes: not split
  EXPECT_EQ(SeverityLabel("sev2"), "Sev2");
  EXPECT_EQ(SeverityLabel("critical"), "critical");
}

TEST(SlackChannelTest, PostsToTheWebhookAndMapsTheAnswer) {
  testing::FakeClock clock;
  SlackChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock);
  testing::CannedHttpServer ok(200, "ok");
  SendResult result = channel.Send({"slack", ok.url("/services/T0/B0/secret"), {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  auto request = ok.last_request();
  EXPECT_EQ(request.headers["content-type"], "application/json; charset=utf-8");
  EXPECT_TRUE(nlohmann::json::parse(request.body).contains("blocks"));

  testing::CannedHttpServer throttled(429, "rate_limited", {"Retry-After: 12"});
  result = channel.Send({"slack", throttled.url("/services/T0/B0/secret"), {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.retry_after, Duration(std::chrono::seconds(12)));
}

TEST(SlackChannelTest, RefusedUrlErrorDoesNotContainTheSecretPath) {
  testing::FakeClock clock;
  SlackChannel channel(OutboundPolicy(), clock);
  SendResult result =
      channel.Send({"slack", "http://10.0.0.1/services/T0/B0/secret", {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error, "destination not allowed: 10.0.0.1");
}

}  // namespace
}  // namespace loom
