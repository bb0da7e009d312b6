#include <gtest/gtest.h>

#include <fstream>

#include "cli/cli_test_harness.h"
#include "common/crypto.h"
#include "store/sql/sqlite_db.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using testing::CliHarness;
using testing::TempDir;

// `audit verify` on a real SQLite store holding three incidents (two timeline events each); a
// test edits the file by hand (as someone tampering with it would) before the command runs.
class AuditCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<Store> store = h_.OpenStore(tmp_.File("loom-oncall.db"));
    ASSERT_NE(store, nullptr);
    Service service;
    service.id = "loom";
    service.name = "LOOM node";
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { store->CreateService(service, Sha256Hex("k"), done); });
    ASSERT_TRUE(key.ok()) << key.error().message;
    for (const char* dedup_key : {"disk-full", "cpu-hot", "link-down"}) {
      IngestRequest r;
      r.format = "pagerduty";
      r.service_id = "loom";
      r.integration_key_id = key->id;
      r.dedup_key = dedup_key;
      r.title = dedup_key;
      r.alerts.push_back(AlertUpdate{});
      Result<IngestOutcome> out =
          AwaitWrite<IngestOutcome>([&](auto done) { store->Ingest(r, done); });
      ASSERT_TRUE(out.ok()) << out.error().message;
    }
    store->Shutdown();
  }

  // Runs `statement` on the database file, outside the store.
  void EditByHand(const std::string& statement) {
    auto db = sql::SqliteConnection::Open(tmp_.File("loom-oncall.db"), /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.error().message;
    Status edited = (*db)->Exec(statement);
    ASSERT_TRUE(edited.ok()) << edited.error().message;
  }

  TempDir tmp_;
  CliHarness h_;
};

TEST_F(AuditCommandTest, IntactChainsPrintOkAndExit0) {
  EXPECT_EQ(h_.Run({"audit", "verify", "--data-dir", tmp_.path()}), 0) << h_.err.str();
  EXPECT_EQ(h_.out.str(), "audit: OK, 6 events in 3 incidents verified\n");
  std::vector<std::string> expected = {"store.open " + tmp_.File("loom-oncall.db")};
  EXPECT_EQ(h_.events, expected);
}

TEST_F(AuditCommandTest, BrokenChainPrintsWhereAndExits1) {
  EditByHand(
      "UPDATE timeline_events SET data_json = '{\"from\":\"nobody\"}'"
      " WHERE incident_number = 2 AND seq = 2");
  EXPECT_EQ(h_.Run({"audit", "verify", "--db", tmp_.File("loom-oncall.db")}), 1);
  EXPECT_EQ(h_.out.str(), "audit: BROKEN at INC-2 event #2: hash mismatch\n");
}

TEST_F(AuditCommandTest, JsonOutput) {
  EditByHand("DELETE FROM timeline_events WHERE incident_number = 1 AND seq = 1");
  EXPECT_EQ(h_.Run({"audit", "verify", "--data-dir", tmp_.path(), "--json"}), 1);
  EXPECT_EQ(h_.out.str(), R"({"broken":{"incident":"INC-1","reason":"gap before seq 2","seq":2},)"
                          R"("events_checked":1,"incidents_checked":1,"ok":false})"
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
  EditByHand("DROP TABLE timeline_events");
  EXPECT_EQ(h_.Run({"audit", "verify", "--data-dir", tmp_.path()}), 1);
  EXPECT_EQ(h_.err.str().rfind("error: ", 0), 0u) << h_.err.str();
  EXPECT_NE(h_.err.str().find("timeline_events"), std::string::npos) << h_.err.str();
  EXPECT_EQ(h_.out.str(), "");
}

}  // namespace
}  // namespace loom
