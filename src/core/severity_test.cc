#include "core/severity.h"

#include <gtest/gtest.h>

#include "core/alert_event.h"

namespace loom {
namespace {

TEST(SeverityMapping, DefaultsFollowPagerDutyWords) {
  SeverityMapping m;
  EXPECT_EQ(m.Map("critical"), Severity::kSev1);
  EXPECT_EQ(m.Map("error"), Severity::kSev2);
  EXPECT_EQ(m.Map("WARNING"), Severity::kSev3);
  EXPECT_EQ(m.Map("info"), Severity::kSev4);
  EXPECT_EQ(m.Map("bogus"), Severity::kSev2);
}

TEST(SeverityMapping, LoomSeverityOverrideWins) {
  SeverityMapping m;
  EXPECT_EQ(m.Map("info", "sev1"), Severity::kSev1);
  EXPECT_EQ(m.Map("critical", "not-a-severity"), Severity::kSev1);
}

TEST(SeverityMapping, AppliesToEveryAlertOfARequest) {
  IngestRequest req;
  req.alerts.resize(2);
  req.alerts[0].raw_severity = "warning";
  req.alerts[1].raw_severity = "warning";
  req.alerts[1].severity_override = "sev2";
  SeverityMapping m;
  m.by_word["warning"] = Severity::kSev4;
  ApplySeverityMapping(req, m);
  EXPECT_EQ(req.alerts[0].severity, Severity::kSev4);
  EXPECT_EQ(req.alerts[1].severity, Severity::kSev2);
}

TEST(Severity, ParsesNames) {
  EXPECT_EQ(ParseSeverity("Sev3"), Severity::kSev3);
  EXPECT_FALSE(ParseSeverity("sev5"));
  EXPECT_STREQ(SeverityName(Severity::kSev4), "sev4");
  EXPECT_EQ(MoreSevere(Severity::kSev3, Severity::kSev1), Severity::kSev1);
}

}  // namespace
}  // namespace loom
