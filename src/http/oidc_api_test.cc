// oidc_handlers.cc: the single sign-on routes on the Api, with SignOn talking to an in-process
// provider (oidc/fake_provider.h). The flow against a real provider is tests/integration/
// test_oidc.py and tests/browser/oidc.test.mjs.

#include <future>

#include "engine/engine_test_support.h"
#include "http/api_test_support.h"
#include "oidc/fake_provider.h"
#include "oidc/sign_on.h"

namespace loom::http::api_testing {
namespace {

User Alice() {
  User alice;
  alice.id = "alice";
  alice.name = "Alice";
  alice.email = "a@x.test";
  return alice;
}

OnCallDeps Users() {
  OnCallDeps deps;
  deps.roster = std::make_shared<Roster>(std::make_shared<const OnCallSnapshot>(
      OnCallResolver({}, {}), std::map<std::string, User>{{"alice", Alice()}},
      std::map<std::string, BusinessCalendar>{}));
  return deps;
}

std::string HeaderValues(const Response& r, const std::string& name) {
  std::string out;
  for (const auto& [k, v] : r.headers) {
    if (k == name) out += v + "\n";
  }
  return out;
}

// The value of cookie `name` set by `r` ("" when not set or deleted).
std::string SetCookieValue(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k != "Set-Cookie" || !v.starts_with(name + "=")) continue;
    return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
  }
  return "";
}

// The Api over a real SQLite store (people's sessions are stored), with user alice configured.
class OidcApiTest : public ::loom::testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    ASSERT_TRUE(store_->UpsertConfiguredUsers({Alice()}).ok());
    idp_.clock = &clock_;
    idp_.extra_claims = {{"groups", {"oncall-admins"}}};
    OidcConfig config;
    config.issuer = oidc::testing::kIssuer;
    config.client_id = "loom";
    config.client_secret = "s3cret!";
    config.claim_groups = "groups";
    config.name = "Test IdP";
    config.group_roles = {{"oncall-admins", "", Role::kAdmin},
                          {"sre", "payments", Role::kResponder}};
    sign_on_ =
        std::make_shared<oidc::SignOn>(config, oidc::testing::kRedirect, clock_, idp_.Call());
    api_ = std::make_unique<Api>(*store_, clock_, Sha256Hex(kAdminToken), ApiOptions{}, nullptr,
                                 Users(), nullptr, nullptr, nullptr, sign_on_);
  }
  void TearDown() override { api_.reset(); }

  Response Get(const std::string& target, const std::string& cookie = "") {
    Request req;
    req.method = Method::kGet;
    req.target = target;
    const size_t q = target.find('?');
    req.path = std::string_view(target).substr(0, q);
    if (q != std::string::npos) req.query = std::string_view(target).substr(q + 1);
    req.cookie = cookie;
    auto reply = std::make_shared<WaitableReply>();
    api_->Handle(api_->Match(Method::kGet, req.path), req, reply);
    return reply->Wait();
  }

  // /start and the provider's side: the callback target and the state cookie.
  std::pair<std::string, std::string> Started() {
    Response start = Get("/ui/auth/oidc/start");
    EXPECT_EQ(start.status, 302);
    std::string location;
    for (const auto& [k, v] : start.headers) {
      if (k == "Location") location = v;
    }
    idp_.Authorize(location);
    const std::string state = oidc::testing::QueryOf(location)["state"];
    return {"/ui/auth/oidc/callback?code=the-code&state=" + state,
            "loom_oidc_state=" + SetCookieValue(start, "loom_oidc_state")};
  }

  void ExpectRefused(const Response& r, int status, const std::string& reason) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find(reason), std::string::npos) << r.body;
    EXPECT_EQ(SetCookieValue(r, "loom_session"), "") << HeaderValues(r, "Set-Cookie");
    EXPECT_EQ(r.body.find("the-code"), std::string::npos);
  }

  oidc::testing::FakeProvider idp_;
  std::shared_ptr<oidc::SignOn> sign_on_;
  std::unique_ptr<Api> api_;
};

TEST_F(OidcApiTest, MethodsNameTheProvider) {
  Response r = Get("/ui/auth/methods");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(
      json::parse(r.body),
      json({{"token", true}, {"oidc", {{"name", "Test IdP"}, {"start", "/ui/auth/oidc/start"}}}}));
}

TEST_F(OidcApiTest, StartRedirectsWithAStateCookieForTheCallbackOnly) {
  Response r = Get("/ui/auth/oidc/start");
  EXPECT_EQ(r.status, 302);
  const std::string cookies = HeaderValues(r, "Set-Cookie");
  EXPECT_NE(cookies.find("; Path=/ui/auth/oidc/; Max-Age=600; HttpOnly; SameSite=Lax"),
            std::string::npos)
      << cookies;
  EXPECT_EQ(SetCookieValue(r, "loom_oidc_state").size(), 64u);
}

