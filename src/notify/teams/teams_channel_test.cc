#include "notify/teams/teams_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/channels.h"
#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using nlohmann::json;
using testing::SampleIncident;
using testing::SampleNotice;

json Card(const Notice& notice) {
  json message = json::parse(RenderTeamsMessage(notice));
  EXPECT_EQ(message["type"], "message");
  EXPECT_EQ(message["attachments"].size(), 1u);
  EXPECT_EQ(message["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  return message["attachments"][0]["content"];
}

TEST(TeamsMessageTest, OneCardWithFactsAndOpenUrlActions) {
  json card = Card(SampleNotice());
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["version"], "1.4");
  EXPECT_EQ(card["fallbackText"], "Sev1 page (primary, step 0): INC-12 Database down");
  json body = card["body"];
  ASSERT_EQ(body.size(), 3u);
  EXPECT_EQ(body[0]["type"], "TextBlock");
  EXPECT_EQ(body[0]["text"], "Sev1 page \\(primary, step 0\\)");
  json items = body[1]["items"];
  EXPECT_EQ(items[0]["text"], "**INC-12** Database down");
  json facts = items[1]["facts"];
  ASSERT_EQ(items[1]["type"], "FactSet");
  EXPECT_EQ(facts[0], json({{"title", "Incident"}, {"value", "INC-12"}}));
  EXPECT_EQ(facts[1], json({{"title", "Severity"}, {"value", "Sev1"}}));
  EXPECT_EQ(facts[2], json({{"title", "Service"}, {"value", "db"}}));
  EXPECT_EQ(facts[4], json({{"title", "State"}, {"value", "triggered"}}));
  json actions = items[2]["actions"];
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0]["type"], "Action.OpenUrl");
  EXPECT_EQ(actions[0]["title"], "Acknowledge");
  EXPECT_EQ(actions[0]["url"], "https://oncall.example.com/a/ack12?x=1&y=2");
  EXPECT_EQ(actions[1]["title"], "Open");
  EXPECT_EQ(actions[1]["url"], "https://oncall.example.com/a/open12");
  EXPECT_EQ(body[2]["text"], "loom-oncall \u00b7 page \u00b7 for Alice \\(primary\\)");
}

TEST(TeamsMessageTest, ChannelPostsHaveNoAcknowledgeAndTitlesCannotAddLinks) {
  Notice notice = SampleNotice();
  notice.recipient = "channel:db/teams-room";
  notice.recipient_name.clear();
  notice.incidents[0].ack_url.clear();
  notice.incidents[0].title = "[click me](https://evil.example) *now*";
  json items = Card(notice)["body"][1]["items"];
  EXPECT_EQ(items[0]["text"], "**INC-12** \\[click me\\]\\(https://evil.example\\) \\*now\\*");
  ASSERT_EQ(items[2]["actions"].size(), 1u);
  EXPECT_EQ(items[2]["actions"][0]["title"], "Open");
}

TEST(TeamsMessageTest, BundleShowsTenThenHowManyMore) {
  Notice notice = SampleNotice();
  notice.incidents.clear();
  for (int i = 1; i <= 12; ++i) notice.incidents.push_back(SampleIncident(i, "t"));
  json body = Card(notice)["body"];
  ASSERT_EQ(body.size(), 1 + kTeamsMaxIncidents + 1 + 1);
  EXPECT_EQ(body[11]["text"], "and 2 more");
  EXPECT_FALSE(body[1].contains("separator"));
  EXPECT_EQ(body[2]["separator"], true);
}

SendResult Classify(int status, std::string body,
                    std::optional<Duration> retry_after = std::nullopt) {
  return ClassifyTeamsResponse(testing::CompletedResponse(status, std::move(body), retry_after));
}

TEST(TeamsClassifyTest, WorkflowsAnswers) {
  using O = SendResult::Outcome;
  EXPECT_EQ(Classify(202, "").outcome, O::kDelivered);
  EXPECT_EQ(Classify(202, "").error, "");
  SendResult throttled = Classify(429, "", std::chrono::seconds(7));
  EXPECT_EQ(throttled.outcome, O::kRetry);
  EXPECT_EQ(throttled.retry_after, Duration(std::chrono::seconds(7)));
  EXPECT_EQ(Classify(500, "").outcome, O::kRetry);
  EXPECT_EQ(Classify(503, "", std::chrono::seconds(3)).retry_after,
            Duration(std::chrono::seconds(3)));
  EXPECT_EQ(Classify(404, "").outcome, O::kGone);
  EXPECT_EQ(Classify(410, "").outcome, O::kGone);
  SendResult bad = Classify(
      400, R"({"error":{"code":"InvalidRequestContent","message":"The card is invalid."}})");
  EXPECT_EQ(bad.outcome, O::kRejected);
  EXPECT_EQ(bad.error, "InvalidRequestContent: The card is invalid.");
  EXPECT_EQ(Classify(401, "denied").error, "denied");
  EXPECT_EQ(Classify(400, R"({"error":{"code":7}})").error, "HTTP 400");
  EXPECT_EQ(Classify(302, "").outcome, O::kRetry);
}

TEST(TeamsChannelTest, PostsTheCardAndMapsTheAnswer) {
  testing::FakeClock clock;
  TeamsChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock);
  testing::CannedHttpServer accepted(202, "");
  const std::string path = "/workflows/abc123def456/triggers/manual/paths/invoke?sig=S3cr3tSig0";
  SendResult result = channel.Send({"teams", accepted.url(path), {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  auto request = accepted.last_request();
  EXPECT_EQ(request.request_line, "POST " + path + " HTTP/1.1");
  EXPECT_EQ(request.headers["content-type"], "application/json; charset=utf-8");
  EXPECT_EQ(json::parse(request.body)["attachments"][0]["content"]["type"], "AdaptiveCard");

  testing::CannedHttpServer throttled(429, "", {"Retry-After: 12"});
  result = channel.Send({"teams", throttled.url(path), {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.retry_after, Duration(std::chrono::seconds(12)));

  testing::CannedHttpServer gone(404, "");
  EXPECT_EQ(channel.Send({"teams", gone.url(path), {}}, SampleNotice()).outcome,
            SendResult::Outcome::kGone);
}

TEST(TeamsChannelTest, ErrorsNeverShowTheUrlsSecretParts) {
  testing::FakeClock clock;
  TeamsChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock);
  // A service echoing the signature back in its error body.
  testing::CannedHttpServer echo(400, "bad signature S3cr3tSig0 for workflow abc123def456");
  SendResult result = channel.Send(
      {"teams", echo.url("/workflows/abc123def456/invoke?sig=S3cr3tSig0"), {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error.find("S3cr3tSig0"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find("abc123def456"), std::string::npos) << result.error;

  TeamsChannel refusing(OutboundPolicy(), clock);
  result = refusing.Send({"teams", "http://10.0.0.1/workflows/abc123def456?sig=S3cr3tSig0", {}},
                         SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error, "destination not allowed: 10.0.0.1");
}

TEST(TeamsChannelTest, RegisteredAsAnIncidentChannelWithAUrl) {
  const ChannelType* type = FindChannelType("teams");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->address, ChannelAddress::kUrl);
  EXPECT_TRUE(type->incident_channel);
  EXPECT_FALSE(type->signs);
}

}  // namespace
}  // namespace loom
