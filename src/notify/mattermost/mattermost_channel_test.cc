#include "notify/mattermost/mattermost_channel.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "notify/channels.h"
#include "notify/local_test_servers.h"
#include "notify/mattermost/mattermost_message.h"
#include "notify/test_notices.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using nlohmann::json;
using testing::SampleIncident;
using testing::SampleNotice;

class MemoryActionLog final : public MessageActionLog {
 public:
  Status Keep(std::vector<MessageAction> actions) override {
    std::lock_guard lock(mu);
    if (failing) return Error::Unavailable("store down");
    kept.insert(kept.end(), actions.begin(), actions.end());
    return OkStatus();
  }
  std::mutex mu;
  bool failing = false;
  std::vector<MessageAction> kept;
};

// A page as delivery hands it over: with links and the public URL.
Notice LinkedNotice() {
  Notice notice = SampleNotice();
  notice.public_url = "https://oncall.example.com";
  notice.links_expire_at = notice.created_at + std::chrono::hours(24);
  return notice;
}

TEST(MattermostMessageTest, PostWithAnAcknowledgeButtonCarryingTheSecret) {
  json post = json::parse(RenderMattermostPost(
      LinkedNotice(), {"s3cret"}, "https://oncall.example.com/v1/providers/mattermost/action"));
  EXPECT_EQ(post["username"], "loom-oncall");
  EXPECT_EQ(post["text"], "**Sev1 page \\(primary, step 0\\)**");
  ASSERT_EQ(post["attachments"].size(), 1u);
  json a = post["attachments"][0];
  EXPECT_EQ(a["title"], "INC-12 Database down");
  EXPECT_EQ(a["title_link"], "https://oncall.example.com/a/open12");
  EXPECT_EQ(a["text"], "Sev1 \u00b7 availability \u00b7 service db \u00b7 triggered");
  EXPECT_EQ(a["fields"][0], json({{"short", true}, {"title", "Severity"}, {"value", "Sev1"}}));
  EXPECT_EQ(a["fields"][2]["value"], "triggered");
  EXPECT_EQ(a["footer"], "loom-oncall \u00b7 page \u00b7 for Alice (primary)");
  ASSERT_EQ(a["actions"].size(), 1u);
  json button = a["actions"][0];
  EXPECT_EQ(button["name"], "Acknowledge");
  EXPECT_EQ(button["type"], "button");
  EXPECT_EQ(button["integration"]["url"],
            "https://oncall.example.com/v1/providers/mattermost/action");
  EXPECT_EQ(button["integration"]["context"],
            json({{"action", "acknowledge"},
                  {"secret", "s3cret"},
                  {"incident", "INC-12"},
                  {"open_url", "https://oncall.example.com/a/open12"}}));
}

TEST(MattermostMessageTest, NoSecretNoButtonAndBundlesSayHowManyMore) {
  Notice notice = LinkedNotice();
  notice.incidents.clear();
  for (int i = 1; i <= 12; ++i) notice.incidents.push_back(SampleIncident(i, "t"));
  json post = json::parse(RenderMattermostPost(notice, {"", "x"}, "https://cb"));
  ASSERT_EQ(post["attachments"].size(), kMattermostMaxIncidents);
  EXPECT_FALSE(post["attachments"][0].contains("actions"));
  EXPECT_TRUE(post["attachments"][1].contains("actions"));
  EXPECT_FALSE(post["attachments"][2].contains("actions"));
  EXPECT_NE(post["text"].get<std::string>().find("and 2 more"), std::string::npos);
}

TEST(MattermostMessageTest, UpdateShowsTheNewStateWithoutAButton) {
  NoticeIncident incident = SampleIncident(12);
  incident.state = "acknowledged";
  json answer = json::parse(RenderMattermostUpdate(incident, "Acknowledged by Alice", "Done."));
  EXPECT_EQ(answer["update"]["message"], "Acknowledged by Alice");
  json a = answer["update"]["props"]["attachments"][0];
  EXPECT_EQ(a["fields"][2]["value"], "acknowledged");
  EXPECT_EQ(a["color"], "#f2a900");
  EXPECT_FALSE(a.contains("actions"));
  EXPECT_EQ(answer["ephemeral_text"], "Done.");
  EXPECT_EQ(json::parse(RenderMattermostEphemeral("no")), json({{"ephemeral_text", "no"}}));
}

TEST(MattermostButtonTest, OnlyForTriggeredIncidentsThatMayBeAcknowledged) {
  Notice page = LinkedNotice();
  EXPECT_TRUE(MattermostButtonFor(page, page.incidents[0]));
  NoticeIncident acknowledged = page.incidents[0];
  acknowledged.state = "acknowledged";
  EXPECT_FALSE(MattermostButtonFor(page, acknowledged));
  // An incident channel's post has no one-click link but gets the button.
  Notice channel = LinkedNotice();
  channel.recipient = "channel:db/ops";
  channel.incidents[0].ack_url.clear();
  EXPECT_TRUE(MattermostButtonFor(channel, channel.incidents[0]));
  // A notice to a user without an acknowledge link (an FYI) gets none.
  Notice fyi = LinkedNotice();
  fyi.incidents[0].ack_url.clear();
  EXPECT_FALSE(MattermostButtonFor(fyi, fyi.incidents[0]));
  // Without the public URL the button could not call back.
  Notice unlinked = SampleNotice();
  EXPECT_FALSE(MattermostButtonFor(unlinked, unlinked.incidents[0]));
}

