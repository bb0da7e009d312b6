// playbooks_section.cc: `security:` and `drills:`.

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

TEST(ParseConfig, SecurityRotateListDefaultsToTheRunbooks) {
  auto r = Parse("");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->security.rotate, SecurityPlaybookConfig{}.rotate);
  r = Parse("security:\n  rotate: [LOOM_ADMIN_TOKEN, Vault root token]\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->security.rotate, (std::vector<std::string>{"LOOM_ADMIN_TOKEN", "Vault root token"}));
  EXPECT_EQ(ErrorOf("security:\n  rotate: [a b, A-B]\n"),
            "loom-oncall.yaml:2: security.rotate[1]: names the same checklist item as an earlier "
            "entry (rotate-a-b)");
  EXPECT_EQ(ErrorOf("security:\n  rotate: x\n"),
            "loom-oncall.yaml:2: security.rotate: must be a list of credential names");
}

TEST(ParseConfig, DrillsSection) {
  auto defaults = Parse("");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->drills.dir, "ops/incidents/drills");
  EXPECT_EQ(DrillIntervalText(defaults->drills.every), "1 month");
  EXPECT_EQ(defaults->drills.service, "loom");
  EXPECT_EQ(ErrorOf("drills:\n  every: fortnightly\n"),
            "loom-oncall.yaml:2: drills.every: 'fortnightly' is not a drill interval (e.g. \"1 "
            "month\", \"2 weeks\", \"30 days\")");
  EXPECT_EQ(ErrorOf("drills:\n  alternate: [availability, chaos]\n"),
            "loom-oncall.yaml:2: drills.alternate[1]: 'chaos' is not a drill scenario "
            "(availability, security)");
  EXPECT_THAT(ErrorOf("drills:\n  cadence: 1 month\n"),
              HasSubstr("loom-oncall.yaml:2: drills.cadence: unknown key"));
}

}  // namespace
}  // namespace loom::config_test
