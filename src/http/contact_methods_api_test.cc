// A person's own contact methods through the Api on a real SQLite store: adding one sends a code
// through it, the code verifies it, rules name only usable methods, and only the person (or an
// admin) may touch them.
#include <map>
#include <regex>

#include "http/account_test_support.h"
#include "notify/channels.h"

namespace loom::http::testing {
namespace {

constexpr char kAliceToken[] = "alice-bound-token";

class ContactMethodsApiTest : public AccountApiTest {
 protected:
  void SetUp() override {
    AccountApiTest::SetUp();
    accounts_.contacts.env = [](const std::string&) -> const char* { return nullptr; };
    accounts_.contacts.smtp = true;
    accounts_.send_direct = [this](const Destination& to, const Notice& notice) {
      return mail_->Send(to, notice);
    };
    StartApi();
    auto bound = AwaitWrite<ApiToken>([&](auto done) {
      store_->CreateBoundToken("alice-cli", Role::kResponder, "alice", Sha256Hex(kAliceToken),
                               done);
    });
    ASSERT_TRUE(bound.ok()) << bound.error().message;
  }

  Response AsAlice(Method method, const std::string& path, const std::string& body = "") {
    return Send({method, path, body, kAliceToken});
  }

  // The code in the last notice sent.
  std::string LastCode() {
    auto sent = mail_->sent();
    if (sent.empty()) return "";
    std::smatch m;
    const std::string& summary = sent.back().second.summary;
    return std::regex_search(summary, m, std::regex("([0-9]{6})$")) ? m[1].str() : "";
  }