TEST_F(OidcApiTest, ACallbackSignsTheMatchedUserInWithTheRolesOfTheirGroups) {
  auto [callback, state_cookie] = Started();
  Response r = Get(callback, state_cookie);
  ASSERT_EQ(r.status, 302) << r.body;
  EXPECT_NE(HeaderValues(r, "Location").find("/ui/"), std::string::npos);
  const std::string session = SetCookieValue(r, "loom_session");
  ASSERT_EQ(session.size(), 64u) << HeaderValues(r, "Set-Cookie");
  EXPECT_NE(HeaderValues(r, "Set-Cookie").find("loom_oidc_state=; Path=/ui/auth/oidc/; Max-Age=0"),
            std::string::npos);
  Response who = Get("/ui/session", "loom_session=" + session);
  ASSERT_EQ(who.status, 200);
  json body = json::parse(who.body);
  EXPECT_EQ(body["user"], "alice");
  EXPECT_EQ(body["name"], "Alice");
  EXPECT_EQ(body["actor"], "user:alice");
  EXPECT_EQ(body["role"], "admin");
}

// With teams configured: payments (hidden, nobody in it) and web (hidden, alice a viewer of it).
// A group that maps to a role in a team (group_roles `sre` → responder in payments) makes the
// person a member of that team with that role, beside their own teams, on every request of the
// session (the grants are stored with it and widen the person's principal at each Find).
class OidcTeamsApiTest : public OidcApiTest {
 protected:
  void SetUp() override {
    OidcApiTest::SetUp();
    api_.reset();
    auto snapshot = std::make_shared<OnCallSnapshot>(
        OnCallResolver({}, {}), std::map<std::string, User>{{"alice", Alice()}},
        std::map<std::string, BusinessCalendar>{});
    snapshot->teams = TeamDirectory({Team{"payments", "Payments", true, {}},
                                     Team{"web", "Web", true, {{"alice", Role::kViewer}}}},
                                    {}, {});
    OnCallDeps deps;
    deps.roster = std::make_shared<Roster>(std::move(snapshot));
    api_ = std::make_unique<Api>(*store_, clock_, Sha256Hex(kAdminToken), ApiOptions{}, nullptr,
                                 std::move(deps), nullptr, nullptr, nullptr, sign_on_);
  }

  // Signs alice in through the provider with `groups`; the session cookie.
  std::string SignInWith(const std::vector<std::string>& groups) {
    idp_.extra_claims = {{"groups", groups}};
    auto [callback, state_cookie] = Started();
    Response r = Get(callback, state_cookie);
    EXPECT_EQ(r.status, 302) << r.body;
    return "loom_session=" + SetCookieValue(r, "loom_session");
  }
};

TEST_F(OidcTeamsApiTest, AGroupMappedToATeamGrantsItsRoleInThatTeamForTheSession) {
  const std::string sre = SignInWith({"sre"});
  // Later requests of the session, not only the sign-in, carry the grant.
  for (int request = 0; request < 2; ++request) {
    json session = json::parse(Get("/ui/session", sre).body);
    EXPECT_EQ(session["teams"], json::array({"payments", "web"}));
    EXPECT_EQ(session["role"], "viewer");   // the default global role once teams exist
    EXPECT_EQ(session["can_write"], true);  // responder in payments
    EXPECT_EQ(Get("/v1/teams/payments", sre).status, 200);
    EXPECT_EQ(json::parse(Get("/v1/teams", sre).body)["teams"].size(), 2u);
  }

  // Without the group: only alice's own team (a viewer of web), and payments stays hidden.
  const std::string plain = SignInWith({"somebody-else"});
  json session = json::parse(Get("/ui/session", plain).body);
  EXPECT_EQ(session["teams"], json::array({"web"}));
  EXPECT_EQ(session["can_write"], false);
  EXPECT_EQ(Get("/v1/teams/payments", plain).status, 404);
  EXPECT_EQ(json::parse(Get("/v1/teams", plain).body)["teams"].size(), 1u);
}

TEST_F(OidcApiTest, RefusalsAreHtmlPagesWithoutASession) {
  {
    auto [callback, state_cookie] = Started();
    ExpectRefused(Get(callback), 403, "this sign-in was not started in this browser");
    ASSERT_EQ(Get(callback, state_cookie).status, 302);
    ExpectRefused(Get(callback, state_cookie), 403, "already used or has expired");
  }
  {
    idp_.extra_claims["email"] = "mallory@x.test";
    auto [callback, state_cookie] = Started();
    ExpectRefused(Get(callback, state_cookie), 403,
                  "no user of this loom-oncall matches email mallory@x.test");
  }
  {
    idp_.mint = [](json claims, const oidc::testing::TestKey& key) {
      claims["aud"] = "<script>";
      return oidc::testing::SignJwt(key, claims);
    };
    auto [callback, state_cookie] = Started();
    ExpectRefused(Get(callback, state_cookie), 403,
                  "the ID token is not meant for client loom (aud)");
  }
}

TEST_F(OidcApiTest, AProviderThatIsDownIsA503Page) {
  idp_.down = true;
  Response r = Get("/ui/auth/oidc/start");
  ExpectRefused(r, 503, "the identity provider cannot be reached (discovery)");
  EXPECT_NE(r.body.find("Single sign-on is unavailable"), std::string::npos);
}

// The Api on the real store without single sign-on.
class OidcApiOffTest : public StoreApiTest {};

TEST_F(OidcApiOffTest, WithoutSignOnTheRoutesSaySo) {
  auto r = Call(Method::kGet, "/ui/auth/methods");
  ASSERT_TRUE(r->response.has_value());
  EXPECT_EQ(Body(*r), json({{"token", true}, {"oidc", nullptr}}));
  EXPECT_EQ(Call(Method::kGet, "/ui/auth/oidc/callback")->response->status, 404);
}

}  // namespace
}  // namespace loom::http::api_testing
