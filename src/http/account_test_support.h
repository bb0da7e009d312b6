// Test-only: the fixture of the people's HTTP suites (account_*_test.cc) — the Api over a real
// SQLite store on a fake clock, configured users alice (an e-mail contact method) and bob, an
// admin token, a mail channel that keeps what it is given, and requests that carry a cookie, a
// CSRF token and a client address.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "engine/engine_test_support.h"
#include "http/api.h"
#include "http/awaited_reply.h"
#include "http/session.h"

namespace loom::http::testing {

inline constexpr char kAdminToken[] = "bootstrap-admin-token";

// Keeps every notice it is asked to send.
class KeptMail final : public Channel {
 public:
  SendResult Send(const Destination& to, const Notice& notice) override {
    std::lock_guard lock(mu_);
    sent_.push_back({to, notice});
    SendResult ok;
    ok.outcome = SendResult::Outcome::kDelivered;
    return ok;
  }
  std::vector<std::pair<Destination, Notice>> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<Destination, Notice>> sent_;
};

// One request as a client sends it.
struct Call {
  Method method = Method::kGet;
  std::string path{};
  std::string body{};
  std::string bearer{};  // the token of an Authorization header, "" for none
  std::string cookie{};  // the loom_session value, "" for none
  std::string csrf{};    // X-CSRF-Token
  std::string address = "192.0.2.1";
};

class AccountApiTest : public loom::testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    CreateLoomService();
    User alice;
    alice.id = "alice";
    alice.name = "Alice Liddell";
    ContactMethod mail;
    mail.id = "mail";
    mail.type = "email";
    mail.address = "alice@example.com";
    alice.contact_methods.push_back(mail);
    User bob;
    bob.id = "bob";
    bob.name = "Bob";
    bob.role = Role::kAdmin;
    users_ = {{"alice", alice}, {"bob", bob}};
    ASSERT_TRUE(store_->UpsertConfiguredUsers({alice, bob}).ok());
    StartApi();
  }
  void TearDown() override { api_.reset(); }

  // (Re)starts the Api on the same store: a restart of the server.
  void StartApi() {
    api_.reset();
    ApiOptions options;
    options.accounts = accounts_;
    options.accounts.mail = mail_;
    options.accounts.public_url = [] { return std::string("https://oncall.example.com"); };
    OnCallDeps oncall;
    oncall.roster = std::make_shared<Roster>(std::make_shared<const OnCallSnapshot>(
        OnCallResolver({}, {}), users_, std::map<std::string, BusinessCalendar>{}));
    api_ = std::make_unique<Api>(*store_, clock_, Sha256Hex(kAdminToken), options, nullptr,
                                 std::move(oncall));
  }

  Response Send(const Call& c) {
    const std::string auth = c.bearer.empty() ? "" : "Bearer " + c.bearer;
    const std::string cookie =
        c.cookie.empty() ? "" : std::string(kSessionCookieName) + "=" + c.cookie;
    Request req;
    req.method = c.method;
    req.target = c.path;
    req.path = c.path;
    req.authorization = auth;
    req.body = c.body;
    req.cookie = cookie;
    req.csrf_token = c.csrf;
    req.host = "oncall.example.com";
    req.client_address = c.address;
    auto reply = std::make_shared<AwaitedReply>();
    api_->Handle(api_->Match(c.method, req.path), req, reply);
    return reply->Get();
  }

  // Waits until the store's writer has committed every write submitted before (the writes that
  // requests leave behind without waiting, such as a session's last use).
  void Flush() {
    auto r = AwaitWrite<bool>([&](auto done) { store_->DeleteSession("no such session", done); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  static nlohmann::json Body(const Response& r) { return nlohmann::json::parse(r.body); }

  // The session cookie value a response sets, "" when none.
  static std::string CookieSet(const Response& r) {
    for (const auto& [name, value] : r.headers) {
      if (name != "Set-Cookie") continue;
      std::string_view v = value;
      v.remove_prefix(std::string(kSessionCookieName).size() + 1);
      return std::string(v.substr(0, v.find(';')));
    }
    return {};
  }

  // POST /v1/users as the admin with an initial password.
  void CreateUser(const std::string& id, const std::string& password,
                  const std::string& role = "") {
    nlohmann::json body = {{"id", id}, {"name", "User " + id}, {"password", password}};
    if (!role.empty()) body["role"] = role;
    Response r = Send({Method::kPost, "/v1/users", body.dump(), kAdminToken});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  struct SignedIn {
    std::string cookie;
    std::string csrf;
  };
  // POST /ui/login; the test fails unless it answers 200.
  SignedIn SignIn(const std::string& user, const std::string& password,
                  const std::string& address = "192.0.2.1") {
    Response r =
        Send({Method::kPost, "/ui/login",
              nlohmann::json{{"user", user}, {"password", password}}.dump(), "", "", "", address});
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return {CookieSet(r), Body(r)["csrf_token"].get<std::string>()};
  }

  std::map<std::string, User> users_;
  AccountOptions accounts_;
  std::shared_ptr<KeptMail> mail_ = std::make_shared<KeptMail>();
  std::unique_ptr<Api> api_;
};

}  // namespace loom::http::testing
