#include "notify/http_post.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include "common/time_format.h"
#include "notify/curl_handles.h"
#include "notify/local_test_servers.h"

namespace loom {
namespace {

using std::chrono::seconds;

TimePoint At(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

OutboundPolicy AllowLoopback() { return OutboundPolicy::Create({"127.0.0.1"}).value(); }

TEST(ParseRetryAfterTest, Seconds) {
  TimePoint now = At("2026-11-02T09:00:00Z");
  EXPECT_EQ(ParseRetryAfter("120", now), Duration(seconds(120)));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), Duration(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), Duration(seconds(365 * 24 * 3600)));
  EXPECT_FALSE(ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("12s", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
}

TEST(ParseRetryAfterTest, HttpDateFormsRelativeToNow) {
  TimePoint now = At("2015-10-21T07:27:00Z");
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), Duration(seconds(60)));
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:28:30 GMT", now), Duration(seconds(90)));
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:29:00 2015", now), Duration(seconds(120)));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), Duration(0));  // past
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Foo 2015 07:28:00 GMT", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("Wed, 31 Feb 2015 07:28:00 GMT", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 PST", now).has_value());
}

TEST(ShortPrintableTest, OneCappedLine) {
  EXPECT_EQ(ShortPrintable("  invalid_payload\n"), "invalid_payload");
  EXPECT_EQ(ShortPrintable("a\nb\tc"), "a b c");
  EXPECT_EQ(ShortPrintable(std::string(500, 'x'), 10), std::string(10, 'x'));
}

TEST(HttpPostTest, PostsBodyAndHeadersAndReadsTheAnswer) {
  testing::CannedHttpServer server(429, "slow down", {"Retry-After: 30"});
  HttpRequest request;
  request.url = server.url("/hook?secret=1");
  request.body = R"({"a":1})";
  request.headers = {"Content-Type: application/json", "X-Test: yes"};
  HttpResponse response = HttpPost(AllowLoopback(), request, At("2026-11-02T09:00:00Z"));
  EXPECT_EQ(response.transport, HttpResponse::Transport::kCompleted);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.body, "slow down");
  EXPECT_EQ(response.retry_after, Duration(seconds(30)));
  auto received = server.last_request();
  EXPECT_EQ(received.request_line, "POST /hook?secret=1 HTTP/1.1");
  EXPECT_EQ(received.headers["x-test"], "yes");
  EXPECT_EQ(received.headers.count("expect"), 0u);
  EXPECT_EQ(received.body, R"({"a":1})");
}

TEST(HttpPostTest, LongBodyIsCappedAndTheStatusKept) {
  testing::CannedHttpServer server(200, std::string(100000, 'x'));
  HttpRequest request;
  request.url = server.url();
  request.max_response_bytes = 100;
  HttpResponse response = HttpPost(AllowLoopback(), request, At("2026-11-02T09:00:00Z"));
  EXPECT_EQ(response.transport, HttpResponse::Transport::kCompleted);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body.size(), 100u);
}

TEST(HttpPostTest, RedirectsAreNotFollowed) {
  testing::CannedHttpServer server(302, "", {"Location: http://169.254.169.254/latest"});
  HttpRequest request;
  request.url = server.url();
  HttpResponse response = HttpPost(AllowLoopback(), request, At("2026-11-02T09:00:00Z"));
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpPostTest, ConnectionRefusedIsAFailureWithOriginOnly) {
  testing::ClosedPort closed;
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/path?token=secret";
  HttpResponse response = HttpPost(AllowLoopback(), request, At("2026-11-02T09:00:00Z"));
  EXPECT_EQ(response.transport, HttpResponse::Transport::kFailed);
  EXPECT_NE(response.error.find("http://127.0.0.1:" + std::to_string(closed.port())),
            std::string::npos);
  EXPECT_EQ(response.error.find("secret"), std::string::npos);
  EXPECT_EQ(TransportFailure(response).outcome, SendResult::Outcome::kRetry);
}

TEST(HttpPostTest, LoopbackWithoutAllowanceIsRefusedBeforeConnecting) {
  testing::CannedHttpServer server(200, "ok");
  HttpRequest request;
  request.url = server.url("/secret-path");
  HttpResponse response = HttpPost(OutboundPolicy(), request, At("2026-11-02T09:00:00Z"));
  EXPECT_EQ(response.transport, HttpResponse::Transport::kRefused);
  EXPECT_EQ(response.error, "destination not allowed: 127.0.0.1");
  EXPECT_EQ(server.connections(), 0);
  SendResult result = TransportFailure(response);
  EXPECT_EQ(result.outcome, SendResult::Outcome::kRejected);
}

// DNS rebinding: a name that passed validation now resolves to loopback. CURLOPT_RESOLVE plays
// the resolver, so the check that stops it must be the connect-time guard.
TEST(ConnectGuardTest, NameResolvingToLoopbackIsRefusedAtConnectTime) {
  testing::CannedHttpServer server(200, "ok");
  std::string port = std::to_string(server.port());
  OutboundPolicy policy;
  ASSERT_TRUE(policy.CheckUrl("http://rebind.example:" + port + "/").ok());
  EnsureCurlInitialized();
  CURL* curl = curl_easy_init();
  curl_slist* resolve =
      curl_slist_append(nullptr, ("rebind.example:" + port + ":127.0.0.1").c_str());
  ConnectGuard guard(policy, "rebind.example");
  guard.Install(curl);
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(curl, CURLOPT_URL, ("http://rebind.example:" + port + "/").c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  curl_slist_free_all(resolve);
  EXPECT_EQ(rc, CURLE_COULDNT_CONNECT);
  EXPECT_TRUE(guard.RefusedOnly());
  EXPECT_EQ(guard.RefusalMessage(), "destination not allowed: rebind.example (127.0.0.1)");
  EXPECT_EQ(server.connections(), 0);
}

// Other spellings of 127.0.0.1 end up at the same address, whoever parses them.
TEST(HttpPostTest, OtherSpellingsOfLoopbackAreRefused) {
  testing::CannedHttpServer server(200, "ok");
  std::string port = std::to_string(server.port());
  for (std::string host : {"2130706433", "0x7f.1", "127.1", "[::ffff:127.0.0.1]", "0"}) {
    HttpRequest request;
    request.url = "http://" + host + ":" + port + "/";
    HttpResponse response = HttpPost(OutboundPolicy(), request, At("2026-11-02T09:00:00Z"));
    EXPECT_EQ(response.transport, HttpResponse::Transport::kRefused)
        << host << ": " << response.error;
  }
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpPostTest, LocalhostNameIsRefusedUnlessAllowed) {
  testing::CannedHttpServer server(200, "ok");
  HttpRequest request;
  request.url = "http://localhost:" + std::to_string(server.port()) + "/";
  HttpResponse response = HttpPost(OutboundPolicy(), request, At("2026-11-02T09:00:00Z"));
  EXPECT_EQ(response.transport, HttpResponse::Transport::kRefused);
  EXPECT_EQ(response.error, "destination not allowed: localhost");
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpPostTest, AllowedNameConnects) {
  testing::CannedHttpServer server(204, "");
  HttpRequest request;
  request.url = "http://localhost:" + std::to_string(server.port()) + "/";
  OutboundPolicy policy = OutboundPolicy::Create({"localhost"}).value();
  HttpResponse response = HttpPost(policy, request, At("2026-11-02T09:00:00Z"));
  EXPECT_EQ(response.transport, HttpResponse::Transport::kCompleted);
  EXPECT_EQ(response.status, 204);
}

}  // namespace
}  // namespace loom
