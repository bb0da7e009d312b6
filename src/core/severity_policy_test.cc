#include "core/severity_policy.h"

#include <gtest/gtest.h>

#include "core/builtin_runbook.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

SeverityPolicy ShippedPolicy() {
  std::string md =
      testing::ReadFileOrDie(testing::TestDataPath("runbook/INCIDENT-RESPONSE-ONCALL.md"));
  auto doc = ParseRunbookMarkdown(md);
  EXPECT_TRUE(doc.ok());
  auto policy = SeverityPolicyFromRunbook(*doc, "INCIDENT-RESPONSE-ONCALL.md");
  EXPECT_TRUE(policy.ok()) << (policy.ok() ? "" : policy.error().message);
  return *policy;
}

TEST(SeverityPolicyFromRunbook, ReadsTheShippedSeverityMatrix) {
  SeverityPolicy p = ShippedPolicy();
  const auto& s1 = p.For(Severity::kSev1);
  EXPECT_EQ(s1.ack_target.amount, minutes(5));
  EXPECT_EQ(s1.update_cadence.amount, minutes(15));
  EXPECT_TRUE(s1.page);
  EXPECT_NE(s1.definition.find("Full outage"), std::string::npos);
  EXPECT_EQ(s1.ack_source, "INCIDENT-RESPONSE-ONCALL.md:22");
  EXPECT_EQ(s1.page_source, "INCIDENT-RESPONSE-ONCALL.md:14");

  const auto& s2 = p.For(Severity::kSev2);
  EXPECT_EQ(s2.ack_target.amount, minutes(15));
  EXPECT_EQ(s2.update_cadence.amount, minutes(30));
  EXPECT_TRUE(s2.page);

  const auto& s3 = p.For(Severity::kSev3);
  EXPECT_EQ(s3.ack_target.basis, TimeBasis::kBusinessHours);
  EXPECT_EQ(s3.ack_target.amount, hours(1));
  EXPECT_EQ(s3.update_cadence.amount, hours(4));
  EXPECT_FALSE(s3.page);

  const auto& s4 = p.For(Severity::kSev4);
  EXPECT_EQ(s4.ack_target.basis, TimeBasis::kBusinessDays);
  EXPECT_TRUE(s4.update_cadence.async);
  EXPECT_EQ(s4.update_cadence.amount, hours(24));
  EXPECT_FALSE(s4.page);
}

TEST(SeverityPolicyFromRunbook, NamesTheCellItCannotRead) {
  std::string md =
      "# R\n\n## Severity Matrix\n\n| Severity | Definition | Initial Ack | Update Cadence |\n"
      "| --- | --- | --- | --- |\n| Sev 1 | x | soonish | Every 15 minutes |\n";
  auto doc = ParseRunbookMarkdown(md);
  ASSERT_TRUE(doc.ok());
  auto p = SeverityPolicyFromRunbook(*doc, "rb.md");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("rb.md:7: Initial Ack of sev1"), std::string::npos)
      << p.error().message;
  EXPECT_NE(p.error().message.find("'soonish'"), std::string::npos);
}

TEST(SeverityPolicyFromRunbook, RequiresEverySeverityAndTheTable) {
  auto doc = ParseRunbookMarkdown("# Nothing here\n");
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(SeverityPolicyFromRunbook(*doc, "rb.md").ok());
  doc = ParseRunbookMarkdown(
      "## Severity Matrix\n\n| Severity | Initial Ack | Update Cadence |\n| --- | --- | --- |\n"
      "| Sev 1 | 5 minutes | Every 15 minutes |\n");
  auto p = SeverityPolicyFromRunbook(*doc, "rb.md");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("no row for sev2"), std::string::npos) << p.error().message;
}

TEST(ParsePolicyDuration, ReadsTheRunbookSpellings) {
  EXPECT_EQ(ParsePolicyDuration("5 minutes")->amount, minutes(5));
  EXPECT_EQ(ParsePolicyDuration("Every 4 hours")->amount, hours(4));
  EXPECT_EQ(ParsePolicyDuration("1 business hour")->basis, TimeBasis::kBusinessHours);
  EXPECT_EQ(ParsePolicyDuration("1 business day")->basis, TimeBasis::kBusinessDays);
  EXPECT_TRUE(ParsePolicyDuration("Daily/async")->async);
  EXPECT_FALSE(ParsePolicyDuration("whenever").ok());
  EXPECT_FALSE(ParsePolicyDuration("0 minutes").ok());
  EXPECT_FALSE(ParsePolicyDuration("5 fortnights").ok());
}

