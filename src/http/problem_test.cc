#include "http/problem.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace loom::http {
namespace {

using nlohmann::json;

TEST(ProblemTest, RendersRfc9457Fields) {
  Response r =
      ProblemResponse(Error::Conflict("INC-3 is resolved"), "/v1/incidents/INC-3/acknowledge");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.content_type, "application/problem+json");
  json j = json::parse(r.body);
  EXPECT_EQ(j["type"], "https://loom-oncall.dev/problems/conflict");
  EXPECT_EQ(j["title"], "Conflict");
  EXPECT_EQ(j["status"], 409);
  EXPECT_EQ(j["detail"], "INC-3 is resolved");
  EXPECT_EQ(j["instance"], "/v1/incidents/INC-3/acknowledge");
  EXPECT_FALSE(j.contains("errors"));
}

TEST(ProblemTest, FieldErrors) {
  Response r = ProblemResponse(
      Error::Invalid("bad", {{"/severity", "must be one of sev1..sev4"}, {"/query/limit", "x"}}),
      "/v1/x");
  EXPECT_EQ(r.status, 400);
  json j = json::parse(r.body);
  EXPECT_EQ(j["type"], "https://loom-oncall.dev/problems/invalid-argument");
  ASSERT_EQ(j["errors"].size(), 2u);
  EXPECT_EQ(j["errors"][0]["pointer"], "/severity");
  EXPECT_EQ(j["errors"][0]["detail"], "must be one of sev1..sev4");
  EXPECT_EQ(j["errors"][1]["pointer"], "/query/limit");
}

TEST(ProblemTest, EveryCodeHasItsTypeAndStatus) {
  struct Case {
    ErrorCode code;
    int status;
    const char* slug;
  };
  for (const Case& c : {Case{ErrorCode::kUnauthenticated, 401, "unauthenticated"},
                        Case{ErrorCode::kPermissionDenied, 403, "permission-denied"},
                        Case{ErrorCode::kNotFound, 404, "not-found"},
                        Case{ErrorCode::kPayloadTooLarge, 413, "payload-too-large"},
                        Case{ErrorCode::kResourceExhausted, 429, "rate-limited"},
                        Case{ErrorCode::kUnavailable, 503, "unavailable"},
                        Case{ErrorCode::kInternal, 500, "internal"}}) {
    Response r = ProblemResponse(Error{c.code, "m", {}}, "/p");
    json j = json::parse(r.body);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(j["status"], c.status);
    EXPECT_EQ(j["type"], std::string(kProblemTypeBase) + c.slug);
  }
}

TEST(ProblemTest, InternalDetailIsNotLeaked) {
  Response r = ProblemResponse(Error::Internal("sqlite: /secret/path: disk I/O error"), "/p");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST(ProblemTest, UnavailableCarriesRetryAfter) {
  EXPECT_EQ(ProblemResponse(Error::Unavailable("queue full"), "/p").retry_after_seconds, 1);
}

TEST(ProblemTest, MethodNotAllowed) {
  Response r = MethodNotAllowedProblem("/v2/enqueue", "POST");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.allow, "POST");
  EXPECT_EQ(json::parse(r.body)["status"], 405);
}

TEST(PagerDutyBodyTest, InvalidEventListsFieldDetails) {
  Response r = PagerDutyError(Error::Invalid(
      "Event object is invalid", {{"/payload/summary", "'payload.summary' is missing or blank"},
                                  {"/event_action", "'event_action' is invalid"}}));
  EXPECT_EQ(r.status, 400);
  json j = json::parse(r.body);
  EXPECT_EQ(j["status"], "invalid event");
  EXPECT_EQ(j["message"], "Event object is invalid");
  EXPECT_EQ(j["errors"],
            (json{"'payload.summary' is missing or blank", "'event_action' is invalid"}));
}

TEST(PagerDutyBodyTest, TooLargeIs413WithSameShape) {
  Response r = PagerDutyError(Error{ErrorCode::kPayloadTooLarge, "Request body too large", {}});
  EXPECT_EQ(r.status, 413);
  json j = json::parse(r.body);
  EXPECT_EQ(j["status"], "invalid event");
  EXPECT_EQ(j["errors"], json{"Request body too large"});
}

TEST(PagerDutyBodyTest, Throttled) {
  Response r = PagerDutyError(Error{ErrorCode::kResourceExhausted, "x", {}}, 3);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after_seconds, 3);
  json j = json::parse(r.body);
  EXPECT_EQ(j["status"], "throttle exceeded");
  EXPECT_EQ(j["message"],
            "Requests for this service are arriving too quickly.  Please retry later.");
}

TEST(PagerDutyBodyTest, Unavailable) {
  Response r = PagerDutyError(Error::Unavailable("writer queue is full"));
  EXPECT_EQ(r.status, 503);
  EXPECT_GE(r.retry_after_seconds, 1);
  json j = json::parse(r.body);
  EXPECT_EQ(j["status"], "unavailable");
  EXPECT_EQ(j["message"], "writer queue is full");
}

}  // namespace
}  // namespace loom::http
