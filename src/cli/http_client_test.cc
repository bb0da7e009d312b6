#include "cli/http_client.h"

#include <gtest/gtest.h>

#include "cli/cli_test_harness.h"

namespace loom {
namespace {

TEST(HttpStatusExitCodeTest, MapsStatusesToTheDocumentedExitCodes) {
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(400)), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(401)), 3);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(403)), 3);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(404)), 4);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(409)), 5);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(429)), 6);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(503)), 6);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(500)), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(502)), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCodeForHttpStatus(418)), 1);
}

TEST(ErrorFromHttpResponseTest, UsesTheProblemDetail) {
  Error e = ErrorFromHttpResponse(
      409, R"({"type":"https://loom-oncall.dev/problems/conflict","title":"Conflict",
               "status":409,"detail":"INC-3 is resolved; only a triggered incident can be acknowledged"})");
  EXPECT_EQ(e.code, ErrorCode::kConflict);
  EXPECT_EQ(e.message,
            "INC-3 is resolved; only a triggered incident can be acknowledged (HTTP 409)");
}

TEST(ErrorFromHttpResponseTest, AppendsFieldErrors) {
  Error e = ErrorFromHttpResponse(400, R"({"title":"Bad Request","detail":"invalid body",
               "errors":[{"pointer":"/severity","detail":"must be one of sev1..sev4"}]})");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.message, "invalid body: /severity must be one of sev1..sev4 (HTTP 400)");
  ASSERT_EQ(e.fields.size(), 1u);
  EXPECT_EQ(e.fields[0].pointer, "/severity");
}

TEST(ErrorFromHttpResponseTest, AConflictsDetailStandsAlone) {
  // The close refused for want of a final summary: its detail says it all; the pointers are for
  // programs (the console), and printed after it they only repeated it in worse words.
  Error e = ErrorFromHttpResponse(409, R"({"title":"Conflict","status":409,
      "detail":"INC-4 cannot close without a complete final summary; missing: customer_impact",
      "errors":[{"pointer":"/summary/customer_impact","detail":"is required before close"}]})");
  EXPECT_EQ(e.message,
            "INC-4 cannot close without a complete final summary; missing: customer_impact "
            "(HTTP 409)");
  ASSERT_EQ(e.fields.size(), 1u);
  EXPECT_EQ(e.fields[0].pointer, "/summary/customer_impact");
}

TEST(ErrorFromHttpResponseTest, FallsBackToTitleThenTextThenReasonPhrase) {
  EXPECT_EQ(ErrorFromHttpResponse(401, R"({"title":"Unauthorized","status":401})").message,
            "Unauthorized (HTTP 401)");
  EXPECT_EQ(ErrorFromHttpResponse(502, "\n<html>Bad gateway</html>\nmore").message,
            "<html>Bad gateway</html> (HTTP 502)");
  EXPECT_EQ(ErrorFromHttpResponse(404, "").message, "Not Found (HTTP 404)");
}

TEST(ErrorFromHttpResponseTest, StripsTerminalEscapes) {
  Error e = ErrorFromHttpResponse(400, "{\"detail\":\"bad \\u001b[31mred\"}");
  EXPECT_EQ(e.message, "bad ?[31mred (HTTP 400)");
}

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(PercentEncode("sev1"), "sev1");
  EXPECT_EQ(PercentEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(PercentEncode("A-z_0.9~"), "A-z_0.9~");
}

TEST(ValidateServerUrlTest, AcceptsHttpAndHttpsOnly) {
  EXPECT_TRUE(ValidateServerUrl("http://127.0.0.1:8080").ok());
  EXPECT_TRUE(ValidateServerUrl("https://oncall.example.com").ok());
  EXPECT_FALSE(ValidateServerUrl("127.0.0.1:8080").ok());
  EXPECT_FALSE(ValidateServerUrl("ftp://x").ok());
  EXPECT_FALSE(ValidateServerUrl("http://").ok());
}

class ApiClientTest : public ::testing::Test {
 protected:
  ApiClient MakeClient(std::string server, std::string token) {
    return ApiClient({std::move(server), std::move(token), "loom-oncall/test"},
                     api_.MakeTransport({}));
  }
  testing::FakeApi api_;
};

TEST_F(ApiClientTest, GetBuildsTheUrlAndSendsTheToken) {
  api_.Respond(200, R"({"incidents":[]})");
  ApiClient client = MakeClient("http://h:1/", "secret");
  auto r = client.Get("/v1/incidents", {{"state", "triggered"}, {"service", ""}, {"q", "a b"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->json.contains("incidents"));
  ASSERT_EQ(api_.requests.size(), 1u);
  EXPECT_EQ(api_.requests[0].method, "GET");
  EXPECT_EQ(api_.requests[0].url, "http://h:1/v1/incidents?state=triggered&q=a%20b");
  EXPECT_EQ(api_.Header(0, "Authorization"), "Bearer secret");
  EXPECT_EQ(api_.Header(0, "User-Agent"), "loom-oncall/test");
}

TEST_F(ApiClientTest, PostSendsJsonAndNoTokenWhenNoneIsSet) {
  api_.Respond(201, R"({"id":"loom"})");
  ApiClient client = MakeClient("http://h:1", "");
  auto r = client.Post("/v1/services", {{"id", "loom"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(api_.requests[0].method, "POST");
  EXPECT_EQ(api_.requests[0].body, R"({"id":"loom"})");
  EXPECT_EQ(api_.Header(0, "Content-Type"), "application/json");
  EXPECT_EQ(api_.Header(0, "Authorization"), "");
}

TEST_F(ApiClientTest, NonSuccessStatusBecomesAnError) {
  api_.Respond(404, R"({"detail":"no incident INC-9"})");
  ApiClient client = MakeClient("http://h:1", "t");
  auto r = client.Get("/v1/incidents/INC-9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "no incident INC-9 (HTTP 404)");
}

TEST_F(ApiClientTest, UnreachableServerNamesTheServer) {
  api_.FailWith(Error::Unavailable("Connection refused"));
  ApiClient client = MakeClient("http://127.0.0.1:9", "t");
  auto r = client.Get("/v1/incidents");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "cannot reach http://127.0.0.1:9: Connection refused");
}

TEST_F(ApiClientTest, SuccessWithABodyThatIsNotJsonIsAnError) {
  api_.Respond(200, "<html>");
  ApiClient client = MakeClient("http://h:1", "t");
  auto r = client.Get("/v1/incidents");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

// The real libcurl transport against a port nobody listens on.
TEST(CurlTransportTest, ConnectionRefusedIsUnavailableWithTheOsReason) {
  auto transport = MakeCurlTransport({});
  HttpRequest request;
  request.url = "http://127.0.0.1:1/health";
  auto r = transport->Send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "Connection refused");
}

}  // namespace
}  // namespace loom
