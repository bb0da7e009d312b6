// The phone push channels in the configuration: `notify.providers.pushover|telegram`
// (notify_section.cc) and the keyed contact methods ntfy, pushover and telegram
// (channels_section.cc, checked by ResolveContactKeys).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kProviders[] =
    "notify:\n  providers:\n    pushover: { app_token_env: APP }\n"
    "    telegram: { bot_token_env: BOT, secret_token_env: HOOK_SECRET }\n";

std::string UserWith(const std::string& method) {
  return std::string(kProviders) + "users:\n  - id: alice\n    contact_methods:\n      - " +
         method + "\n";
}

FakeEnv PushEnv() {
  return EnvOf({{"APP", "app-token"},
                {"BOT", "123:bot"},
                {"HOOK_SECRET", "webhook-secret"},
                {"ALICE_KEY", "alice-user-key"},
                {"NTFY_TOKEN", "tk_secret"}});
}

TEST(PushConfig, Providers) {
  auto r = Parse(
      "notify:\n  providers:\n"
      "    pushover: { app_token_env: APP, api_url: \"http://127.0.0.1:9/\" }\n"
      "    telegram: { bot_token_env: BOT, secret_token_env: HOOK_SECRET }\n",
      PushEnv());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->notify.pushover.has_value());
  EXPECT_EQ(r->notify.pushover->app_token, "app-token");
  EXPECT_EQ(r->notify.pushover->api_url, "http://127.0.0.1:9");
  ASSERT_TRUE(r->notify.telegram.has_value());
  EXPECT_EQ(r->notify.telegram->bot_token, "123:bot");
  EXPECT_EQ(r->notify.telegram->secret_token, "webhook-secret");
  EXPECT_EQ(r->notify.telegram->api_url, "");
  EXPECT_FALSE(Parse("notify: {}\n")->notify.pushover.has_value());
}

TEST(PushConfig, ProviderErrorsNameTheKeyNeverTheSecret) {
  std::string e =
      ErrorOf("notify: { providers: { telegram: { bot_token_env: BOT } } }\n", PushEnv());
  EXPECT_THAT(e, HasSubstr("notify.providers.telegram.secret_token_env: is required"));
  e = ErrorOf("notify: { providers: { pushover: { app_token_env: UNSET_VAR } } }\n", PushEnv());
  EXPECT_THAT(e, HasSubstr("notify.providers.pushover.app_token_env"));
  EXPECT_THAT(e, HasSubstr("UNSET_VAR"));
  e = ErrorOf("notify: { providers: { pushover: { app_token_env: APP, api_url: \"ftp://x\" } } }\n",
              PushEnv());
  EXPECT_THAT(e, HasSubstr("notify.providers.pushover.api_url"));
  e = ErrorOf("notify: { providers: { pager: {} } }\n", PushEnv());
  EXPECT_THAT(e, HasSubstr("notify.providers.pager"));
  EXPECT_THAT(ErrorOf("notify: { providers: { telegram: { bot_token_env: BOT, secret_token_env: "
                      "HOOK_SECRET, api_url: 12 } } }\n",
                      PushEnv()),
              Not(HasSubstr("webhook-secret")));
}

TEST(PushConfig, KeyedContactMethods) {
  auto r =
      Parse(UserWith("{ id: push, type: ntfy, topic: alice-pages, token_env: NTFY_TOKEN }") +
                "      - { id: phone, type: pushover, user_key_env: ALICE_KEY }\n"
                "      - { id: chat, type: telegram, chat_id: \"-100123\" }\n"
                "      - { id: self, type: ntfy, topic: t, server: \"https://ntfy.example/\" }\n",
            PushEnv());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& methods = r->users[0].user.contact_methods;
  ASSERT_EQ(methods.size(), 4u);
  EXPECT_EQ(methods[0].address, "https://ntfy.sh/alice-pages");
  EXPECT_EQ(methods[0].secrets, std::vector<std::string>{"tk_secret"});
  EXPECT_EQ(methods[0].secret_env, "NTFY_TOKEN");
  EXPECT_EQ(methods[1].type, "pushover");
  EXPECT_EQ(methods[1].secrets, std::vector<std::string>{"alice-user-key"});
  EXPECT_THAT(methods[1].address, Not(HasSubstr("alice-user-key")));
  EXPECT_EQ(methods[2].address, "-100123");
  EXPECT_EQ(methods[3].address, "https://ntfy.example/t");
}

TEST(PushConfig, KeyedContactMethodErrors) {
  EXPECT_THAT(ErrorOf(UserWith("{ id: push, type: ntfy }"), PushEnv()),
              HasSubstr("contact_methods[0].topic: is required for type ntfy"));
  EXPECT_THAT(ErrorOf(UserWith("{ id: push, type: ntfy, topic: \"a b\" }"), PushEnv()),
              HasSubstr("is not an ntfy topic"));
  EXPECT_THAT(
      ErrorOf(UserWith("{ id: push, type: ntfy, topic: t, url: \"https://x\" }"), PushEnv()),
      HasSubstr("contact_methods[0].url: does not apply to type ntfy (use topic, server, "
                "token_env)"));
  EXPECT_THAT(ErrorOf(UserWith("{ id: chat, type: telegram, chat_id: alice }"), PushEnv()),
              HasSubstr("is not a Telegram chat id"));
  EXPECT_THAT(ErrorOf(UserWith("{ id: phone, type: pushover, user_key_env: NOPE }"), PushEnv()),
              HasSubstr("user_key_env"));
  EXPECT_THAT(ErrorOf("users:\n  - id: alice\n    contact_methods:\n"
                      "      - { id: phone, type: pushover, user_key_env: ALICE_KEY }\n",
                      PushEnv()),
              HasSubstr("contact_methods[0].type: contact method type pushover needs "
                        "notify.providers.pushover"));
  EXPECT_THAT(ErrorOf(UserWith("{ id: hook, type: webhook, url: \"https://x.example\", topic: t }"),
                      PushEnv()),
              HasSubstr("topic"));
}

}  // namespace
}  // namespace loom::config_test
