// The Api without sockets on the real store (api_test_support.h): the web console, its
// sessions, cookie authentication and CSRF checks. INC-1 is open.
#include <gtest/gtest.h>

#include "http/api_test_support.h"

namespace loom::http {
namespace {

using namespace api_testing;  // NOLINT(google-build-using-namespace)
using nlohmann::json;

// ---- the web console: files, sessions, cookie authentication, CSRF ----

class ConsoleApiTest : public StoreApiTest {
 protected:
  void SetUp() override {
    StoreApiTest::SetUp();
    ASSERT_EQ(Trigger("disk-full", Severity::kSev2), 1);
  }

  // A browser request: the session cookie (when signed in), Host and, unless told otherwise,
  // the server's own Origin and the session's CSRF token.
  std::shared_ptr<RecordingReply> Browser(Method method, std::string_view target,
                                          std::string_view body = {},
                                          std::optional<std::string> origin = std::nullopt,
                                          std::optional<std::string> csrf = std::nullopt) {
    origin_ = origin.value_or("http://127.0.0.1:8080");
    csrf_ = csrf.value_or(csrf_token_);
    Request req;
    req.method = method;
    req.target = target;
    req.path = target.substr(0, target.find('?'));
    req.body = body;
    req.cookie = cookie_;
    req.host = "127.0.0.1:8080";
    req.origin = origin_;
    req.csrf_token = csrf_;
    return Send(req);
  }

  void SignIn(std::string_view token) {
    auto r = Browser(Method::kPost, "/ui/session", json{{"token", token}}.dump());
    ASSERT_EQ(r->response->status, 200) << r->response->body;
    std::string set_cookie = Header(*r->response, "Set-Cookie");
    ASSERT_TRUE(set_cookie.starts_with("loom_session=")) << set_cookie;
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    csrf_token_ = Body(*r)["csrf_token"];
  }

  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  std::string cookie_, csrf_token_, origin_, csrf_;
};

TEST_F(ConsoleApiTest, ServesTheConsoleWithAStrictPolicy) {
  auto r = Browser(Method::kGet, "/ui/");
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(r->response->content_type, "text/html; charset=utf-8");
  EXPECT_NE(r->response->body.find("main.js"), std::string::npos);
  const std::string csp = Header(*r->response, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  // X-Content-Type-Options: nosniff is on every answer, written by the server (server.cc;
  // tests/integration/test_incidents_api.py).

  EXPECT_EQ(Browser(Method::kGet, "/ui/main.js")->response->content_type,
            "text/javascript; charset=utf-8");
  EXPECT_EQ(Browser(Method::kGet, "/ui/app.css")->response->content_type,
            "text/css; charset=utf-8");
  EXPECT_EQ(Browser(Method::kGet, "/ui/nope.js")->response->status, 404);
  r = Browser(Method::kGet, "/");
  EXPECT_EQ(r->response->status, 302);
  EXPECT_EQ(Header(*r->response, "Location"), "/ui/");
}

TEST_F(ConsoleApiTest, SignInSetsAStrictHttpOnlyCookie) {
  auto r = Browser(Method::kPost, "/ui/session", json{{"token", kResponderToken}}.dump());
  ASSERT_EQ(r->response->status, 200);
  const std::string cookie = Header(*r->response, "Set-Cookie");
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here
  EXPECT_EQ(Header(*r->response, "Cache-Control"), "no-store");
  json j = Body(*r);
  EXPECT_EQ(j["role"], "responder");
  EXPECT_EQ(j["actor"], "token:ci");
  EXPECT_EQ(j["csrf_token"].get<std::string>().size(), 64u);
  EXPECT_EQ(cookie.find(kResponderToken), std::string::npos);  // the cookie is not the token
}

TEST_F(ConsoleApiTest, SignInAcceptsAFormAndRefusesBadTokens) {
  auto r = Browser(Method::kPost, "/ui/session", std::string("token=") + kViewerToken);
  EXPECT_EQ(r->response->status, 200);
  r = Browser(Method::kPost, "/ui/session", json{{"token", "loo_wrong"}}.dump());
  EXPECT_EQ(r->response->status, 401);
  EXPECT_EQ(Body(*r)["errors"][0]["pointer"], "/token");
  EXPECT_TRUE(Header(*r->response, "Set-Cookie").empty());
  r = Browser(Method::kPost, "/ui/session", json{{"token", ""}}.dump());
  EXPECT_EQ(r->response->status, 400);
  // Login CSRF: another origin cannot sign the browser in.
  r = Browser(Method::kPost, "/ui/session", json{{"token", kResponderToken}}.dump(),
              "http://evil.example");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_TRUE(Header(*r->response, "Set-Cookie").empty());
}

TEST_F(ConsoleApiTest, GetSessionAnswersTheRoleAndCsrfToken) {
  EXPECT_EQ(Browser(Method::kGet, "/ui/session")->response->status, 401);
  SignIn(kViewerToken);
  auto r = Browser(Method::kGet, "/ui/session");
  ASSERT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r)["role"], "viewer");
  EXPECT_EQ(Body(*r)["csrf_token"], csrf_token_);
}

TEST_F(ConsoleApiTest, TheCookieAuthenticatesReads) {
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 401);
  SignIn(kViewerToken);
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 200);
  cookie_ = "loom_session=" + std::string(64, '0');
  auto r = Browser(Method::kGet, "/v1/incidents");
  EXPECT_EQ(r->response->status, 401);
}

TEST_F(ConsoleApiTest, CookieStateChangesNeedTheCsrfTokenAndOwnOrigin) {
  SignIn(kResponderToken);
  auto r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", std::nullopt, "");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_NE(Body(*r)["detail"].get<std::string>().find("X-CSRF-Token"), std::string::npos);
  r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", std::nullopt,
              std::string(64, 'f'));
  EXPECT_EQ(r->response->status, 403);
  r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", "http://evil.example");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_TRUE(writes_->commands.empty());

  r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge");
  EXPECT_EQ(r->response->status, 200);
  ASSERT_EQ(writes_->commands.size(), 1u);
  EXPECT_EQ(writes_->commands[0].actor, "token:ci");
}

TEST_F(ConsoleApiTest, AViewerSessionCannotAct) {
  SignIn(kViewerToken);
  auto r = Browser(Method::kPost, "/v1/incidents/INC-1/acknowledge");
  EXPECT_EQ(r->response->status, 403);
  EXPECT_TRUE(writes_->commands.empty());
}

TEST_F(ConsoleApiTest, BearerRequestsAreUnaffectedByCsrfChecks) {
  // A CLI or integration: Authorization header, no cookie, no CSRF token, any Origin.
  auto r = Call(Method::kPost, "/v1/incidents/INC-1/acknowledge", "", kResponderToken);
  EXPECT_EQ(r->response->status, 200);
  EXPECT_EQ(Body(*r)["state"], "acknowledged");
}

TEST_F(ConsoleApiTest, SignOutNeedsTheCsrfTokenAndEndsTheSession) {
  SignIn(kResponderToken);
  EXPECT_EQ(Browser(Method::kDelete, "/ui/session", "", std::nullopt, "")->response->status, 403);
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 200);
  auto r = Browser(Method::kDelete, "/ui/session");
  EXPECT_EQ(r->response->status, 200);
  EXPECT_NE(Header(*r->response, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Browser(Method::kGet, "/v1/incidents")->response->status, 401);
}

}  // namespace
}  // namespace loom::http
