// People signing in to the console: POST /v1/users, POST /ui/login, GET /ui/session, the brake
// on failed sign-ins, durable sessions with idle and absolute expiry, sign-out (everywhere), and
// the actor of what a person does.
#include "http/account_test_support.h"

namespace loom::http::testing {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;

constexpr char kCarolPassword[] = "carol's long passphrase";

TEST_F(AccountApiTest, APersonSignsInWithAPasswordAndTheSessionNamesThem) {
  CreateUser("carol", kCarolPassword);
  Response r = Send(
      {Method::kPost, "/ui/login", json{{"user", "carol"}, {"password", kCarolPassword}}.dump()});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = CookieSet(r);
  ASSERT_EQ(cookie.size(), 64u);
  json signed_in = Body(r);
  EXPECT_EQ(signed_in["user"], "carol");
  EXPECT_EQ(signed_in["name"], "User carol");
  EXPECT_EQ(signed_in["role"], "responder");
  EXPECT_EQ(signed_in["teams"], json::array());
  EXPECT_EQ(signed_in["actor"], "user:carol");
  EXPECT_EQ(signed_in["can_write"], true);
  // Max-Age: the absolute expiry, 7 days by default.
  bool max_age = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "Set-Cookie") max_age = value.find("Max-Age=604800;") != std::string::npos;
  }
  EXPECT_TRUE(max_age);

  Response session = Send({Method::kGet, "/ui/session", "", "", cookie});
  ASSERT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(Body(session)["user"], "carol");
  EXPECT_EQ(Body(session)["name"], "User carol");
  EXPECT_EQ(Body(session)["csrf_token"], signed_in["csrf_token"]);
}

TEST_F(AccountApiTest, WhatAPersonDoesIsRecordedAsThem) {
  CreateUser("carol", kCarolPassword);
  const int64_t n = Trigger("db", Severity::kSev2);
  SignedIn carol = SignIn("carol", kCarolPassword);
  Response ack = Send({Method::kPost, "/v1/incidents/INC-" + std::to_string(n) + "/acknowledge",
                       "{}", "", carol.cookie, carol.csrf});
  ASSERT_EQ(ack.status, 200) << ack.body;
  auto detail = store_->GetIncident(n);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  bool by_carol = false;
  for (const TimelineEvent& e : (*detail)->timeline) {
    if (e.type == "incident.acknowledged") by_carol = e.actor == "user:carol";
  }
  EXPECT_TRUE(by_carol);
}

TEST_F(AccountApiTest, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  CreateUser("carol", kCarolPassword);
  Response wrong = Send({Method::kPost, "/ui/login",
                         json{{"user", "carol"}, {"password", "not her password"}}.dump()});
  Response unknown = Send({Method::kPost, "/ui/login",
                           json{{"user", "mallory"}, {"password", "not her password"}}.dump(), "",
                           "", "", "192.0.2.2"});
  Response no_password = Send({Method::kPost, "/ui/login",
                               json{{"user", "alice"}, {"password", "not her password"}}.dump(), "",
                               "", "", "192.0.2.3"});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Body(wrong)["detail"], "unknown user or wrong password");
  for (const Response* r : {&unknown, &no_password}) {
    EXPECT_EQ(r->status, wrong.status);
    EXPECT_EQ(Body(*r)["detail"], Body(wrong)["detail"]);
    EXPECT_EQ(Body(*r)["errors"], Body(wrong)["errors"]);
    EXPECT_EQ(CookieSet(*r), "");
  }
}

TEST_F(AccountApiTest, FailedSignInsAreBrakedPerUserUntilTheWindowPasses) {
  CreateUser("carol", kCarolPassword);
  for (int i = 0; i < 5; ++i) {
    Response r =
        Send({Method::kPost, "/ui/login",
              json{{"user", "carol"}, {"password", "guess number " + std::to_string(i)}}.dump(), "",
              "", "", "198.51.100." + std::to_string(i)});
    ASSERT_EQ(r.status, 401) << i;
  }
  // The right password from yet another address is refused too, without being checked.
  Response braked = Send({Method::kPost, "/ui/login",
                          json{{"user", "carol"}, {"password", kCarolPassword}}.dump(), "", "", "",
                          "203.0.113.7"});
  EXPECT_EQ(braked.status, 429) << braked.body;
  EXPECT_EQ(braked.retry_after_seconds, 15 * 60);
  clock_.Advance(minutes(15));
  SignIn("carol", kCarolPassword, "203.0.113.7");
}

TEST_F(AccountApiTest, OneAddressTryingManyUsersIsBraked) {
  accounts_.sign_in.per_address = 3;
  StartApi();
  for (const char* user : {"u1", "u2", "u3"}) {
    Response r = Send(
        {Method::kPost, "/ui/login", json{{"user", user}, {"password", "whatever it is"}}.dump()});
    ASSERT_EQ(r.status, 401);
  }
  Response r = Send(
      {Method::kPost, "/ui/login", json{{"user", "u4"}, {"password", "whatever it is"}}.dump()});
  EXPECT_EQ(r.status, 429);
}

