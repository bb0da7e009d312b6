// channels_section.cc: contact methods and incident channels, and a whole delivery set-up
// (methods, rules, channels, notify) loaded together.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

constexpr char kDeliveryYaml[] = R"(users:
  - id: alice
    contact_methods:
      - { id: mail, type: email, address: alice@example.com }
      - { id: hook, type: webhook, url: "https://hooks.example.com/alice", secret_env: ALICE_HOOK_SECRET }
      - { id: chat, type: slack, url_env: ALICE_SLACK }
      - { id: plain, type: webhook, url: "http://127.0.0.1:9000/a" }
    notification_rules:
      high: [ { method: hook, after: 0m }, { method: mail, after: 90s }, { method: chat, after: 1h30m } ]
      low: [ { method: mail } ]
  - id: bob
    contact_methods: [ { id: mail, type: email, address: bob@example.com } ]
services:
  - id: loom
    incident_channels:
      - { type: slack, url_env: OPS_SLACK }
      - { id: ops-hook, type: webhook, url: "https://ops.example.com/hook", secret_env: OPS_HOOK_SECRET }
      - { type: webhook, url: "http://[::1]:8081/x" }
notify:
  smtp:
    url: "smtp://mail.example.com:587"
    from: oncall@example.com
    starttls: true
    username: oncall
    password_env: SMTP_PASSWORD
    verify_tls: false
  allow_hosts: [127.0.0.1, "::1", 10.0.0.0/8, hooks.internal]
  workers: 2
  per_destination: 3
  max_attempts: 5
  retry: { initial: 10s, max: 5m }
  bundle_window: 0s
  timeout: 15s
  link_ttl: 2d
  link_secret_env: LINK_SECRET
)";

