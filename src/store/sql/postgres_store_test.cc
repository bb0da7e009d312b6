// What only the PostgreSQL store does (the shared suites run on both back ends: store_test.cc).
#include "store/sql/postgres_store.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"

namespace loom::sql {
namespace {

// During a rolling upgrade an instance of an older loom-oncall inserts deadlines without an id,
// taking one from the table's identity sequence: it must find a free one, and the writer (which
// gives ids itself) must not take one it took.
TEST(PostgresStoreTest, InstancesThatTakeIdsFromTheSequenceDoNotCollideWithTheWriter) {
  TestDatabase db(TestBackend::kPostgres);
  testing::FakeClock clock;
  Result<std::unique_ptr<Store>> store = db.Open(SqliteOptions{}, clock);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Service service;
  service.id = "loom";
  service.name = "LOOM node";
  Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
      [&](auto done) { (*store)->CreateService(service, Sha256Hex("loom-key"), done); });
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto trigger = [&](const std::string& dedup_key) {
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = "loom";
    r.integration_key_id = key->id;
    r.dedup_key = dedup_key;
    r.alerts.push_back(AlertUpdate{});
    Result<IngestOutcome> out =
        AwaitWrite<IngestOutcome>([&](auto done) { (*store)->Ingest(r, done); });
    ASSERT_TRUE(out.ok()) << out.error().message;
  };
  trigger("a");
  trigger("b");  // each opens its escalation: a deadline row, id given by the writer
  ASSERT_EQ(db.QueryText("SELECT COUNT(*) FROM deadlines").value(), "2");
  Status old = db.Exec(
      "INSERT INTO deadlines (incident_number, kind, due_at, created_at) VALUES (1, 'old', 0, 0)");
  ASSERT_TRUE(old.ok()) << old.error().message;
  trigger("c");
  EXPECT_EQ(db.QueryText("SELECT COUNT(DISTINCT id) FROM deadlines").value(), "4");
}

}  // namespace
}  // namespace loom::sql