TEST(RunbookMarkdown, KeepsSectionsListsAndLines) {
  std::string md =
      testing::ReadFileOrDie(testing::TestDataPath("runbook/INCIDENT-RESPONSE-ONCALL.md"));
  auto doc = ParseRunbookMarkdown(md);
  ASSERT_TRUE(doc.ok());
  std::vector<std::string> h2;
  for (const auto& h : doc->headings) {
    if (h.level == 2) h2.push_back(h.text);
  }
  EXPECT_EQ(
      h2, (std::vector<std::string>{"On-Call Rotation", "Severity Matrix", "Incident Lifecycle",
                                    "Security Incident Playbook", "Availability Incident Playbook",
                                    "Communications", "Drill Program"}));
  bool found_nested = false;
  for (const auto& item : doc->items) {
    if (item.text == "LOOM_ADMIN_TOKEN") {
      found_nested = true;
      EXPECT_EQ(item.depth, 1);
      EXPECT_EQ(item.section, "Security Incident Playbook");
    }
  }
  EXPECT_TRUE(found_nested);
  ASSERT_EQ(doc->code_blocks.size(), 1u);
  EXPECT_NE(doc->code_blocks[0].find("check:incident-response"), std::string::npos);
}

TEST(ApplyPolicyOverrides, ReplacesOnlyTheOverriddenValuesAndTheirSources) {
  SeverityPolicy p = ShippedPolicy();
  PolicyOverrides o;
  o.For(Severity::kSev1).ack_target = *ParsePolicyDuration("2m");
  o.For(Severity::kSev1).ack_source = "config loom.yaml:7";
  o.For(Severity::kSev3).page = true;  // no source given: "config"
  o.repeat = 4;
  o.repeat_source = "config loom.yaml:9";
  ApplyPolicyOverrides(p, o);

  const auto& s1 = p.For(Severity::kSev1);
  EXPECT_EQ(s1.ack_target.amount, minutes(2));
  EXPECT_EQ(s1.ack_target.text, "2m");
  EXPECT_EQ(s1.ack_source, "config loom.yaml:7");
  EXPECT_EQ(s1.update_cadence.amount, minutes(15));
  EXPECT_EQ(s1.cadence_source, "INCIDENT-RESPONSE-ONCALL.md:22");
  EXPECT_TRUE(p.For(Severity::kSev3).page);
  EXPECT_EQ(p.For(Severity::kSev3).page_source, "config");
  EXPECT_EQ(p.For(Severity::kSev2).ack_source, "INCIDENT-RESPONSE-ONCALL.md:23");
  EXPECT_EQ(p.repeat, 4);
  EXPECT_EQ(p.repeat_source, "config loom.yaml:9");
}

TEST(ApplyPolicyOverrides, NoOverridesChangeNothing) {
  SeverityPolicy p = ShippedPolicy();
  ApplyPolicyOverrides(p, PolicyOverrides{});
  EXPECT_EQ(p.For(Severity::kSev4).ack_source, "INCIDENT-RESPONSE-ONCALL.md:25");
  EXPECT_EQ(p.repeat, 2);
  EXPECT_EQ(p.repeat_source, "default");
}

TEST(BuildSeverityPolicy, ReadsTheBuiltInRunbook) {
  auto p = BuildSeverityPolicy(BuiltInRunbook(), "built-in INCIDENT-RESPONSE-ONCALL.md", {});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->runbook, "built-in INCIDENT-RESPONSE-ONCALL.md");
  EXPECT_EQ(p->For(Severity::kSev1).ack_target.amount, minutes(5));
  EXPECT_EQ(p->For(Severity::kSev1).ack_source, "built-in INCIDENT-RESPONSE-ONCALL.md:22");
}

TEST(BuildSeverityPolicy, NamesTheCellItCannotRead) {
  std::string md(BuiltInRunbook());
  md.replace(md.find("| 15 minutes |"), 14, "| soonish |");
  auto p = BuildSeverityPolicy(md, "runbook.md", {});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("runbook.md:23: Initial Ack of sev2: cannot read 'soonish'"),
            std::string::npos)
      << p.error().message;
}

}  // namespace
}  // namespace loom
