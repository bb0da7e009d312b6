// policy_section.cc: `policy:`, each override with the line it came from.

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

TEST(ParseConfig, PolicyOverridesKeepTheirConfigLine) {
  auto r = Parse(R"(policy:
  severities:
    sev2:
      ack_target: 10m
      update_cadence: Every 45 minutes
      page: false
    sev3: { ack_target: 2 business hours, definition: Minor }
  repeat: 3
)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const PolicyOverrides& p = r->policy;
  const SeverityOverride& s2 = p.For(Severity::kSev2);
  ASSERT_TRUE(s2.ack_target && s2.update_cadence && s2.page);
  EXPECT_EQ(s2.ack_target->amount, std::chrono::minutes(10));
  EXPECT_EQ(s2.ack_source, "config loom-oncall.yaml:4");
  EXPECT_EQ(s2.update_cadence->amount, std::chrono::minutes(45));
  EXPECT_EQ(s2.cadence_source, "config loom-oncall.yaml:5");
  EXPECT_FALSE(*s2.page);
  EXPECT_EQ(s2.page_source, "config loom-oncall.yaml:6");
  const SeverityOverride& s3 = p.For(Severity::kSev3);
  ASSERT_TRUE(s3.ack_target.has_value());
  EXPECT_EQ(s3.ack_target->basis, TimeBasis::kBusinessHours);
  EXPECT_EQ(s3.definition, "Minor");
  EXPECT_FALSE(s3.page.has_value());
  EXPECT_FALSE(p.For(Severity::kSev1).ack_target.has_value());
  EXPECT_EQ(p.repeat, 3);
  EXPECT_EQ(p.repeat_source, "config loom-oncall.yaml:8");
}

TEST(ParseConfig, PolicyErrorsNameLineAndKey) {
  auto r = Parse(R"(policy:
  severities:
    sev2: { ack_target: soonish, page: maybe }
    sev5: { ack_target: 5m }
  repeat: -1
  escalate: yes
)");
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:3: policy.severities.sev2.ack_target: cannot read "
                           "'soonish'"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:3: policy.severities.sev2.page: must be true or "
                           "false"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:4: policy.severities.sev5: unknown key"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:5: policy.repeat: must be an integer from 0 to 100"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:6: policy.escalate: unknown key"));
}

}  // namespace
}  // namespace loom::config_test
