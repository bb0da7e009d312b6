#include <gtest/gtest.h>

#include <fstream>

#include "cli/cli_test_harness.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using testing::CliHarness;
using testing::TempDir;

class AuditCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(tmp_.File("loom-oncall.db")) << ""; }
  TempDir tmp_;
  CliHarness h_;
};

TEST_F(AuditCommandTest, IntactChainsPrintOkAndExit0) {
  AuditReport report;
  report.incidents_checked = 3;
  report.events_checked = 17;
  h_.audit = report;
  EXPECT_EQ(h_.Run({"audit", "verify", "--data-dir", tmp_.path()}), 0) << h_.err.str();
  EXPECT_EQ(h_.out.str(), "audit: OK, 17 events in 3 incidents verified\n");
  std::vector<std::string> expected = {"store.open " + tmp_.File("loom-oncall.db"), "store.verify",
                                       "store.shutdown"};
  EXPECT_EQ(h_.events, expected);
}

TEST_F(AuditCommandTest, BrokenChainPrintsWhereAndExits1) {
  AuditReport report;
  report.incidents_checked = 3;
  report.events_checked = 9;
  report.first_broken = AuditReport::Broken{2, 4, "hash mismatch"};
  h_.audit = report;
  EXPECT_EQ(h_.Run({"audit", "verify", "--db", tmp_.File("loom-oncall.db")}), 1);
  EXPECT_EQ(h_.out.str(), "audit: BROKEN at INC-2 event #4: hash mismatch\n");
}

TEST_F(AuditCommandTest, JsonOutput) {
  AuditReport report;
  report.incidents_checked = 1;
  report.events_checked = 2;
  report.first_broken = AuditReport::Broken{1, 2, "prev_hash does not match event 1"};
  h_.audit = report;
  EXPECT_EQ(h_.Run({"audit", "verify", "--data-dir", tmp_.path(), "--json"}), 1);
  EXPECT_EQ(h_.out.str(),
            R"({"broken":{"incident":"INC-1","reason":"prev_hash does not match event 1","seq":2},)"
            R"("events_checked":2,"incidents_checked":1,"ok":false})"
            "\n");
}

TEST_F(AuditCommandTest, MissingDatabaseIsNotCreated) {
  EXPECT_EQ(h_.Run({"audit", "verify", "--data-dir", tmp_.File("nowhere")}), 4);
  EXPECT_EQ(h_.err.str(), "error: no database at '" + tmp_.File("nowhere/loom-oncall.db") +
                              "' (pass --config FILE, --data-dir DIR or --db FILE)\n");
  EXPECT_TRUE(h_.events.empty());
}

TEST_F(AuditCommandTest, TheConfigurationNamesTheStore) {
  h_.config->store.path = tmp_.File("loom-oncall.db");
  EXPECT_EQ(h_.Run({"audit", "verify", "--config", "prod.yaml"}), 0) << h_.err.str();
  EXPECT_EQ(h_.events[0], "config.load prod.yaml");
  EXPECT_EQ(h_.events[1], "store.open " + tmp_.File("loom-oncall.db"));

  h_.events.clear();
  h_.env["LOOM_ONCALL_CONFIG"] = "env.yaml";
  EXPECT_EQ(h_.Run({"audit", "verify"}), 0) << h_.err.str();
  EXPECT_EQ(h_.events[0], "config.load env.yaml");
}

TEST_F(AuditCommandTest, PostgresIsOpenedAsATool) {
  h_.config->store.kind = "postgres";
  h_.config->store.url_env = "PG_URL";
  EXPECT_EQ(h_.Run({"audit", "verify", "--config", "prod.yaml"}), 6);
  EXPECT_EQ(h_.err.str(),
            "error: cannot open store 'PostgreSQL ($PG_URL)': PostgreSQL is not available here\n");
}

TEST_F(AuditCommandTest, StoreErrorIsReported) {
  h_.audit = Error::Internal("database disk image is malformed");
  EXPECT_EQ(h_.Run({"audit", "verify", "--data-dir", tmp_.path()}), 1);
  EXPECT_EQ(h_.err.str(), "error: database disk image is malformed\n");
}

}  // namespace
}  // namespace loom
