// notify_section.cc: `notify:` (SMTP, hosts, workers, retries, links).

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

TEST(ParseConfig, NotifyDefaults) {
  for (const char* text : {"", "notify:\n", "notify: {}\n"}) {
    auto r = Parse(text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const NotifyConfig& n = r->notify;
    EXPECT_FALSE(n.smtp.has_value());
    EXPECT_TRUE(n.allow_hosts.empty());
    EXPECT_EQ(n.workers, 4);
    EXPECT_EQ(n.per_destination, 4);
    EXPECT_EQ(n.max_attempts, 8);
    EXPECT_EQ(n.retry_initial, std::chrono::seconds(5));
    EXPECT_EQ(n.retry_max, std::chrono::minutes(10));
    EXPECT_EQ(n.bundle_window, std::chrono::seconds(30));
    EXPECT_EQ(n.timeout, std::chrono::seconds(10));
    EXPECT_EQ(n.link_ttl, std::chrono::hours(24));
    EXPECT_EQ(n.link_secret, "");
  }
  auto r = Parse("notify: { smtp: { url: \"smtps://mail.example.com:465\", from: a@b } }\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->notify.smtp->starttls);
  EXPECT_TRUE(r->notify.smtp->verify_tls);
  EXPECT_EQ(r->notify.smtp->username, "");
  EXPECT_EQ(r->notify.smtp->password, "");
}

TEST(ParseConfig, NotifyErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  env.vars_["SHORT_LINK"] = "short-link-secret-789";
  const std::string m = ErrorOf(R"(notify:
  smtp:
    url: "smtps://user:pw-in-url@mail.example.com:465"
    from: "Oncall <oncall@example.com>"
    starttls: true
    password_env: UNSET_PASSWORD
    verify_tls: maybe
  allow_hosts: [127.0.0.1, "", [a]]
  workers: 0
  max_attempts: 101
  retry: { initial: 10m, max: 1m, jitter: 1s }
  bundle_window: -5s
  timeout: 0s
  link_ttl: 1y
  link_secret_env: SHORT_LINK
  channels: []
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:3: notify.smtp.url: must not contain credentials (use username and "
      "password_env)",
      "loom-oncall.yaml:4: notify.smtp.from: 'Oncall <oncall@example.com>' is not an e-mail "
      "address",
      "loom-oncall.yaml:5: notify.smtp.starttls: applies only to smtp://",
      "loom-oncall.yaml:6: notify.smtp.password_env: environment variable UNSET_PASSWORD is not "
      "set",
      "loom-oncall.yaml:6: notify.smtp.password_env: password_env is set but username is not",
      "loom-oncall.yaml:7: notify.smtp.verify_tls: must be true or false",
      "loom-oncall.yaml:8: notify.allow_hosts[1]: must be a host name",
      "loom-oncall.yaml:8: notify.allow_hosts[2]: must be a host name",
      "loom-oncall.yaml:9: notify.workers: must be an integer from 1 to 64",
      "loom-oncall.yaml:10: notify.max_attempts: must be an integer from 1 to 100",
      "loom-oncall.yaml:11: notify.retry.max: must not be shorter than notify.retry.initial",
      "loom-oncall.yaml:11: notify.retry.jitter: unknown key",
      "loom-oncall.yaml:12: notify.bundle_window: bad duration '-5s'",
      "loom-oncall.yaml:13: notify.timeout: must be longer than 0",
      "loom-oncall.yaml:14: notify.link_ttl: bad duration '1y'",
      "loom-oncall.yaml:15: notify.link_secret_env: environment variable SHORT_LINK is too "
      "short: at least 32 characters (it has 21)",
      "loom-oncall.yaml:16: notify.channels: unknown key",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  for (const char* secret : {"short-link-secret-789", "pw-in-url"}) {
    EXPECT_THAT(m, ::testing::Not(HasSubstr(secret)));
  }

  EXPECT_THAT(ErrorOf("notify: { smtp: { from: a@b } }\n"),
              HasSubstr("loom-oncall.yaml:1: notify.smtp.url: is required"));
  EXPECT_THAT(ErrorOf("notify: { smtp: { url: \"smtp://mail.example.com\", from: a@b } }\n"),
              HasSubstr("notify.smtp.url: needs a port, e.g. smtp://mail.example.com:587"));
  EXPECT_THAT(ErrorOf("notify: { smtp: { url: \"smtp://mail.example.com:25/x\", from: a@b } }\n"),
              HasSubstr("notify.smtp.url: must not have a path"));
  EXPECT_THAT(ErrorOf("notify: { smtp: { url: \"smtp://m.example.com:25\" } }\n"),
              HasSubstr("notify.smtp.from: is required"));
  EXPECT_THAT(
      ErrorOf("notify:\n  smtp: { url: \"smtp://m.example.com:25\", from: a@b, username: u }\n"),
      HasSubstr("loom-oncall.yaml:2: notify.smtp.username: username is set but password_env is "
                "not (set both or neither)"));
  EXPECT_THAT(ErrorOf("notify: { link_secret_env: UNSET_LINK }\n"),
              HasSubstr("notify.link_secret_env: environment variable UNSET_LINK is not set"));
  EXPECT_THAT(ErrorOf("notify: [smtp]\n"),
              HasSubstr("loom-oncall.yaml:1: notify: must be a mapping"));
}

TEST(ParseConfig, NotifyProvidersTwilio) {
  FakeEnv env({{"TW_SID", "AC123"}, {"TW_TOKEN", "tw-secret-token"}});
  auto r = Parse(R"(notify:
  providers:
    twilio:
      account_sid_env: TW_SID
      auth_token_env: TW_TOKEN
      from: "+15005550006"
      api_url: "http://127.0.0.1:9000/2010-04-01/"
)",
                 env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->notify.twilio.has_value());
  const TwilioConfig& t = *r->notify.twilio;
  EXPECT_EQ(t.account_sid, "AC123");
  EXPECT_EQ(t.auth_token, "tw-secret-token");
  EXPECT_EQ(t.from, "+15005550006");
  EXPECT_EQ(t.api_url, "http://127.0.0.1:9000/2010-04-01");
  EXPECT_EQ(t.per_person_hourly, 20);

  auto defaults = Parse(
      "notify: { providers: { twilio: { account_sid_env: TW_SID, auth_token_env: TW_TOKEN, "
      "messaging_service_sid: MG1, per_person_hourly: 5 } } }\n",
      env);
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->notify.twilio->api_url, "https://api.twilio.com/2010-04-01");
  EXPECT_EQ(defaults->notify.twilio->messaging_service_sid, "MG1");
  EXPECT_EQ(defaults->notify.twilio->per_person_hourly, 5);
  EXPECT_FALSE(Parse("").value().notify.twilio.has_value());
}

TEST(ParseConfig, NotifyProvidersTwilioErrors) {
  FakeEnv env({{"TW_SID", "AC123"}, {"TW_TOKEN", "tw-secret-token"}});
  const std::string m = ErrorOf(R"(notify:
  providers:
    twilio:
      auth_token_env: UNSET_TOKEN
      from: "5551234"
      messaging_service_sid: XX1
      api_url: "ftp://api.example.com"
      per_person_hourly: 0
    pager: {}
)",
                                env);
  for (const char* line : {
           "loom-oncall.yaml:4: notify.providers.twilio.account_sid_env: is required",
           "loom-oncall.yaml:4: notify.providers.twilio.auth_token_env: environment variable "
           "UNSET_TOKEN is not set",
           "notify.providers.twilio: set exactly one of from or messaging_service_sid",
           "loom-oncall.yaml:5: notify.providers.twilio.from: '5551234' is not an E.164 phone "
           "number",
           "loom-oncall.yaml:6: notify.providers.twilio.messaging_service_sid: 'XX1' is not a "
           "messaging service SID",
           "loom-oncall.yaml:7: notify.providers.twilio.api_url:",
           "loom-oncall.yaml:8: notify.providers.twilio.per_person_hourly: must be an integer "
           "from 1 to 3600",
           "loom-oncall.yaml:9: notify.providers.pager: unknown key",
       }) {
    EXPECT_THAT(m, HasSubstr(line)) << m;
  }
  EXPECT_THAT(m, ::testing::Not(HasSubstr("tw-secret-token")));
}

}  // namespace
}  // namespace loom::config_test
