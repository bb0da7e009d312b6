#include "notify/ntfy/ntfy_channel.h"

#include <gtest/gtest.h>

#include "notify/channels.h"
#include "notify/local_test_servers.h"
#include "notify/test_notices.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using testing::SampleIncident;
using testing::SampleNotice;

std::string Header(const HttpRequest& r, std::string_view name) {
  for (const std::string& h : r.headers) {
    if (h.starts_with(std::string(name) + ": ")) return h.substr(name.size() + 2);
  }
  return "";
}

TEST(NtfyPublishTest, TitlePriorityActionsAndBody) {
  HttpRequest r = RenderNtfyPublish("https://ntfy.sh/oncall-alice", SampleNotice());
  EXPECT_EQ(r.url, "https://ntfy.sh/oncall-alice");
  EXPECT_EQ(Header(r, "Title"), "Sev1 page (primary, step 0): INC-12 Database down");
  EXPECT_EQ(Header(r, "Priority"), "5");
  EXPECT_EQ(Header(r, "Tags"), "rotating_light");
  EXPECT_EQ(Header(r, "Click"), "https://oncall.example.com/a/open12");
  // The ack URL holds '=' ("?x=1&y=2"), so it is quoted.
  EXPECT_EQ(Header(r, "Actions"),
            "http, Acknowledge, \"https://oncall.example.com/a/ack12?x=1&y=2\", method=POST, "
            "clear=true; view, Open, https://oncall.example.com/a/open12");
  EXPECT_EQ(r.body,
            "INC-12 Database down\nSev1 \u00b7 availability \u00b7 service db \u00b7 triggered");
}

TEST(NtfyPublishTest, PriorityFollowsSeverityAndOnlyPagesAreUrgent) {
  Notice notice = SampleNotice();
  notice.incidents[0].severity = "sev2";
  EXPECT_EQ(NtfyPriority(notice), 4);
  notice.incidents[0].severity = "sev4";
  EXPECT_EQ(NtfyPriority(notice), 2);
  notice.incidents[0].severity = "sev1";
  notice.type = "reminder";
  EXPECT_EQ(NtfyPriority(notice), 3);
}

TEST(NtfyPublishTest, HeadersStayPrintableAsciiAndBundlesGetThreeActions) {
  Notice notice = SampleNotice();
  notice.incidents.clear();
  for (int i = 1; i <= 5; ++i) notice.incidents.push_back(SampleIncident(i, "Caf\u00e9\r\nX: y"));
  HttpRequest r = RenderNtfyPublish("https://ntfy.sh/t", notice);
  EXPECT_EQ(Header(r, "Title"), "Sev1 page (primary, step 0): 5 incidents");
  std::string actions = Header(r, "Actions");
  EXPECT_NE(actions.find("Ack INC-3"), std::string::npos) << actions;
  EXPECT_EQ(actions.find("INC-4"), std::string::npos) << actions;
  EXPECT_EQ(actions.find("view"), std::string::npos) << actions;
  notice.incidents.resize(1);
  r = RenderNtfyPublish("https://ntfy.sh/t", notice);
  EXPECT_EQ(Header(r, "Title"), "Sev1 page (primary, step 0): INC-1 Caf?  X: y");
  EXPECT_NE(r.body.find("Caf\u00e9"), std::string::npos);
}

SendResult Classify(int status, std::string body) {
  HttpResponse r;
  r.transport = HttpResponse::Transport::kCompleted;
  r.status = status;
  r.body = std::move(body);
  return ClassifyNtfyResponse(r);
}

TEST(NtfyClassifyTest, NtfyAnswers) {
  using O = SendResult::Outcome;
  EXPECT_EQ(Classify(200, R"({"id":"a","event":"message"})").outcome, O::kDelivered);
  EXPECT_EQ(Classify(429, R"({"code":42901,"http":429,"error":"limit reached"})").outcome,
            O::kRetry);
  SendResult denied = Classify(403, R"({"code":40301,"http":403,"error":"forbidden"})");
  EXPECT_EQ(denied.outcome, O::kRejected);
  EXPECT_EQ(denied.error, "forbidden");
  EXPECT_EQ(Classify(410, "").outcome, O::kGone);
  EXPECT_EQ(Classify(502, "").outcome, O::kRetry);
  EXPECT_EQ(Classify(502, "").error, "HTTP 502");
}

TEST(NtfyChannelTest, PublishesWithTheTokenAndHonoursRetryAfter) {
  testing::FakeClock clock;
  NtfyChannel channel(OutboundPolicy::Create({"127.0.0.1"}).value(), clock);
  testing::CannedHttpServer ok(200, R"({"id":"x1","time":1,"event":"message"})");
  SendResult result = channel.Send({"ntfy", ok.url("/alice"), {"tk_secret"}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kDelivered) << result.error;
  auto request = ok.last_request();
  EXPECT_EQ(request.request_line, "POST /alice HTTP/1.1");
  EXPECT_EQ(request.headers["authorization"], "Bearer tk_secret");
  EXPECT_EQ(request.headers["priority"], "5");

  testing::CannedHttpServer throttled(429, R"({"error":"limit"})", {"Retry-After: 7"});
  result = channel.Send({"ntfy", throttled.url("/alice"), {}}, SampleNotice());
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRetry);
  EXPECT_EQ(result.retry_after, Duration(std::chrono::seconds(7)));
  EXPECT_EQ(throttled.last_request().headers.count("authorization"), 0u);
}

TEST(NtfyChannelTypeTest, ComposesTheTopicUrlAndChecksTheTopic) {
  const ChannelType* type = FindChannelType("ntfy");
  ASSERT_NE(type, nullptr);
  std::string address;
  std::vector<std::string> secrets;
  EXPECT_EQ(type->compose({{"topic", "alice-pages"}}, &address, &secrets), "");
  EXPECT_EQ(address, "https://ntfy.sh/alice-pages");
  EXPECT_TRUE(secrets.empty());
  EXPECT_EQ(type->compose({{"topic", "t"}, {"server", "http://ntfy.local/"}, {"token_env", "tk"}},
                          &address, &secrets),
            "");
  EXPECT_EQ(address, "http://ntfy.local/t");
  EXPECT_EQ(secrets, std::vector<std::string>{"tk"});
  EXPECT_NE(type->compose({{"topic", "a/b"}}, &address, &secrets), "");
  EXPECT_NE(type->compose({{"topic", "t"}, {"server", "ftp://x"}}, &address, &secrets), "");
}

}  // namespace
}  // namespace loom