TEST(ParseConfig, ContactMethodsRulesChannelsAndNotify) {
  FakeEnv env(DeliveryVars());
  auto r = Parse(kDeliveryYaml, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const User& alice = r->users.at(0).user;
  ASSERT_EQ(alice.contact_methods.size(), 4u);
  const ContactMethod& mail = alice.contact_methods[0];
  EXPECT_EQ(mail.type, "email");
  EXPECT_EQ(mail.address, "alice@example.com");
  EXPECT_FALSE(mail.address_is_secret);
  const ContactMethod& hook = alice.contact_methods[1];
  EXPECT_EQ(hook.address, "https://hooks.example.com/alice");
  EXPECT_FALSE(hook.address_is_secret);
  EXPECT_EQ(hook.secret_env, "ALICE_HOOK_SECRET");
  EXPECT_EQ(hook.secrets, (std::vector<std::string>{kHookSecretNew, kHookSecretOld}));
  const ContactMethod& chat = alice.contact_methods[2];
  EXPECT_EQ(chat.type, "slack");
  EXPECT_EQ(chat.address, kSlackUrl);
  EXPECT_TRUE(chat.address_is_secret);
  EXPECT_EQ(chat.url_env, "ALICE_SLACK");
  EXPECT_TRUE(chat.secrets.empty());
  EXPECT_TRUE(alice.contact_methods[3].secrets.empty());  // secret_env is optional

  ASSERT_EQ(alice.high_rules.size(), 3u);
  EXPECT_EQ(alice.high_rules[0].method, "hook");
  EXPECT_EQ(alice.high_rules[0].after, Duration::zero());
  EXPECT_EQ(alice.high_rules[1].method, "mail");
  EXPECT_EQ(alice.high_rules[1].after, std::chrono::seconds(90));
  EXPECT_EQ(alice.high_rules[2].after, std::chrono::minutes(90));
  ASSERT_EQ(alice.low_rules.size(), 1u);
  EXPECT_EQ(alice.low_rules[0].method, "mail");
  EXPECT_EQ(alice.low_rules[0].after, Duration::zero());  // `after` defaults to 0
  // No rules: empty lists (every method at once).
  EXPECT_TRUE(r->users.at(1).user.high_rules.empty());
  EXPECT_TRUE(r->users.at(1).user.low_rules.empty());

  const auto& channels = r->services.at(0).incident_channels;
  ASSERT_EQ(channels.size(), 3u);
  EXPECT_EQ(channels[0].id, "slack-0");
  EXPECT_EQ(channels[0].type, "slack");
  EXPECT_EQ(channels[0].url, kSlackUrl);
  EXPECT_TRUE(channels[0].url_is_secret);
  EXPECT_EQ(channels[0].url_env, "OPS_SLACK");
  EXPECT_EQ(channels[1].id, "ops-hook");
  EXPECT_FALSE(channels[1].url_is_secret);
  EXPECT_EQ(channels[1].secret_env, "OPS_HOOK_SECRET");
  EXPECT_EQ(channels[1].secrets, std::vector<std::string>{kHookSecretNew});
  EXPECT_EQ(channels[2].id, "webhook-2");
  EXPECT_EQ(channels[2].url, "http://[::1]:8081/x");
  EXPECT_TRUE(channels[2].secrets.empty());

  const NotifyConfig& n = r->notify;
  ASSERT_TRUE(n.smtp.has_value());
  EXPECT_EQ(n.smtp->url, "smtp://mail.example.com:587");
  EXPECT_EQ(n.smtp->from, "oncall@example.com");
  EXPECT_TRUE(n.smtp->starttls);
  EXPECT_EQ(n.smtp->username, "oncall");
  EXPECT_EQ(n.smtp->password, "smtp-password-value");
  EXPECT_FALSE(n.smtp->verify_tls);
  EXPECT_EQ(n.allow_hosts,
            (std::vector<std::string>{"127.0.0.1", "::1", "10.0.0.0/8", "hooks.internal"}));
  EXPECT_EQ(n.workers, 2);
  EXPECT_EQ(n.per_destination, 3);
  EXPECT_EQ(n.max_attempts, 5);
  EXPECT_EQ(n.retry_initial, std::chrono::seconds(10));
  EXPECT_EQ(n.retry_max, std::chrono::minutes(5));
  EXPECT_EQ(n.bundle_window, Duration::zero());
  EXPECT_EQ(n.timeout, std::chrono::seconds(15));
  EXPECT_EQ(n.link_ttl, std::chrono::hours(48));
  EXPECT_EQ(n.link_secret, "0123456789abcdef0123456789abcdef-link");
  EXPECT_TRUE(r->deferred_sections.empty());
  EXPECT_TRUE(r->services.at(0).deferred.empty());
}

TEST(ParseConfig, ContactMethodErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  env.vars_["NOT_A_URL"] = "ftp://files.example.com/secret-token-123";
  env.vars_["BAD_SECRET"] = std::string(kHookSecretNew) + " plain-secret-456";
  env.vars_["BLANK"] = "   ";
  const std::string m = ErrorOf(R"(users:
  - id: alice
    contact_methods:
      - { id: mail, type: email, address: alice@example.com }
      - { id: m2, type: email, address: "not an address" }
      - { id: m3, type: email, url: "https://x.example.com" }
      - { id: h1, type: webhook, url: "https://a.example.com", url_env: ALICE_SLACK }
      - { id: h2, type: webhook }
      - { id: h3, type: webhook, url_env: UNSET_URL }
      - { id: h4, type: webhook, url_env: NOT_A_URL }
      - { id: h5, type: webhook, url: "https://:443/x" }
      - { id: h6, type: webhook, url: "https://h.example.com:99999/" }
      - { id: h7, type: webhook, url: "https://h.example.com", secret_env: UNSET_SECRET }
      - { id: h8, type: webhook, url: "https://h.example.com", secret_env: BAD_SECRET }
      - { id: h9, type: webhook, url: "https://h.example.com", secret_env: BLANK }
      - { id: s1, type: slack, url_env: ALICE_SLACK, secret_env: ALICE_HOOK_SECRET }
      - { id: s2, type: slack, address: "https://hooks.slack.com/x" }
      - { id: s3, type: slack, url: "https://hooks.slack.com/x", token: abc }
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:4: users[0].contact_methods[0].type: contact method type email needs "
      "notify.smtp",
      "loom-oncall.yaml:5: users[0].contact_methods[1].address: 'not an address' is not an "
      "e-mail address",
      "loom-oncall.yaml:6: users[0].contact_methods[2].url: does not apply to type email (use "
      "address)",
      "loom-oncall.yaml:6: users[0].contact_methods[2].address: is required",
      "loom-oncall.yaml:7: users[0].contact_methods[3]: set exactly one of url or url_env",
      "loom-oncall.yaml:8: users[0].contact_methods[4]: set exactly one of url or url_env",
      "loom-oncall.yaml:9: users[0].contact_methods[5].url_env: environment variable UNSET_URL "
      "is not set",
      "loom-oncall.yaml:10: users[0].contact_methods[6].url_env: the URL in environment "
      "variable NOT_A_URL must start with http:// or https://",
      "loom-oncall.yaml:11: users[0].contact_methods[7].url: has no host",
      "loom-oncall.yaml:12: users[0].contact_methods[8].url: has an invalid port (1-65535)",
      "loom-oncall.yaml:13: users[0].contact_methods[9].secret_env: environment variable "
      "UNSET_SECRET is not set",
      "loom-oncall.yaml:14: users[0].contact_methods[10].secret_env: environment variable "
      "BAD_SECRET: secret 2 is not a webhook secret (whsec_ followed by base64)",
      "loom-oncall.yaml:15: users[0].contact_methods[11].secret_env: environment variable BLANK "
      "holds no secret",
      "loom-oncall.yaml:16: users[0].contact_methods[12].secret_env: does not apply to type "
      "slack (use url, url_env)",
      "loom-oncall.yaml:17: users[0].contact_methods[13].address: does not apply to type slack "
      "(use url, url_env)",
      // A key no type has gets the answer of a key of another type (the API's too).
      "loom-oncall.yaml:18: users[0].contact_methods[14].token: does not apply to type slack "
      "(use url, url_env)",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  // Secrets from the environment never appear; the variables are named instead.
  for (const char* secret : {"secret-token-123", "plain-secret-456", kHookSecretNew, kSlackUrl}) {
    EXPECT_THAT(m, ::testing::Not(HasSubstr(secret)));
  }
}

TEST(ParseConfig, EmailMethodWithSmtpConfigured) {
  const std::string yaml = R"(users:
  - id: alice
    contact_methods: [ { id: mail, type: email, address: alice@example.com } ]
notify: { smtp: { url: "smtp://127.0.0.1:2525", from: oncall@example.com } }
)";
  EXPECT_TRUE(Parse(yaml).ok());
  // An smtp section with errors of its own does not add "needs notify.smtp".
  const std::string m = ErrorOf(R"(users:
  - id: alice
    contact_methods: [ { id: mail, type: email, address: alice@example.com } ]
notify: { smtp: { url: "http://127.0.0.1:2525" } }
)");
  EXPECT_THAT(m, ::testing::Not(HasSubstr("needs notify.smtp"))) << m;
  EXPECT_THAT(m, HasSubstr("notify.smtp.url: must start with smtp:// or smtps://"));
}

TEST(ParseConfig, IncidentChannelErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  const std::string m = ErrorOf(R"(services:
  - id: loom
    incident_channels:
      - { type: slack, url_env: OPS_SLACK }
      - { id: slack-0, type: slack, url: "https://hooks.slack.com/a" }
      - { id: Ops Room, type: webhook, url: "https://a.example.com" }
      - { type: email, url: "https://a.example.com" }
      - { type: slack, url: "https://hooks.slack.com/a", secret_env: OPS_HOOK_SECRET }
      - { type: webhook }
      - { url: "https://a.example.com" }
  - id: other
    incident_channels: { type: slack, url_env: OPS_SLACK }
  - id: third
    incident_channels: [ { type: slack, url_env: OPS_SLACK } ]
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:5: services[0].incident_channels[1].id: duplicate incident channel id "
      "'slack-0' (first at line 4)",
      "loom-oncall.yaml:6: services[0].incident_channels[2].id: 'Ops Room' is not a valid "
      "channel id",
      "loom-oncall.yaml:7: services[0].incident_channels[3].type: 'email' is not an incident "
      "channel type (slack, webhook",  // a type added to notify/channels.cc extends the list
      "loom-oncall.yaml:8: services[0].incident_channels[4].secret_env: does not apply to type "
      "slack",
      "loom-oncall.yaml:9: services[0].incident_channels[5]: set exactly one of url or url_env",
      "loom-oncall.yaml:10: services[0].incident_channels[6].type: is required",
      "loom-oncall.yaml:12: services[1].incident_channels: must be a list of",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  // Ids are unique per service: services[2] may use slack-0 again.
  EXPECT_THAT(m, ::testing::Not(HasSubstr("services[2]")));
  EXPECT_THAT(m, ::testing::Not(HasSubstr(kSlackUrl)));
}

TEST(ParseConfig, PhoneContactMethodsNeedTheirProviderAndANumber) {
  FakeEnv env({{"TW_SID", "AC123"}, {"TW_TOKEN", "tw-token"}});
  const std::string twilio =
      "notify: { providers: { twilio: { account_sid_env: TW_SID, auth_token_env: TW_TOKEN, "
      "from: \"+15005550006\" } } }\n";
  auto r = Parse(R"(users:
  - id: alice
    contact_methods:
      - { id: text, type: sms, number: "+15551234567" }
      - { id: call, type: voice, number: "+442071838750" }
)" + twilio,
                 env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const User& alice = r->users[0].user;
  EXPECT_EQ(alice.contact_methods[0].type, "sms");
  EXPECT_EQ(alice.contact_methods[0].address, "+15551234567");
  EXPECT_EQ(alice.contact_methods[1].address, "+442071838750");

  const std::string m = ErrorOf(R"(users:
  - id: alice
    contact_methods:
      - { id: a, type: sms, number: "555-1234" }
      - { id: b, type: voice, url: "https://x.example.com" }
      - { id: c, type: slack, url: "https://x.example.com", number: "+15551234567" }
)",
                                env);
  for (const char* line : {
           "loom-oncall.yaml:4: users[0].contact_methods[0].type: contact method type sms needs "
           "notify.providers.twilio",
           "loom-oncall.yaml:4: users[0].contact_methods[0].number: '555-1234' is not an E.164 "
           "phone number",
           "loom-oncall.yaml:5: users[0].contact_methods[1].type: contact method type voice needs "
           "notify.providers.twilio.from",
           "loom-oncall.yaml:5: users[0].contact_methods[1].url: does not apply to type voice "
           "(use number)",
           "users[0].contact_methods[1].number: is required",
           "loom-oncall.yaml:6: users[0].contact_methods[2].number: does not apply to type slack",
       }) {
    EXPECT_THAT(m, HasSubstr(line)) << m;
  }
  // A messaging service sends SMS but cannot call.
  EXPECT_THAT(ErrorOf("users: [ { id: a, contact_methods: [ { id: c, type: voice, number: "
                      "\"+15551234567\" } ] } ]\nnotify: { providers: { twilio: { "
                      "account_sid_env: TW_SID, auth_token_env: TW_TOKEN, "
                      "messaging_service_sid: MG1 } } }\n",
                      env),
              HasSubstr("contact method type voice needs notify.providers.twilio.from"));
}

}  // namespace
}  // namespace loom::config_test
