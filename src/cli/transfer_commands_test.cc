// `export` and `import` on real SQLite files (PostgreSQL: tests/integration/test_postgres.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_test_harness.h"
#include "common/crypto.h"
#include "store/sql/schema.h"
#include "store/sql/sqlite_store.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using testing::CliHarness;
using ::testing::HasSubstr;
using testing::TempDir;

class TransferCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(tmp_.File("old"));
    SqliteOptions options;
    options.path = tmp_.File("old/loom-oncall.db");
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(options, h_.clock);
    ASSERT_TRUE(store.ok()) << store.error().message;
    Service service;
    service.id = "loom";
    service.name = "LOOM node";
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { (*store)->CreateService(service, Sha256Hex("k"), done); });
    ASSERT_TRUE(key.ok()) << key.error().message;
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = "loom";
    r.integration_key_id = key->id;
    r.dedup_key = "disk-full";
    r.title = "Disk full";
    r.alerts.push_back(AlertUpdate{});
    ASSERT_TRUE(AwaitWrite<IngestOutcome>([&](auto done) { (*store)->Ingest(r, done); }).ok());
    (*store)->Shutdown();
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  TempDir tmp_;
  CliHarness h_;
};

TEST_F(TransferCommandsTest, ExportThenImportCopiesTheStore) {
  const std::string file = tmp_.File("loom.jsonl");
  ASSERT_EQ(h_.Run({"export", "--data-dir", tmp_.File("old"), "--output", file}), 0)
      << h_.err.str();
  EXPECT_THAT(h_.out.str(), HasSubstr("export from " + tmp_.File("old/loom-oncall.db") + " to " +
                                      file + ": 31 tables, "));
  EXPECT_THAT(h_.out.str(), HasSubstr("  incidents               1\n"));
  EXPECT_THAT(Read(file), HasSubstr("{\"table\":\"incidents\""));

  h_.out.str("");
  ASSERT_EQ(h_.Run({"import", "--data-dir", tmp_.File("new"), "--json", file}), 0) << h_.err.str();
  EXPECT_THAT(h_.out.str(), HasSubstr("\"incidents\":1"));
  EXPECT_THAT(h_.out.str(), HasSubstr("\"timeline_events\":2"));
  EXPECT_TRUE(std::filesystem::is_regular_file(tmp_.File("new/loom-oncall.db")));

  // The target now holds data: a second import is refused and changes nothing.
  h_.err.str("");
  EXPECT_EQ(h_.Run({"import", "--data-dir", tmp_.File("new"), file}), 5);
  EXPECT_EQ(h_.err.str(), "error: nothing imported into " + tmp_.File("new/loom-oncall.db") +
                              ": the database already holds data (table services has 1 rows): "
                              "import into a new, empty database\n");
}

TEST_F(TransferCommandsTest, ExportToStandardOutputSummarisesOnStandardError) {
  ASSERT_EQ(h_.Run({"export", "--data-dir", tmp_.File("old")}), 0) << h_.err.str();
  EXPECT_THAT(h_.out.str(), HasSubstr("{\"format\":\"loom-oncall-export\""));
  EXPECT_THAT(h_.err.str(), HasSubstr("export from " + tmp_.File("old/loom-oncall.db") + ": "));
}

TEST_F(TransferCommandsTest, ClearErrors) {
  EXPECT_EQ(h_.Run({"export", "--data-dir", tmp_.File("nowhere")}), 4);
  EXPECT_EQ(h_.err.str(), "error: no database at '" + tmp_.File("nowhere/loom-oncall.db") +
                              "' (pass --config FILE or --data-dir DIR)\n");
  EXPECT_FALSE(std::filesystem::exists(tmp_.File("nowhere")));

  h_.err.str("");
  EXPECT_EQ(h_.Run({"import", "--data-dir", tmp_.File("new"), tmp_.File("missing.jsonl")}), 4);
  EXPECT_EQ(h_.err.str(), "error: cannot read '" + tmp_.File("missing.jsonl") + "'\n");

  h_.err.str("");
  std::ofstream(tmp_.File("half.jsonl"))
      << "{\"format\":\"loom-oncall-export\",\"version\":1,\"schema_version\":"
      << sql::Migrations().size() << "}\n";
  EXPECT_EQ(h_.Run({"import", "--data-dir", tmp_.File("new"), tmp_.File("half.jsonl")}), 2);
  EXPECT_THAT(h_.err.str(), HasSubstr("nothing imported into " + tmp_.File("new/loom-oncall.db") +
                                      ": the export ends at "
                                      "line 1"));
}

}  // namespace
}  // namespace loom
