// What only the PostgreSQL store does (the shared suites run on both back ends: store_test.cc).
#include "store/sql/postgres_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "common/crypto.h"
#include "store/database_error.h"
#include "store/sql/read_pool.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"

namespace loom::sql {
namespace {

// Service `loom` with one integration key.
Result<IntegrationKey> CreateLoomService(Store& store) {
  Service service;
  service.id = "loom";
  service.name = "LOOM node";
  return AwaitWrite<IntegrationKey>(
      [&](auto done) { store.CreateService(service, Sha256Hex("loom-key"), done); });
}

// A PagerDuty trigger for service `loom`.
Result<IngestOutcome> TriggerLoom(Store& store, int64_t key_id, const std::string& dedup_key) {
  IngestRequest r;
  r.format = "pagerduty";
  r.service_id = "loom";
  r.integration_key_id = key_id;
  r.dedup_key = dedup_key;
  r.alerts.push_back(AlertUpdate{});
  return AwaitWrite<IngestOutcome>([&](auto done) { store.Ingest(r, done); });
}

// During a rolling upgrade an instance of an older loom-oncall inserts deadlines without an id,
// taking one from the table's identity sequence: it must find a free one, and the writer (which
// gives ids itself) must not take one it took.
TEST(PostgresStoreTest, InstancesThatTakeIdsFromTheSequenceDoNotCollideWithTheWriter) {
  TestDatabase db(TestBackend::kPostgres);
  testing::FakeClock clock;
  Result<std::unique_ptr<Store>> store = db.Open(SqliteOptions{}, clock);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Result<IntegrationKey> key = CreateLoomService(**store);
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto trigger = [&](const std::string& dedup_key) {
    Result<IngestOutcome> out = TriggerLoom(**store, key->id, dedup_key);
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

// Ends every other session on the test database (as a restart of the server would) and waits
// until they are gone.
void TerminateOtherSessions(TestDatabase& db) {
  const std::string others =
      " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
  Status killed = db.Exec("SELECT pg_terminate_backend(pid)" + others);
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  for (int i = 0; i < 500; ++i) {
    if (db.QueryText("SELECT COUNT(*)" + others).value() == "0") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL() << "the sessions did not end";
}

int64_t BackendPid(Connection& conn) {
  Result<Statement*> stmt = conn.Prepare("SELECT pg_backend_pid()");
  EXPECT_TRUE(stmt.ok());
  Query q(*stmt);
  Result<bool> row = q.Step();
  EXPECT_TRUE(row.ok() && *row) << (row.ok() ? "no row" : row.error().message);
  return row.ok() && *row ? q.Int(0) : 0;
}

// A connection whose session ended while it was idle (the server restarted): the next read is
// answered on a new connection, as if nothing happened (it failed once per pooled connection).
TEST(PgConnectionTest, AReadOnABrokenConnectionIsAnsweredOnANewOne) {
  TestDatabase db(TestBackend::kPostgres);
  Result<std::unique_ptr<PgConnection>> conn = PgConnection::Open(db.Url(), 0);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  const int64_t before = BackendPid(**conn);
  TerminateOtherSessions(db);
  EXPECT_NE(BackendPid(**conn), before);  // answered, by another session
  // A read transaction too.
  TerminateOtherSessions(db);
  {
    ReadTransaction tx(**conn);
    ASSERT_TRUE(tx.status().ok()) << tx.status().error().message;
    EXPECT_NE(BackendPid(**conn), 0);
  }
  EXPECT_FALSE((*conn)->InTransaction());
}

// A transaction whose connection broke is refused until it is rolled back — nothing of it may
// run on the new connection outside a transaction — then the connection works again.
TEST(PgConnectionTest, ATransactionCutShortIsRefusedUntilItsRollback) {
  TestDatabase db(TestBackend::kPostgres);
  ASSERT_TRUE(db.Exec("CREATE TABLE t (id BIGINT PRIMARY KEY)").ok());
  Result<std::unique_ptr<PgConnection>> conn = PgConnection::Open(db.Url(), 0);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  ASSERT_TRUE((*conn)->Exec("BEGIN").ok());
  ASSERT_TRUE((*conn)->Exec("INSERT INTO t VALUES (1)").ok());
  TerminateOtherSessions(db);
  Status broken = (*conn)->Exec("INSERT INTO t VALUES (2)");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(IsDatabaseError(broken.error()));
  EXPECT_TRUE((*conn)->InTransaction());
  Status after = (*conn)->Exec("INSERT INTO t VALUES (3)");
  EXPECT_FALSE(after.ok());
  EXPECT_FALSE((*conn)->Exec("COMMIT").ok());
  EXPECT_TRUE((*conn)->Exec("ROLLBACK").ok());
  EXPECT_FALSE((*conn)->InTransaction());
  EXPECT_EQ(db.QueryText("SELECT COUNT(*) FROM t").value(), "0");
  ASSERT_TRUE((*conn)->Exec("BEGIN").ok());
  ASSERT_TRUE((*conn)->Exec("INSERT INTO t VALUES (4)").ok());
  ASSERT_TRUE((*conn)->Exec("COMMIT").ok());
  EXPECT_EQ(db.QueryText("SELECT id FROM t").value(), "4");
}

// Every session of the store ended at once (the database restarted): reads, writes and
// Writable() answer at once, each on a new connection.
TEST(PostgresStoreTest, AfterItsSessionsEndedTheStoreReadsAndWritesAtOnce) {
  TestDatabase db(TestBackend::kPostgres);
  testing::FakeClock clock;
  SqliteOptions options;
  options.read_connections = 2;
  Result<std::unique_ptr<Store>> store = db.Open(options, clock);
  ASSERT_TRUE(store.ok()) << store.error().message;
  Result<IntegrationKey> key = CreateLoomService(**store);
  ASSERT_TRUE(key.ok()) << key.error().message;
  for (int i = 0; i < options.read_connections; ++i) ASSERT_TRUE((*store)->ListOverrides().ok());
  TerminateOtherSessions(db);
  for (int i = 0; i < 2 * options.read_connections; ++i) {
    Result<IncidentPage> page = (*store)->ListIncidents(IncidentFilter{});
    EXPECT_TRUE(page.ok()) << page.error().message;
  }
  Result<IngestOutcome> out = TriggerLoom(**store, key->id, "after");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE((*store)->Writable().ok());
}

}  // namespace
}  // namespace loom::sql
