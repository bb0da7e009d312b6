#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using testing::CliHarness;
using testing::TempDir;

class CheckCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runbook_ = testing::TestDataPath("runbook/INCIDENT-RESPONSE-ONCALL.md");
    drills_ = tmp_.File("drills");
    std::filesystem::create_directories(drills_);
    std::filesystem::copy_file(
        testing::TestDataPath("drills/2026-02-18-sev1-availability-tabletop.md"),
        drills_ + "/2026-02-18-sev1-availability-tabletop.md");
  }

  int Run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"check",  "incident-response", "--runbook",
                                     runbook_, "--drill-dir",       drills_};
    args.insert(args.end(), extra.begin(), extra.end());
    return h_.Run(args);
  }

  TempDir tmp_;
  CliHarness h_;
  std::string runbook_, drills_;
};

TEST_F(CheckCommandTest, ARunbookWithItsSectionsAndADrillNotePasses) {
  EXPECT_EQ(Run(), 0) << h_.out.str() << h_.err.str();
  const std::string out = h_.out.str();
  EXPECT_NE(out.find("PASS  runbook section \"Drill Program\""), std::string::npos) << out;
  EXPECT_NE(out.find("incident-response check: PASSED (9 passed, 0 warnings, 0 errors)\n"),
            std::string::npos)
      << out;
}

TEST_F(CheckCommandTest, AMissingSectionFailsWithItsName) {
  std::string text = testing::ReadFileOrDie(runbook_);
  text.replace(text.find("## Severity Matrix"), 18, "## Severities");
  runbook_ = tmp_.File("runbook.md");
  std::ofstream(runbook_) << text;
  EXPECT_EQ(Run(), 1);
  const std::string out = h_.out.str();
  EXPECT_NE(out.find("ERROR  runbook section \"Severity Matrix\" is missing from " + runbook_),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("FAILED (8 passed, 0 warnings, 1 error)"), std::string::npos) << out;
}

TEST_F(CheckCommandTest, TooFewDrillsFailAndALatestNoteWithoutFollowUpsWarns) {
  std::ofstream(drills_ + "/2026-03-18-security.md") << "# Drill\n\nNothing decided.\n";
  EXPECT_EQ(Run({"--min-drills", "3"}), 1);
  const std::string out = h_.out.str();
  EXPECT_NE(out.find("ERROR  drill notes: 2 in " + drills_ + ", at least 3 required"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("WARN  latest drill note 2026-03-18-security.md has no follow-up items"),
            std::string::npos)
      << out;
}

TEST_F(CheckCommandTest, JsonAndMissingFiles) {
  runbook_ = tmp_.File("nope.md");
  EXPECT_EQ(Run({"--format", "json"}), 1);
  nlohmann::json doc = nlohmann::json::parse(h_.out.str());
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["errors"], 1);
  EXPECT_EQ(doc["findings"][0]["level"], "ERROR");
  EXPECT_NE(doc["findings"][0]["message"].get<std::string>().find("not found"), std::string::npos);
  EXPECT_EQ(h_.Run({"check", "incident-response", "--format", "xml"}), 2);
}

}  // namespace
}  // namespace loom
