#include "core/evidence_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using Level = EvidenceFinding::Level;

std::vector<std::string> Lines(const std::vector<EvidenceFinding>& findings) {
  std::vector<std::string> out;
  for (const EvidenceFinding& f : findings) {
    out.push_back(std::string(EvidenceLevelName(f.level)) + " " + f.message);
  }
  return out;
}

int Count(const std::vector<EvidenceFinding>& findings, Level level) {
  int n = 0;
  for (const EvidenceFinding& f : findings) n += f.level == level ? 1 : 0;
  return n;
}

const std::string& Runbook() {
  static const std::string text =
      testing::ReadFileOrDie(testing::TestDataPath("runbook/INCIDENT-RESPONSE-ONCALL.md"));
  return text;
}

TEST(EvidenceCheckTest, TheShippedRunbookHasEverySection) {
  std::vector<EvidenceFinding> f = CheckRunbook(Runbook(), "runbook.md");
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(Count(f, Level::kPass), 7) << ::testing::PrintToString(Lines(f));
  EXPECT_THAT(f[0].message, HasSubstr("\"On-Call Rotation\" (runbook.md:5)"));
}

TEST(EvidenceCheckTest, AMissingSectionIsAnErrorThatNamesIt) {
  std::string text = Runbook();
  const size_t at = text.find("## Communications");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "## Comms");
  std::vector<EvidenceFinding> f = CheckRunbook(text, "runbook.md");
  EXPECT_EQ(Count(f, Level::kError), 1);
  EXPECT_THAT(Lines(f),
              ::testing::Contains(HasSubstr(
                  "ERROR runbook section \"Communications\" is missing from runbook.md")));
}

TEST(EvidenceCheckTest, HeadingsMatchIgnoringCaseAndSpaceButOnlyAtLevelTwo) {
  std::string text = Runbook();
  text.replace(text.find("## Severity Matrix"), 18, "##   severity   MATRIX ");
  text.replace(text.find("## Drill Program"), 16, "### Drill Program");
  std::vector<EvidenceFinding> f = CheckRunbook(text, "r.md");
  EXPECT_EQ(Count(f, Level::kError), 1);
  EXPECT_THAT(Lines(f), ::testing::Contains(HasSubstr("\"Drill Program\" is missing")));
}

TEST(EvidenceCheckTest, DrillNotesAreCountedAndTheLatestNeedsFollowUps) {
  const std::string good = testing::ReadFileOrDie(
      testing::TestDataPath("drills/2026-02-18-sev1-availability-tabletop.md"));
  std::vector<EvidenceFinding> f =
      CheckDrillNotes({{"2026-02-18-sev1-availability-tabletop.md", good}}, 1, "drills");
  EXPECT_EQ(Count(f, Level::kPass), 2) << ::testing::PrintToString(Lines(f));
  EXPECT_THAT(f[1].message, HasSubstr("2 follow-up items with owners and due dates"));

  // A later note without follow-ups: a warning about that one, not the older one.
  f = CheckDrillNotes({{"2026-02-18-a.md", good}, {"2026-03-20-b.md", "# Drill\n\nNo items.\n"}}, 1,
                      "drills");
  EXPECT_EQ(Count(f, Level::kWarn), 1);
  EXPECT_THAT(f[1].message, HasSubstr("2026-03-20-b.md has no follow-up items"));

  // Items without an owner or a due date.
  f = CheckDrillNotes({{"2026-04-01-c.md", "## Follow-Up\n\n- [ ] fix it (Owner: SRE)\n"}}, 1,
                      "drills");
  EXPECT_THAT(f[1].message, HasSubstr("1 of 1 follow-up items lack an owner or a due date"));
}

TEST(EvidenceCheckTest, TooFewDrillNotesIsAnError) {
  std::vector<EvidenceFinding> f = CheckDrillNotes({}, 1, "ops/incidents/drills");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].level, Level::kError);
  EXPECT_EQ(f[0].message, "drill notes: 0 in ops/incidents/drills, at least 1 required");
}

}  // namespace
}  // namespace loom
