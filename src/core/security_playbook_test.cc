#include "core/security_playbook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Ids(const std::vector<ChecklistItemSpec>& items) {
  std::vector<std::string> ids;
  for (const auto& i : items) ids.push_back(i.id);
  return ids;
}

SecurityPlaybookState StateOf(const SecurityPlaybookConfig& config) {
  SecurityPlaybookState state;
  for (const ChecklistItemSpec& spec : SecurityChecklistTemplate(config)) {
    ChecklistItem item;
    item.id = spec.id;
    item.text = spec.text;
    state.checklist.push_back(item);
  }
  return state;
}

ChecklistChange Change(std::optional<bool> done, std::optional<std::string> owner = {}) {
  ChecklistChange c;
  c.done = done;
  c.owner = std::move(owner);
  return c;
}

SecurityReport CompleteReport() {
  SecurityReport r;
  r.timeline = "09:02 detected";
  r.indicators = "203.0.113.7";
  r.containment = "token rotated";
  r.residual_risk = "low";
  return r;
}

TEST(SecurityPlaybookTest, TheDefaultChecklistIsTheRunbooks) {
  EXPECT_THAT(
      Ids(SecurityChecklistTemplate({})),
      ElementsAre("rotate-loom-admin-token", "rotate-node-signing-keys", "rotate-smtp-credentials",
                  "rotate-database-credentials", "tighten-allowlists", "disable-risky-paths",
                  "verify-persistence", "verify-federation-trust"));
  EXPECT_THAT(SecurityChecklistTemplate({}).back().text, HasSubstr("/v1/federation/trust"));
}

TEST(SecurityPlaybookTest, TheRotationItemsFollowTheConfiguration) {
  SecurityPlaybookConfig config;
  config.rotate = {"Vault root token"};
  EXPECT_THAT(Ids(SecurityChecklistTemplate(config)),
              ElementsAre("rotate-vault-root-token", "tighten-allowlists", "disable-risky-paths",
                          "verify-persistence", "verify-federation-trust"));
  EXPECT_EQ(ChecklistSlug("  SMTP/database  credentials!"), "smtp-database-credentials");
}

TEST(SecurityPlaybookTest, ConfigurationProblemsAreNamed) {
  SecurityPlaybookConfig config;
  config.rotate = {"LOOM_ADMIN_TOKEN", "loom admin token", "!!"};
  auto problems = ValidateSecurityConfig(config);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].first, "security.rotate[1]");
  EXPECT_THAT(problems[0].second, HasSubstr("rotate-loom-admin-token"));
  EXPECT_EQ(problems[1].first, "security.rotate[2]");
  config.rotate.clear();
  EXPECT_EQ(ValidateSecurityConfig(config).size(), 1u);
  EXPECT_TRUE(ValidateSecurityConfig({}).empty());
}

TEST(SecurityPlaybookTest, DoneRecordsWhoAndWhenOnceAndUndoClearsIt) {
  ChecklistItem item;
  const TimePoint t1 = FromUnixMicros(1'000'000);
  const TimePoint t2 = FromUnixMicros(2'000'000);
  ASSERT_TRUE(ApplyChecklistChange(item, Change(true), "token:alice", t1).ok());
  EXPECT_EQ(item.done_at, t1);
  EXPECT_EQ(item.done_by, "token:alice");
  // Done again by someone else: the first completion stands.
  ASSERT_TRUE(ApplyChecklistChange(item, Change(true), "token:bob", t2).ok());
  EXPECT_EQ(item.done_at, t1);
  EXPECT_EQ(item.done_by, "token:alice");
  ASSERT_TRUE(ApplyChecklistChange(item, Change(false, "carol"), "token:bob", t2).ok());
  EXPECT_FALSE(item.done());
  EXPECT_EQ(item.done_by, "");
  EXPECT_EQ(item.owner, "carol");
  Status empty = ApplyChecklistChange(item, {}, "token:bob", t2);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST(SecurityPlaybookTest, TheReportNeedsEveryField) {
  EXPECT_TRUE(ValidateSecurityReport(CompleteReport()).empty());
  SecurityReport r = CompleteReport();
  r.indicators = " \n";
  r.residual_risk.clear();
  auto errors = ValidateSecurityReport(r);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].pointer, "/indicators");
  EXPECT_EQ(errors[1].pointer, "/residual_risk");
  r = CompleteReport();
  r.timeline.assign(kMaxReportFieldBytes + 1, 'x');
  ASSERT_EQ(ValidateSecurityReport(r).size(), 1u);
}

TEST(SecurityPlaybookTest, TheGateNamesOpenItemsAndTheMissingReport) {
  SecurityPlaybookConfig config;
  config.rotate = {"LOOM_ADMIN_TOKEN"};
  SecurityPlaybookState state = StateOf(config);
  Status gate = CheckSecurityCloseGate("INC-4", "resolved", state);
  ASSERT_FALSE(gate.ok());
  EXPECT_EQ(gate.error().code, ErrorCode::kConflict);
  EXPECT_EQ(gate.error().message,
            "INC-4 cannot be resolved: the security checklist has open items "
            "(rotate-loom-admin-token, tighten-allowlists, disable-risky-paths, "
            "verify-persistence, verify-federation-trust) and the security report is missing");

  for (ChecklistItem& item : state.checklist) item.done_at = FromUnixMicros(1);
  gate = CheckSecurityCloseGate("INC-4", "closed", state);
  ASSERT_FALSE(gate.ok());
  EXPECT_EQ(gate.error().message, "INC-4 cannot be closed: the security report is missing");

  state.report = CompleteReport();
  state.checklist[1].done_at.reset();
  gate = CheckSecurityCloseGate("INC-4", "closed", state);
  ASSERT_FALSE(gate.ok());
  EXPECT_THAT(gate.error().message, HasSubstr("(tighten-allowlists)"));
  EXPECT_THAT(gate.error().message, Not(HasSubstr("report")));
  EXPECT_EQ(state.done_count(), 4);

  state.checklist[1].done_at = FromUnixMicros(2);
  EXPECT_TRUE(CheckSecurityCloseGate("INC-4", "closed", state).ok());
}

TEST(SecurityPlaybookTest, AReferenceIsItsUriOrRequestId) {
  EvidenceArtifact a;
  a.request_id = "req-1";
  EXPECT_EQ(ReferenceContent(a), "req-1");
  a.uri = "s3://bucket/key";
  EXPECT_EQ(ReferenceContent(a), "s3://bucket/key");
}

}  // namespace
}  // namespace loom