  void AddHook() {
    Response r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods",
                         R"({"id":"hook","type":"webhook","url":"https://hooks.example.com/a"})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
};

TEST_F(ContactMethodsApiTest, AddingSendsACodeThatVerifies) {
  Response r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods",
                       R"({"id":"hook","type":"webhook","url":"https://hooks.example.com/a"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(Body(r)["verified"].get<bool>());
  EXPECT_TRUE(Body(r)["code_sent"].get<bool>());
  ASSERT_EQ(mail_->sent().size(), 1u);
  EXPECT_EQ(mail_->sent()[0].first.type, "webhook");
  EXPECT_EQ(mail_->sent()[0].first.address, "https://hooks.example.com/a");
  EXPECT_EQ(mail_->sent()[0].second.type, "verification");
  const std::string code = LastCode();
  ASSERT_EQ(code.size(), 6u);

  nlohmann::json listed = Body(AsAlice(Method::kGet, "/v1/users/alice/contact-methods"));
  ASSERT_EQ(listed["contact_methods"].size(), 2u);
  EXPECT_EQ(listed["contact_methods"][0]["id"], "mail");
  EXPECT_EQ(listed["contact_methods"][0]["source"], "config");
  EXPECT_EQ(listed["contact_methods"][1]["source"], "api");
  EXPECT_FALSE(listed["contact_methods"][1]["verified"].get<bool>());

  const std::string wrong = code == "000000" ? "111111" : "000000";
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/verify",
              nlohmann::json{{"code", wrong}}.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/verify",
              nlohmann::json{{"code", code}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  listed = Body(AsAlice(Method::kGet, "/v1/users/alice/contact-methods"));
  EXPECT_TRUE(listed["contact_methods"][1]["verified"].get<bool>());

  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/test");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(mail_->sent().back().second.type, "test");
}

TEST_F(ContactMethodsApiTest, ANewCodeAfterFiveWrongTries) {
  AddHook();
  const std::string first = LastCode();
  const std::string wrong = first == "000000" ? "111111" : "000000";
  for (int i = 0; i < kMaxCodeAttempts; ++i) {
    AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/verify",
            nlohmann::json{{"code", wrong}}.dump());
  }
  Response r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/verify",
                       nlohmann::json{{"code", first}}.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("too_many_tries"), std::string::npos) << r.body;
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/send-code");
  ASSERT_EQ(r.status, 200) << r.body;
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/verify",
              nlohmann::json{{"code", LastCode()}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ContactMethodsApiTest, UnverifiedMethodsAreNotTestedNorInRules) {
  AddHook();
  EXPECT_EQ(AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/test").status, 409);
  Response r = AsAlice(Method::kPut, "/v1/users/alice/notification-rules",
                       R"({"high":[{"method":"hook","after":"0s"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("/high/0/method"), std::string::npos) << r.body;
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/verify",
              nlohmann::json{{"code", LastCode()}}.dump());
  ASSERT_EQ(r.status, 200);
  r = AsAlice(Method::kPut, "/v1/users/alice/notification-rules",
              R"({"high":[{"method":"hook"},{"method":"mail","after":"5m"}],"low":[]})");
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json listed = Body(AsAlice(Method::kGet, "/v1/users/alice/contact-methods"));
  EXPECT_EQ(listed["notification_rules"]["source"], "api");
  EXPECT_EQ(listed["notification_rules"]["high"][1]["after"], "300s");
  // A method the rules name stays; the file's cannot be deleted here.
  EXPECT_EQ(AsAlice(Method::kDelete, "/v1/users/alice/contact-methods/hook").status, 409);
  EXPECT_EQ(AsAlice(Method::kDelete, "/v1/users/alice/contact-methods/mail").status, 409);
  ASSERT_EQ(AsAlice(Method::kPut, "/v1/users/alice/notification-rules", R"({})").status, 200);
  EXPECT_EQ(AsAlice(Method::kDelete, "/v1/users/alice/contact-methods/hook").status, 200);
  EXPECT_EQ(AsAlice(Method::kDelete, "/v1/users/alice/contact-methods/hook").status, 404);
}

TEST_F(ContactMethodsApiTest, BadInputIsAProblemWithThePointer) {
  Response r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods", R"({"url":"https://x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("/type"), std::string::npos) << r.body;
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods",
              R"({"type":"webhook","url":"ftp://x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("/url"), std::string::npos) << r.body;
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods",
              R"({"type":"webhook","url_env":"NOT_SET_ANYWHERE"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("NOT_SET_ANYWHERE is not set"), std::string::npos) << r.body;
  r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods",
              R"({"id":"mail","type":"email","address":"a@example.com"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_TRUE(mail_->sent().empty());
}

// The console's form: each type with its keys from the channel table, and whether the server is
// set up for it (this one has the mail relay, no Twilio).
TEST_F(ContactMethodsApiTest, TheAnswerListsEachTypeWithItsKeys) {
  nlohmann::json listed = Body(AsAlice(Method::kGet, "/v1/users/alice/contact-methods"));
  ASSERT_EQ(listed["types"].size(), ChannelTypes().size());
  std::map<std::string, nlohmann::json> types;
  for (const nlohmann::json& t : listed["types"]) types[t["type"]] = t;
  EXPECT_EQ(types.at("ntfy")["keys"],
            nlohmann::json::parse(R"([{"name":"topic","required":true,"env":false},)"
                                  R"({"name":"server","required":false,"env":false},)"
                                  R"({"name":"token_env","required":false,"env":true}])"));
  EXPECT_EQ(types.at("email")["keys"][0]["name"], "address");
  EXPECT_EQ(types.at("email")["usable"], true);
  EXPECT_EQ(types.at("webhook")["keys"].size(), 3u);  // url, url_env, secret_env
  EXPECT_EQ(types.at("sms")["usable"], false);
  EXPECT_EQ(types.at("sms")["problem"], "contact method type sms needs notify.providers.twilio");
}

// Who changed what, newest first, readable by the person and an admin only.
TEST_F(ContactMethodsApiTest, TheHistoryNamesWhoChangedWhat) {
  AddHook();  // alice's bound token: user:alice
  Response r = AsAlice(Method::kPost, "/v1/users/alice/contact-methods/hook/verify",
                       R"({"code":")" + LastCode() + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = Send({Method::kPut, "/v1/users/alice/notification-rules", R"({"high":[{"method":"hook"}]})",
            kAdminToken});
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json history = Body(AsAlice(Method::kGet, "/v1/users/alice/contact-history"));
  EXPECT_EQ(history["user"], "alice");
  ASSERT_EQ(history["changes"].size(), 3u);
  EXPECT_EQ(history["changes"][0]["action"], "rules_replaced");
  EXPECT_EQ(history["changes"][0]["actor"], "token:admin");
  EXPECT_FALSE(history["changes"][0].contains("method"));
  EXPECT_EQ(history["changes"][1]["action"], "method_verified");
  EXPECT_EQ(history["changes"][1]["actor"], "user:alice");
  EXPECT_EQ(history["changes"][2]["action"], "method_added");
  EXPECT_EQ(history["changes"][2]["method"], "hook");
  EXPECT_EQ(history["changes"][2]["type"], "webhook");
  EXPECT_FALSE(history["changes"][2]["at"].get<std::string>().empty());

  CreateUser("carol", "carol-password-123");
  SignedIn carol = SignIn("carol", "carol-password-123");
  EXPECT_EQ(Send({Method::kGet, "/v1/users/alice/contact-history", "", "", carol.cookie}).status,
            403);
  EXPECT_EQ(Send({Method::kGet, "/v1/users/alice/contact-history", "", kAdminToken}).status, 200);
  EXPECT_EQ(Send({Method::kGet, "/v1/users/alice/contact-history"}).status, 401);
}

TEST_F(ContactMethodsApiTest, OnlyThePersonOrAnAdmin) {
  CreateUser("carol", "carol-password-123");
  SignedIn carol = SignIn("carol", "carol-password-123");
  Response r = Send({Method::kGet, "/v1/users/alice/contact-methods", "", "", carol.cookie});
  EXPECT_EQ(r.status, 403) << r.body;
  r = Send({Method::kGet, "/v1/users/carol/contact-methods", "", "", carol.cookie});
  EXPECT_EQ(r.status, 200) << r.body;
  r = Send({Method::kGet, "/v1/users/alice/contact-methods", "", kAdminToken});
  EXPECT_EQ(r.status, 200) << r.body;
  r = Send({Method::kPost, "/v1/users/alice/contact-methods",
            R"({"type":"webhook","url":"https://h.example.com"})", kAdminToken});
  EXPECT_EQ(r.status, 201) << r.body;
  r = Send({Method::kGet, "/v1/users/nobody/contact-methods", "", kAdminToken});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Send({Method::kGet, "/v1/users/alice/contact-methods"}).status, 401);
}

}  // namespace
}  // namespace loom::http::testing
