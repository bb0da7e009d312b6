// users_section.cc: notification rules (user ids and contact methods: schedules_section_test.cc
// and channels_section_test.cc).

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

TEST(ParseConfig, NotificationRuleErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  const std::string m = ErrorOf(R"(users:
  - id: alice
    contact_methods:
      - { id: hook, type: webhook, url: "https://a.example.com" }
      - { id: chat, type: slack, url_env: ALICE_SLACK }
    notification_rules:
      high:
        - { method: hook, after: 0m }
        - { method: pager, after: 1m }
        - { method: hook, after: 5m }
        - { method: chat, after: -1m }
        - { after: 1m }
        - { method: chat, after: soon, repeat: 2 }
      low: [ { method: hook } ]
      urgent: [ { method: hook } ]
  - id: bob
    notification_rules: [ { method: mail } ]
  - id: carol
    notification_rules: { high: { method: mail } }
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:9: users[0].notification_rules.high[1].method: unknown contact method "
      "'pager' (not in this user's contact_methods)",
      "loom-oncall.yaml:10: users[0].notification_rules.high[2].method: contact method 'hook' is "
      "already in high (line 8)",
      "loom-oncall.yaml:11: users[0].notification_rules.high[3].after: bad duration '-1m'",
      "loom-oncall.yaml:12: users[0].notification_rules.high[4].method: is required",
      "loom-oncall.yaml:13: users[0].notification_rules.high[5].after: bad duration 'soon'",
      "loom-oncall.yaml:13: users[0].notification_rules.high[5].repeat: unknown key",
      "loom-oncall.yaml:15: users[0].notification_rules.urgent: unknown key (expected one of: "
      "high, low)",
      "loom-oncall.yaml:17: users[1].notification_rules: must be a mapping of urgency to rules",
      "loom-oncall.yaml:19: users[2].notification_rules.high: must be a list of rules",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  // The same method in high and low is fine (line 14): no error names low.
  EXPECT_THAT(m, ::testing::Not(HasSubstr("notification_rules.low")));
}

}  // namespace
}  // namespace loom::config_test