TEST_F(AccountApiTest, SessionsSurviveARestartAndEndWhenIdleOrPastTheAbsoluteExpiry) {
  CreateUser("carol", kCarolPassword);
  SignedIn s = SignIn("carol", kCarolPassword);
  StartApi();  // a restart: the session is in the store
  ASSERT_EQ(Send({Method::kGet, "/ui/session", "", "", s.cookie}).status, 200);

  // Used every 7 hours, it lives until 7 days after sign-in.
  for (int i = 0; i < 23; ++i) {
    clock_.Advance(hours(7));
    ASSERT_EQ(Send({Method::kGet, "/ui/session", "", "", s.cookie}).status, 200) << i;
    Flush();  // its last use is written
  }
  clock_.Advance(hours(7));  // 168 h after sign-in
  EXPECT_EQ(Send({Method::kGet, "/ui/session", "", "", s.cookie}).status, 401);

  // Unused for 8 hours, it ends.
  SignedIn t = SignIn("carol", kCarolPassword);
  clock_.Advance(hours(8));
  Response idle = Send({Method::kGet, "/ui/session", "", "", t.cookie});
  EXPECT_EQ(idle.status, 401);
}

TEST_F(AccountApiTest, SignOutEndsOneSessionAndSignOutEverywhereEndsAllOfThem) {
  CreateUser("carol", kCarolPassword);
  CreateUser("dave", "dave's long passphrase");
  SignedIn a = SignIn("carol", kCarolPassword);
  SignedIn b = SignIn("carol", kCarolPassword);
  SignedIn c = SignIn("carol", kCarolPassword);
  SignedIn d = SignIn("dave", "dave's long passphrase");

  // Without the CSRF token: refused, nothing ends.
  EXPECT_EQ(Send({Method::kPost, "/ui/logout", "", "", a.cookie}).status, 403);
  Response out = Send({Method::kPost, "/ui/logout", "", "", a.cookie, a.csrf});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(Send({Method::kGet, "/ui/session", "", "", a.cookie}).status, 401);
  EXPECT_EQ(Send({Method::kGet, "/ui/session", "", "", b.cookie}).status, 200);

  Response all = Send({Method::kPost, "/ui/logout-everywhere", "", "", b.cookie, b.csrf});
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Body(all)["signed_out"], 2);
  EXPECT_EQ(Send({Method::kGet, "/ui/session", "", "", b.cookie}).status, 401);
  EXPECT_EQ(Send({Method::kGet, "/ui/session", "", "", c.cookie}).status, 401);
  EXPECT_EQ(Send({Method::kGet, "/ui/session", "", "", d.cookie}).status, 200);
}

TEST_F(AccountApiTest, LocalSignInCanBeSwitchedOff) {
  CreateUser("carol", kCarolPassword);
  accounts_.local = false;
  StartApi();
  Response r = Send(
      {Method::kPost, "/ui/login", json{{"user", "carol"}, {"password", kCarolPassword}}.dump()});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(Body(r)["detail"].get<std::string>().find("auth.local: false"), std::string::npos);
  EXPECT_EQ(Send({Method::kPost, "/ui/password-reset", json{{"user", "alice"}}.dump()}).status,
            403);
}

TEST_F(AccountApiTest, UsersListsConfiguredAndCreatedPeopleWithTheirRoles) {
  CreateUser("carol", kCarolPassword, "viewer");
  Response dup = Send({Method::kPost, "/v1/users", json{{"id", "alice"}}.dump(), kAdminToken});
  EXPECT_EQ(dup.status, 409) << dup.body;
  Response bad = Send(
      {Method::kPost, "/v1/users",
       json{{"id", "Not Valid"}, {"role", "calendar"}, {"password", "short"}}.dump(), kAdminToken});
  ASSERT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["errors"].size(), 3u) << bad.body;
  Response list = Send({Method::kGet, "/v1/users", "", kAdminToken});
  ASSERT_EQ(list.status, 200) << list.body;
  json users = Body(list)["users"];
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0]["id"], "alice");
  EXPECT_EQ(users[0]["role"], "responder");
  EXPECT_EQ(users[0]["source"], "config");
  EXPECT_EQ(users[0]["has_password"], false);
  EXPECT_EQ(users[1]["id"], "bob");
  EXPECT_EQ(users[1]["role"], "admin");
  EXPECT_EQ(users[2]["id"], "carol");
  EXPECT_EQ(users[2]["role"], "viewer");
  EXPECT_EQ(users[2]["source"], "api");
  EXPECT_EQ(users[2]["has_password"], true);
}

}  // namespace
}  // namespace loom::http::testing
