// Passwords of people: set by the user with their current password, a first one by an admin,
// reset links mailed to a configured e-mail method that work once and expire; and API tokens
// bound to a user, which act as that user.
#include <regex>

#include "http/account_test_support.h"

namespace loom::http::testing {
namespace {

using nlohmann::json;
using std::chrono::minutes;

constexpr char kFirst[] = "the first passphrase";
constexpr char kSecond[] = "the second passphrase";

// The reset token in the link of a mailed notice ("<public url>/ui/reset/<user>/<token>").
std::string LinkToken(const Notice& notice, const std::string& user) {
  std::smatch m;
  const std::regex link("https://oncall\\.example\\.com/ui/reset/" + user + "/([0-9a-f]{64})");
  if (!std::regex_search(notice.detail, m, link)) return {};
  return m[1];
}

TEST_F(AccountApiTest, AUserChangesTheirPasswordWithTheCurrentOne) {
  CreateUser("carol", kFirst);
  SignedIn carol = SignIn("carol", kFirst);
  Response wrong =
      Send({Method::kPut, "/v1/users/carol/password",
            json{{"current_password", "not the password"}, {"password", kSecond}}.dump(), "",
            carol.cookie, carol.csrf});
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  Response missing = Send({Method::kPut, "/v1/users/carol/password",
                           json{{"password", kSecond}}.dump(), "", carol.cookie, carol.csrf});
  EXPECT_EQ(missing.status, 400) << missing.body;
  Response changed = Send({Method::kPut, "/v1/users/carol/password",
                           json{{"current_password", kFirst}, {"password", kSecond}}.dump(), "",
                           carol.cookie, carol.csrf});
  ASSERT_EQ(changed.status, 200) << changed.body;
  SignIn("carol", kSecond);
  EXPECT_EQ(Send({Method::kPost, "/ui/login", json{{"user", "carol"}, {"password", kFirst}}.dump()})
                .status,
            401);
  // Someone else's password: refused.
  CreateUser("dave", kFirst);
  Response other = Send({Method::kPut, "/v1/users/dave/password",
                         json{{"current_password", kFirst}, {"password", kSecond}}.dump(), "",
                         carol.cookie, carol.csrf});
  EXPECT_EQ(other.status, 403) << other.body;
}

TEST_F(AccountApiTest, AnAdminSetsAFirstPasswordOnly) {
  Response first = Send(
      {Method::kPut, "/v1/users/alice/password", json{{"password", kFirst}}.dump(), kAdminToken});
  ASSERT_EQ(first.status, 200) << first.body;
  SignIn("alice", kFirst);
  Response again = Send(
      {Method::kPut, "/v1/users/alice/password", json{{"password", kSecond}}.dump(), kAdminToken});
  EXPECT_EQ(again.status, 409) << again.body;
  Response short_one = Send(
      {Method::kPut, "/v1/users/bob/password", json{{"password", "short"}}.dump(), kAdminToken});
  EXPECT_EQ(short_one.status, 400);
  Response nobody = Send(
      {Method::kPut, "/v1/users/nobody/password", json{{"password", kFirst}}.dump(), kAdminToken});
  EXPECT_EQ(nobody.status, 404);
}

TEST_F(AccountApiTest, AResetLinkIsMailedWorksOnceAndSignsTheUserOut) {
  Send({Method::kPut, "/v1/users/alice/password", json{{"password", kFirst}}.dump(), kAdminToken});
  SignedIn before = SignIn("alice", kFirst);
  Response asked = Send({Method::kPost, "/ui/password-reset", json{{"user", "alice"}}.dump()});
  ASSERT_EQ(asked.status, 202) << asked.body;
  // Unknown users and users without an e-mail method get the same answer and no mail.
  Response unknown = Send({Method::kPost, "/ui/password-reset", json{{"user", "mallory"}}.dump()});
  Response no_mail = Send({Method::kPost, "/ui/password-reset", json{{"user", "bob"}}.dump()});
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(unknown.body, asked.body);
  EXPECT_EQ(no_mail.body, asked.body);
  // The mail goes out on the accounts' job thread after the answer: a later request's job runs
  // after it, so once this one answers the mail is there.
  Send({Method::kPut, "/v1/users/alice/password", json{{"password", kSecond}}.dump(), kAdminToken});
  auto sent = mail_->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first.type, "email");
  EXPECT_EQ(sent[0].first.address, "alice@example.com");
  const std::string token = LinkToken(sent[0].second, "alice");
  ASSERT_FALSE(token.empty()) << sent[0].second.detail;

