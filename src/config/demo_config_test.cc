// demo_config.cc: the configuration of `serve --demo` (its secrets file: demo_secrets_test.cc).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_test_util.h"
#include "testing/temp_dir.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

TEST(DemoConfig, GeneratesSecretsOnceAndReusesThem) {
  testing::TempDir dir;
  const std::string data_dir = dir.File("data/nested");  // created if missing
  auto first = DemoConfig(data_dir, FakeEnv().lookup());
  ASSERT_TRUE(first.ok()) << first.error().message;
  const Config& c = *first;
  EXPECT_EQ(c.source, "demo");
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.data_dir, data_dir);
  EXPECT_EQ(c.server.public_url, "http://127.0.0.1:8080");
  EXPECT_EQ(c.store.kind, "sqlite");
  EXPECT_EQ(c.store.path, data_dir + "/loom-oncall.db");
  EXPECT_EQ(c.runbook, "docs/INCIDENT-RESPONSE-ONCALL.md");
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].service.id, "loom");
  EXPECT_EQ(c.services[0].service.name, "LOOM node");
  EXPECT_FALSE(c.services[0].service.settings.auto_resolve);
  // One outage, one incident: the demo groups the LOOM alerts of one service and environment.
  EXPECT_TRUE(c.services[0].service.settings.grouping.enabled());
  EXPECT_EQ(c.services[0].service.settings.grouping.match_labels,
            (std::vector<std::string>{"service", "env"}));
  ASSERT_EQ(c.services[0].integration_keys.size(), 1u);
  const std::string key = c.services[0].integration_keys[0];
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(c.admin_token.starts_with("loa_"));
  EXPECT_GE(c.admin_token.size(), 16u);
  // The demo pages someone: every role of `loom` has a schedule with a participant.
  EXPECT_EQ(c.users.size(), 4u);
  EXPECT_EQ(c.schedules.size(), 4u);
  EXPECT_EQ(c.services[0].roles.size(), 4u);
  EXPECT_TRUE(c.services[0].business_hours.has_value());

  const std::string env_file = data_dir + "/demo.env";
  struct stat st {};
  ASSERT_EQ(::stat(env_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string text = testing::ReadFileOrDie(env_file);
  EXPECT_THAT(text, HasSubstr("LOOM_ONCALL_KEY_LOOM=" + key + "\n"));
  EXPECT_THAT(text, HasSubstr("LOOM_ONCALL_ADMIN_TOKEN=" + c.admin_token + "\n"));

  auto second = DemoConfig(data_dir, FakeEnv().lookup());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->services[0].integration_keys[0], key);
  EXPECT_EQ(second->admin_token, c.admin_token);
  EXPECT_EQ(testing::ReadFileOrDie(env_file), text);  // not rewritten
}

TEST(DemoConfig, EnvironmentAdminTokenWins) {
  testing::TempDir dir;
  auto first = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_TRUE(first.ok());
  auto r =
      DemoConfig(dir.path(), EnvOf({{"LOOM_ONCALL_ADMIN_TOKEN", "my-own-admin-token"}}).lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->admin_token, "my-own-admin-token");
  EXPECT_EQ(r->services[0].integration_keys, first->services[0].integration_keys);
  r = DemoConfig(dir.path(), EnvOf({{"LOOM_ONCALL_ADMIN_TOKEN", "short"}}).lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("LOOM_ONCALL_ADMIN_TOKEN"));
}

TEST(DemoConfig, UsesAnExistingDemoEnvFile) {
  testing::TempDir dir;
  std::ofstream(dir.File("demo.env")) << "# mine\nLOOM_ONCALL_KEY_LOOM=" << kKeyB
                                      << "\nLOOM_ONCALL_ADMIN_TOKEN=\"admin-token-from-file\"\n";
  auto r = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->services[0].integration_keys, std::vector<std::string>{kKeyB});
  EXPECT_EQ(r->admin_token, "admin-token-from-file");

  // A file with only the key keeps it and gains a token.
  std::ofstream(dir.File("demo.env")) << "LOOM_ONCALL_KEY_LOOM=" << kKeyA << "\n";
  r = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->services[0].integration_keys, std::vector<std::string>{kKeyA});
  EXPECT_THAT(testing::ReadFileOrDie(dir.File("demo.env")),
              HasSubstr("LOOM_ONCALL_ADMIN_TOKEN=" + r->admin_token));

  std::ofstream(dir.File("demo.env")) << "LOOM_ONCALL_KEY_LOOM=not-a-key\n";
  r = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("must be 32 hex characters"));
}

}  // namespace
}  // namespace loom::config_test
