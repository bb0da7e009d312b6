// services_section.cc: service ids, integration keys, severity map, grouping (roles and
// business hours: schedules_section_test.cc).

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

TEST(ParseConfig, IntegrationKeyErrors) {
  const std::string head = "services:\n  - id: loom\n    integration_keys:\n";  // lines 1-3
  EXPECT_EQ(ErrorOf(head + "      - key: abc123\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key: must be 32 hex characters "
            "(it has 6 characters)");
  EXPECT_EQ(ErrorOf(head + "      - key: 0123456789abcdef0123456789abcdeZ\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key: must be 32 hex characters "
            "(it has 32 characters, not all hex)");
  EXPECT_EQ(ErrorOf(head + "      - key_env: K\n", EnvOf({{"K", "short"}})),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key_env: environment variable K "
            "must hold 32 hex characters (it has 5 characters, not all hex)");
  EXPECT_EQ(ErrorOf(head + "      - key_env: not-a-name\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key_env: 'not-a-name' is not an "
            "environment variable name");
  EXPECT_EQ(ErrorOf(head + "      - { key_env: K, key: " + kKeyA + " }\n", EnvOf({{"K", kKeyB}})),
            "loom-oncall.yaml:4: services[0].integration_keys[0]: set exactly one of key_env "
            "(preferred) or key");
  EXPECT_EQ(ErrorOf(head + "      - key_env:\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key_env: names no variable");
  EXPECT_THAT(ErrorOf(head + "      - {}\n"), HasSubstr("set exactly one of key_env"));
  EXPECT_THAT(ErrorOf(head + "      - { secret: x }\n"),
              HasSubstr("services[0].integration_keys[0].secret: unknown key"));
  EXPECT_THAT(ErrorOf(head + "      key_env: K\n"),
              HasSubstr("services[0].integration_keys: must be a list"));
  // The secret itself never appears in a message.
  EXPECT_THAT(ErrorOf(head + "      - key: 0123456789abcdef0123\n"),
              ::testing::Not(HasSubstr("0123456789abcdef0123")));
}

TEST(ParseConfig, DuplicateIntegrationKeys) {
  std::string yaml = std::string("services:\n") +
                     "  - id: a\n"
                     "    integration_keys: [ { key: " +
                     kKeyA +
                     " } ]\n"  // line 3
                     "  - id: b\n"
                     "    integration_keys:\n"
                     "      - key_env: KEY_B\n";  // line 6
  EXPECT_EQ(ErrorOf(yaml, EnvOf({{"KEY_B", kKeyA}})),
            "loom-oncall.yaml:6: services[1].integration_keys[0].key_env: the same integration "
            "key is already configured at services[0].integration_keys[0].key (line 3)");
  EXPECT_TRUE(Parse(yaml, EnvOf({{"KEY_B", kKeyB}})).ok());
}

TEST(ParseConfig, ServiceErrors) {
  EXPECT_EQ(ErrorOf("services:\n  - id: loom\n  - id: other\n  - id: loom\n"),
            "loom-oncall.yaml:4: services[2].id: duplicate service id 'loom' (first at line 2)");
  EXPECT_EQ(ErrorOf("services:\n  - id: Loom Node\n"),
            "loom-oncall.yaml:2: services[0].id: 'Loom Node' is not a valid service id (1-63 of "
            "a-z 0-9 - _, starting with a letter or digit)");
  EXPECT_EQ(ErrorOf("services:\n  - name: no id\n"),
            "loom-oncall.yaml:2: services[0].id: is required");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    auto_resolve: maybe\n"),
            "loom-oncall.yaml:3: services[0].auto_resolve: must be true or false");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    rate_limit_per_minute: -1\n"),
            "loom-oncall.yaml:3: services[0].rate_limit_per_minute: must be an integer from 0 to "
            "1000000000");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    rate_limit_per_minute: 1.5\n"),
            "loom-oncall.yaml:3: services[0].rate_limit_per_minute: must be an integer from 0 to "
            "1000000000");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    severity_map:\n      critical: urgent\n"),
            "loom-oncall.yaml:4: services[0].severity_map.critical: must be one of sev1, sev2, "
            "sev3, sev4");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    severity_map: [sev1]\n"),
            "loom-oncall.yaml:3: services[0].severity_map: must be a mapping like { critical: "
            "sev1, warning: sev3 }");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    color: blue\n"),
            "loom-oncall.yaml:3: services[0].color: unknown key (expected one of: id, name, team, "
            "integration_keys, severity_map, auto_resolve, rate_limit_per_minute, roles, "
            "business_hours, incident_channels, probe, grouping, heartbeats)");
  EXPECT_EQ(ErrorOf("services:\n  id: a\n"),
            "loom-oncall.yaml:2: services: must be a list of services (lines starting with '- ')");
}

TEST(ParseConfig, GroupingKeysAreTypedAndValidated) {
  const std::string head = "services:\n  - id: loom\n    grouping: ";
  auto ok = Parse(head + "{ window: 45m, match_labels: [service, env] }\n", EnvOf({}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const AlertGrouping& g = ok->services.at(0).service.settings.grouping;
  EXPECT_TRUE(g.enabled());
  EXPECT_EQ(g.window, std::chrono::minutes(45));
  EXPECT_EQ(g.match_labels, (std::vector<std::string>{"service", "env"}));

  auto none = Parse("services:\n  - id: loom\n", EnvOf({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->services.at(0).service.settings.grouping.enabled());

  auto bad = Parse(
      head + "{ window: 25h, match_labels: [service, \"env-name\", service], by: x }\n", EnvOf({}));
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_THAT(m, HasSubstr("services[0].grouping.window: must be at most 24h"));
  EXPECT_THAT(m, HasSubstr("services[0].grouping.match_labels[1]: must be a label name"));
  EXPECT_THAT(m, HasSubstr("services[0].grouping.match_labels[2]: duplicate label 'service'"));
  EXPECT_THAT(m, HasSubstr("services[0].grouping.by: unknown key"));

  auto missing = Parse(head + "{ match_labels: [] }\n", EnvOf({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("services[0].grouping.window: is required"));
  EXPECT_THAT(missing.error().message, HasSubstr("services[0].grouping.match_labels: is required"));
}

}  // namespace
}  // namespace loom::config_test