SendResult Classify(int status, std::string body,
                    std::optional<Duration> retry_after = std::nullopt) {
  return ClassifyMattermostResponse(
      testing::CompletedResponse(status, std::move(body), retry_after));
}

TEST(MattermostClassifyTest, MattermostAnswers) {
  using O = SendResult::Outcome;
  EXPECT_EQ(Classify(200, "ok").outcome, O::kDelivered);
  SendResult throttled = Classify(429, "", std::chrono::seconds(5));
  EXPECT_EQ(throttled.outcome, O::kRetry);
  EXPECT_EQ(throttled.retry_after, Duration(std::chrono::seconds(5)));
  EXPECT_EQ(Classify(502, "").outcome, O::kRetry);
  EXPECT_EQ(Classify(404, "").outcome, O::kGone);
  EXPECT_EQ(Classify(410, "").outcome, O::kGone);
  SendResult bad = Classify(
      400, R"({"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook.",)"
           R"("status_code":400})");
  EXPECT_EQ(bad.outcome, O::kRejected);
  EXPECT_EQ(bad.error, "Invalid webhook.");
}

TEST(MattermostChannelTest, KeepsTheHashedSecretBeforePostingTheButton) {
  testing::FakeClock clock;
  auto log = std::make_shared<MemoryActionLog>();
  MattermostChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, log);
  testing::CannedHttpServer ok(200, "ok");
  Notice notice = LinkedNotice();
  SendResult result = channel.Send({"mattermost", ok.url("/hooks/abcdefgh12345678"), {}}, notice);
  ASSERT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  json post = json::parse(ok.last_request().body);
  json context = post["attachments"][0]["actions"][0]["integration"]["context"];
  const std::string secret = context["secret"];
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_EQ(post["attachments"][0]["actions"][0]["integration"]["url"],
            "https://oncall.example.com/v1/providers/mattermost/action");
  ASSERT_EQ(log->kept.size(), 1u);
  const MessageAction& kept = log->kept[0];
  EXPECT_EQ(kept.secret_hash, Sha256Hex(secret));
  EXPECT_EQ(kept.channel, "mattermost");
  EXPECT_EQ(kept.incident_number, 12);
  EXPECT_EQ(kept.recipient, "alice");
  EXPECT_EQ(kept.notice_id, "ntf-42");
  EXPECT_EQ(kept.created_at, clock.Now());
  EXPECT_EQ(kept.expires_at, notice.links_expire_at);

  // A second message gets a secret of its own.
  ASSERT_EQ(channel.Send({"mattermost", ok.url("/hooks/abcdefgh12345678"), {}}, notice).outcome,
            SendResult::Outcome::kDelivered);
  ASSERT_EQ(log->kept.size(), 2u);
  EXPECT_NE(log->kept[1].secret_hash, kept.secret_hash);
}

TEST(MattermostChannelTest, NothingIsPostedWhenTheSecretCannotBeKept) {
  testing::FakeClock clock;
  auto log = std::make_shared<MemoryActionLog>();
  log->failing = true;
  MattermostChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, log);
  testing::CannedHttpServer ok(200, "ok");
  SendResult result =
      channel.Send({"mattermost", ok.url("/hooks/abcdefgh12345678"), {}}, LinkedNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.error, "cannot keep the buttons: store down");
  EXPECT_EQ(ok.connections(), 0);
}

TEST(MattermostChannelTest, AnswersMapAndErrorsNeverShowTheHook) {
  testing::FakeClock clock;
  MattermostChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock, nullptr);
  const std::string hook = "/hooks/abcdefgh12345678";
  testing::CannedHttpServer throttled(429, "", {"Retry-After: 9"});
  SendResult result = channel.Send({"mattermost", throttled.url(hook), {}}, LinkedNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.retry_after, Duration(std::chrono::seconds(9)));
  testing::CannedHttpServer failing(500, "");
  EXPECT_EQ(channel.Send({"mattermost", failing.url(hook), {}}, LinkedNotice()).outcome,
            SendResult::Outcome::kRetry);
  testing::CannedHttpServer gone(410, "");
  EXPECT_EQ(channel.Send({"mattermost", gone.url(hook), {}}, LinkedNotice()).outcome,
            SendResult::Outcome::kGone);
  testing::CannedHttpServer echo(400, R"({"message":"hook abcdefgh12345678 is disabled"})");
  result = channel.Send({"mattermost", echo.url(hook), {}}, LinkedNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error, "hook \u2026 is disabled");
  // Without a log the post goes out without buttons.
  EXPECT_FALSE(json::parse(echo.last_request().body)["attachments"][0].contains("actions"));

  MattermostChannel refusing(OutboundPolicy(), clock, nullptr);
  result = refusing.Send({"mattermost", "http://10.0.0.1" + hook, {}}, LinkedNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
  EXPECT_EQ(result.error, "destination not allowed: 10.0.0.1");
}

TEST(MattermostChannelTest, RegisteredAsAnIncidentChannelWithAUrl) {
  const ChannelType* type = FindChannelType("mattermost");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->address, ChannelAddress::kUrl);
  EXPECT_TRUE(type->incident_channel);
}

}  // namespace
}  // namespace loom
