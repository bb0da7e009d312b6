// One rule for a contact method's keys: each bad method of the table goes through the
// configuration file (ParseConfig, config/channels_section.cc) and through the API (POST
// /v1/users/{id}/contact-methods), and both name the same key with the same message (the rule is
// ResolveContactKeys, config/contact_method_input.h).
#include <nlohmann/json.hpp>

#include "config/config.h"
#include "http/account_test_support.h"
#include "notify/channels.h"

namespace loom::http::testing {
namespace {

// The environment both paths read (the file's `*_env` keys and the API's).
const std::map<std::string, std::string>& Vars() {
  static const std::map<std::string, std::string> kVars = {
      {"TW_SID", "AC123"},
      {"TW_TOKEN", "tw-token"},
      {"APP", "app-token"},
      {"BOT", "123:bot"},
      {"TG_SECRET", "telegram-secret"},
      {"PLAIN_SECRET", "plain-secret-456"},
      {"BLANK", "   "},
      {"NOT_A_URL", "ftp://files.example.com/secret-token-123"},
  };
  return kVars;
}

const char* Lookup(const std::string& name) {
  auto it = Vars().find(name);
  return it == Vars().end() ? nullptr : it->second.c_str();
}

// Every provider a contact method may need, and the mail relay.
constexpr char kNotify[] = R"(notify:
  smtp: { url: "smtp://127.0.0.1:2525", from: oncall@example.com }
  providers:
    twilio: { account_sid_env: TW_SID, auth_token_env: TW_TOKEN, from: "+15005550006" }
    pushover: { app_token_env: APP }
    telegram: { bot_token_env: BOT, secret_token_env: TG_SECRET }
)";

struct BadMethod {
  std::string type;
  std::vector<std::pair<std::string, std::string>> keys;
  std::string key;  // the key the problem names ("" = the method as a whole)
  std::string message;
};

std::vector<BadMethod> Table() {
  return {
      {"sms",
       {{"number", "555-1234"}},
       "number",
       "'555-1234' is not an E.164 phone number (+ and up to 15 digits, e.g. +15551234567)"},
      {"voice", {}, "number", "is required for type voice"},
      {"voice",
       {{"number", "+15551234567"}, {"url", "https://x.example.com"}},
       "url",
       "does not apply to type voice (use number)"},
      {"ntfy", {{"server", "https://ntfy.example.com"}}, "topic", "is required for type ntfy"},
      {"ntfy",
       {{"topic", "a b"}},
       "",
       "topic 'a b' is not an ntfy topic (1 to 64 of A-Z a-z 0-9 _ -)"},
      {"ntfy",
       {{"topic", "t"}, {"numbr", "+15551234567"}},
       "numbr",
       "does not apply to type ntfy (use topic, server, token_env)"},
      {"pushover",
       {{"user_key_env", "not a name"}},
       "user_key_env",
       "'not a name' is not an environment variable name"},
      {"pushover",
       {{"user_key_env", "UNSET_KEY"}},
       "user_key_env",
       "environment variable UNSET_KEY is not set"},
      {"email",
       {{"address", "not an address"}},
       "address",
       "'not an address' is not an e-mail address"},
      {"email", {}, "address", "is required for type email"},
      {"email",
       {{"address", "a@example.com"}, {"url", "https://x.example.com"}},
       "url",
       "does not apply to type email (use address)"},
      {"webhook",
       {{"url", "https://a.example.com"}, {"url_env", "NOT_A_URL"}},
       "",
       "set exactly one of url or url_env"},
      {"webhook", {}, "", "set exactly one of url or url_env"},
      {"webhook", {{"url", "https://:443/x"}}, "url", "has no host"},
      {"webhook",
       {{"url_env", "NOT_A_URL"}},
       "url_env",
       "the URL in environment variable NOT_A_URL must start with http:// or https://"},
      {"webhook",
       {{"url", "https://h.example.com"}, {"secret_env", "PLAIN_SECRET"}},
       "secret_env",
       "environment variable PLAIN_SECRET: secret 1 is not a webhook secret (whsec_ followed by "
       "base64)"},
      {"webhook",
       {{"url", "https://h.example.com"}, {"secret_env", "BLANK"}},
       "secret_env",
       "environment variable BLANK holds no secret"},
      {"slack",
       {{"url", "https://hooks.slack.com/x"}, {"secret_env", "PLAIN_SECRET"}},
       "secret_env",
       "does not apply to type slack (use url, url_env)"},
      {"carrier-pigeon",
       {},
       "type",
       "'carrier-pigeon' is not a contact method type (" + ChannelTypeNames(", ") + ")"},
  };
}

std::string Yaml(const BadMethod& m) {
  std::string item = "{ id: m, type: \"" + m.type + "\"";
  for (const auto& [k, v] : m.keys) item += ", " + k + ": \"" + v + "\"";
  return std::string(kNotify) + "users:\n  - id: alice\n    contact_methods:\n      - " + item +
         " }\n";
}

class ContactMethodKeysTest : public AccountApiTest {
 protected:
  void SetUp() override {
    AccountApiTest::SetUp();
    accounts_.contacts.env = &Lookup;
    accounts_.contacts.smtp = true;
    accounts_.contacts.providers = {"twilio", "twilio.from", "pushover", "telegram"};
    StartApi();
  }
};

TEST_F(ContactMethodKeysTest, TheFileAndTheApiGiveTheSameAnswer) {
  const EnvLookup env = [](const char* name) { return Lookup(name); };
  for (const BadMethod& m : Table()) {
    SCOPED_TRACE(m.type + " " + m.key + ": " + m.message);
    // The file: "<file>:<line>: users[0].contact_methods[0].<key>: <message>".
    Result<Config> parsed = ParseConfig(Yaml(m), "loom-oncall.yaml", env);
    ASSERT_FALSE(parsed.ok());
    const std::string at =
        "users[0].contact_methods[0]" + (m.key.empty() ? "" : "." + m.key) + ": " + m.message;
    EXPECT_NE(parsed.error().message.find(at), std::string::npos) << parsed.error().message;
    // The API: a problem with the key as its pointer and the message as its detail.
    nlohmann::json body = {{"type", m.type}};
    for (const auto& [k, v] : m.keys) body[k] = v;
    Response r = Send({Method::kPost, "/v1/users/alice/contact-methods", body.dump(), kAdminToken});
    ASSERT_EQ(r.status, 400) << r.body;
    nlohmann::json problem = nlohmann::json::parse(r.body);
    const nlohmann::json expected = {{"detail", m.message}, {"pointer", "/" + m.key}};
    bool found = false;
    for (const nlohmann::json& e : problem["errors"]) found = found || e == expected;
    EXPECT_TRUE(found) << r.body;
    // Secrets from the environment never appear in either answer.
    for (const char* secret : {"plain-secret-456", "secret-token-123"}) {
      EXPECT_EQ(parsed.error().message.find(secret), std::string::npos);
      EXPECT_EQ(r.body.find(secret), std::string::npos);
    }
  }
}

TEST_F(ContactMethodKeysTest, AMissingProviderIsTheSameAnswerToo) {
  accounts_.contacts.providers.clear();
  StartApi();
  Result<Config> parsed = ParseConfig(
      "users:\n  - id: alice\n    contact_methods:\n      - { id: t, type: sms, "
      "number: \"+15551234567\" }\n",
      "loom-oncall.yaml", [](const char* name) { return Lookup(name); });
  ASSERT_FALSE(parsed.ok());
  const std::string message = "contact method type sms needs notify.providers.twilio";
  EXPECT_NE(parsed.error().message.find("users[0].contact_methods[0].type: " + message),
            std::string::npos)
      << parsed.error().message;
  Response r = Send({Method::kPost, "/v1/users/alice/contact-methods",
                     R"({"type":"sms","number":"+15551234567"})", kAdminToken});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["errors"][0],
            (nlohmann::json{{"detail", message}, {"pointer", "/type"}}));
}

}  // namespace
}  // namespace loom::http::testing
