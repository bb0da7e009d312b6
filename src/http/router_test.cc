#include "http/router.h"

#include <gtest/gtest.h>

namespace loom::http {
namespace {

Router MakeRouter() {
  Router r;
  r.Add(Method::kPost, "/v2/enqueue", 0);
  r.Add(Method::kGet, "/v1/incidents", 1);
  r.Add(Method::kGet, "/v1/incidents/{id}", 2);
  r.Add(Method::kPost, "/v1/incidents/{id}/acknowledge", 3);
  r.Add(Method::kGet, "/v1/services", 4);
  r.Add(Method::kPost, "/v1/services", 5);
  r.Add(Method::kGet, "/health", 6);
  return r;
}

TEST(RouterTest, MatchesLiteralPaths) {
  Router r = MakeRouter();
  RouteMatch m = r.Match(Method::kPost, "/v2/enqueue");
  EXPECT_EQ(m.status, RouteMatch::Status::kFound);
  EXPECT_EQ(m.route_id, 0);
  EXPECT_EQ(r.Match(Method::kGet, "/health").route_id, 6);
}

TEST(RouterTest, CapturesPlaceholders) {
  Router r = MakeRouter();
  RouteMatch m = r.Match(Method::kGet, "/v1/incidents/INC-42");
  ASSERT_EQ(m.status, RouteMatch::Status::kFound);
  EXPECT_EQ(m.route_id, 2);
  EXPECT_EQ(m.params.Get("id"), "INC-42");
  EXPECT_EQ(m.params.Get("other"), "");

  m = r.Match(Method::kPost, "/v1/incidents/INC-7/acknowledge");
  ASSERT_EQ(m.status, RouteMatch::Status::kFound);
  EXPECT_EQ(m.route_id, 3);
  EXPECT_EQ(m.params.Get("id"), "INC-7");
}

TEST(RouterTest, SameMethodDifferentPatternsDoNotConfuse) {
  Router r = MakeRouter();
  EXPECT_EQ(r.Match(Method::kGet, "/v1/incidents").route_id, 1);
  EXPECT_EQ(r.Match(Method::kGet, "/v1/incidents/1").route_id, 2);
}

TEST(RouterTest, UnknownPathIsNotFound) {
  Router r = MakeRouter();
  EXPECT_EQ(r.Match(Method::kGet, "/nope").status, RouteMatch::Status::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/v1/incidents/1/2/3").status, RouteMatch::Status::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/v1/incidents/").status, RouteMatch::Status::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/v1/incidents//acknowledge").status,
            RouteMatch::Status::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "").status, RouteMatch::Status::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/").status, RouteMatch::Status::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/healthz").status, RouteMatch::Status::kNotFound);
  EXPECT_EQ(r.Match(Method::kGet, "/health/").status, RouteMatch::Status::kNotFound);
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  Router r = MakeRouter();
  RouteMatch m = r.Match(Method::kGet, "/v2/enqueue");
  EXPECT_EQ(m.status, RouteMatch::Status::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");

  m = r.Match(Method::kDelete, "/v1/services");
  EXPECT_EQ(m.status, RouteMatch::Status::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST");

  m = r.Match(Method::kGet, "/v1/incidents/INC-1/acknowledge");
  EXPECT_EQ(m.status, RouteMatch::Status::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
}

TEST(RouterTest, MethodNames) {
  EXPECT_STREQ(MethodName(Method::kGet), "GET");
  EXPECT_STREQ(MethodName(Method::kDelete), "DELETE");
}

}  // namespace
}  // namespace loom::http