  // The link is alice's only.
  Response not_bobs = Send({Method::kPut, "/v1/users/bob/password",
                            json{{"reset_token", token}, {"password", kSecond}}.dump()});
  EXPECT_EQ(not_bobs.status, 400) << not_bobs.body;
  Response used = Send({Method::kPut, "/v1/users/alice/password",
                        json{{"reset_token", token}, {"password", kSecond}}.dump()});
  ASSERT_EQ(used.status, 200) << used.body;
  EXPECT_EQ(Send({Method::kGet, "/ui/session", "", "", before.cookie}).status, 401);
  SignIn("alice", kSecond);
  Response twice = Send({Method::kPut, "/v1/users/alice/password",
                         json{{"reset_token", token}, {"password", kFirst}}.dump()});
  EXPECT_EQ(twice.status, 400) << twice.body;
}

TEST_F(AccountApiTest, AResetLinkExpiresAndItsPageSetsThePassword) {
  ASSERT_EQ(Send({Method::kPost, "/ui/password-reset", json{{"user", "alice"}}.dump()}).status,
            202);
  ASSERT_EQ(Send({Method::kPost, "/ui/password-reset", json{{"user", "alice"}}.dump()}).status,
            202);
  // A request answered on the accounts' job thread: the mails' jobs ran before it.
  Send({Method::kPut, "/v1/users/bob/password", json{{"password", kFirst}}.dump(), kAdminToken});
  auto sent = mail_->sent();
  ASSERT_EQ(sent.size(), 2u);
  const std::string late = LinkToken(sent[0].second, "alice");
  const std::string page = LinkToken(sent[1].second, "alice");

  Response form = Send({Method::kGet, "/ui/reset/alice/" + page});
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("name=\"password\""), std::string::npos);
  Response differ = Send({Method::kPost, "/ui/reset/alice/" + page,
                          "password=one+long+password&confirm=another+long+one"});
  EXPECT_NE(differ.body.find("differ"), std::string::npos);
  Response set = Send({Method::kPost, "/ui/reset/alice/" + page,
                       "password=one+long+password&confirm=one+long+password"});
  ASSERT_EQ(set.status, 200) << set.body;
  SignIn("alice", "one long password");
  Response again = Send({Method::kPost, "/ui/reset/alice/" + page,
                         "password=one+long+password&confirm=one+long+password"});
  EXPECT_EQ(again.status, 410);

  clock_.Advance(minutes(30));
  Response expired = Send({Method::kPut, "/v1/users/alice/password",
                           json{{"reset_token", late}, {"password", kSecond}}.dump()});
  EXPECT_EQ(expired.status, 400) << expired.body;
}

TEST_F(AccountApiTest, ResetRequestsAreBrakedPerUser) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Send({Method::kPost, "/ui/password-reset", json{{"user", "alice"}}.dump(), "", "", "",
                    "198.51.100." + std::to_string(i)})
                  .status,
              202);
  }
  Response braked = Send({Method::kPost, "/ui/password-reset", json{{"user", "alice"}}.dump()});
  EXPECT_EQ(braked.status, 429);
  EXPECT_GT(braked.retry_after_seconds, 0);
}

TEST_F(AccountApiTest, ABoundTokenActsAsItsUserWithinTheirRole) {
  Response made = Send({Method::kPost, "/v1/tokens",
                        json{{"name", "alice-laptop"}, {"role", "admin"}, {"user", "alice"}}.dump(),
                        kAdminToken});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(Body(made)["user"], "alice");
  const std::string token = Body(made)["token"];
  const int64_t n = Trigger("db", Severity::kSev2);
  Response ack =
      Send({Method::kPost, "/v1/incidents/INC-" + std::to_string(n) + "/acknowledge", "{}", token});
  ASSERT_EQ(ack.status, 200) << ack.body;
  auto detail = store_->GetIncident(n);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_EQ((*detail)->incident.commander, "user:alice");
  // alice is a responder: her admin token cannot do what needs an admin.
  Response admin_only =
      Send({Method::kPost, "/v1/tokens", json{{"name", "x"}, {"role", "viewer"}}.dump(), token});
  EXPECT_EQ(admin_only.status, 403) << admin_only.body;
  Response nobody =
      Send({Method::kPost, "/v1/tokens",
            json{{"name", "y"}, {"role", "viewer"}, {"user", "nobody"}}.dump(), kAdminToken});
  EXPECT_EQ(nobody.status, 400) << nobody.body;
  Response unbound = Send({Method::kPost, "/v1/tokens",
                           json{{"name", "ci"}, {"role", "responder"}}.dump(), kAdminToken});
  EXPECT_EQ(Body(unbound)["user"], nullptr);
}

}  // namespace
}  // namespace loom::http::testing
