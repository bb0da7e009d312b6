#include "store/sql/transfer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "store/sql/schema.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"

namespace loom::sql {
namespace {

using ::testing::HasSubstr;

TestBackend Other(TestBackend backend) {
  return backend == TestBackend::kSqlite ? TestBackend::kPostgres : TestBackend::kSqlite;
}

// Exports a store on the parameter's back end and imports it into the other one.
class TransferTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  std::unique_ptr<Store> OpenStore(TestDatabase& db) {
    Result<std::unique_ptr<Store>> store = db.Open(SqliteOptions{}, clock_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }

  // A database with a bit of everything: two services' incidents (one with a repeat and an ack,
  // one with a note), a user and an override, a follow-up, an evidence upload with bytes that are
  // not text, and the generated link key.
  void Fill(Store& store) {
    Service service;
    service.id = "loom";
    service.name = "LOOM node";
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { store.CreateService(service, Sha256Hex("loom-key"), done); });
    ASSERT_TRUE(key.ok()) << key.error().message;
    for (const char* dedup : {"disk-full", "disk-full", "api-down"}) {
      IngestRequest r;
      r.format = "pagerduty";
      r.service_id = key->service_id;
      r.integration_key_id = key->id;
      r.dedup_key = dedup;
      r.title = std::string("Trouble: ") + dedup;
      AlertUpdate a;
      a.action = AlertAction::kTrigger;
      a.summary = r.title + " \xe2\x9c\x93";  // ✓: non-ASCII text survives
      a.severity = Severity::kSev2;
      r.alerts.push_back(a);
      ASSERT_TRUE(AwaitWrite<IngestOutcome>([&](auto done) { store.Ingest(r, done); }).ok());
      clock_.Advance(std::chrono::seconds(1));
    }
    IncidentCommand ack;
    ack.type = IncidentCommand::Type::kAcknowledge;
    ack.incident_number = 1;
    ack.actor = "user:alice";
    ASSERT_TRUE(AwaitWrite<Incident>([&](auto done) { store.Execute(ack, done); }).ok());
    IncidentCommand note;
    note.type = IncidentCommand::Type::kAddNote;
    note.incident_number = 2;
    note.actor = "user:alice";
    note.note = "checking the load balancer";
    ASSERT_TRUE(AwaitWrite<Incident>([&](auto done) { store.Execute(note, done); }).ok());

    User alice;
    alice.id = "alice";
    alice.name = "Alice";
    ASSERT_TRUE(store.UpsertConfiguredUsers({alice}).ok());
    ScheduleOverride o;
    o.schedule_id = "primary";
    o.user = "alice";
    o.from = clock_.Now();
    o.to = clock_.Now() + std::chrono::hours(8);
    o.created_by = "token:ops";
    ASSERT_TRUE(
        AwaitWrite<ScheduleOverride>([&](auto done) { store.CreateOverride(o, done); }).ok());
    Followup f;
    f.title = "Alert on disk usage at 80%";
    f.owner = "alice";
    f.due_at = clock_.Now() + std::chrono::hours(24 * 14);
    f.source_kind = "incident";
    f.source_ref = "INC-1";
    f.incident_number = 1;
    f.created_by = "user:alice";
    ASSERT_TRUE(AwaitWrite<Followup>([&](auto done) { store.CreateFollowup(f, done); }).ok());
    EvidenceArtifact artifact;
    artifact.incident_number = 2;
    artifact.kind = "upload";
    artifact.name = "capture.bin";
    artifact.media_type = "application/octet-stream";
    artifact.actor = "user:alice";
    ASSERT_TRUE(AwaitWrite<EvidenceArtifact>([&](auto done) {
                  store.AddEvidence(artifact, kBinary, done);
                }).ok());
    ASSERT_TRUE(store.GetOrCreateSetting("link_key", [] { return "k3y"; }).ok());
  }

  void FillSource() {
    std::unique_ptr<Store> store = OpenStore(source_);
    ASSERT_NE(store, nullptr);
    Fill(*store);
  }

  std::vector<TableCount> Export(TestDatabase& db, std::string* out) {
    Result<std::unique_ptr<Connection>> conn = Connect(db);
    EXPECT_TRUE(conn.ok()) << conn.error().message;
    if (!conn.ok()) return {};
    std::ostringstream file;
    Result<std::vector<TableCount>> counts = ExportTables(**conn, file, clock_.Now());
    EXPECT_TRUE(counts.ok()) << counts.error().message;
    *out = file.str();
    return counts.ok() ? *counts : std::vector<TableCount>{};
  }

  Result<std::vector<TableCount>> Import(TestDatabase& db, const std::string& file) {
    Result<std::unique_ptr<Connection>> conn = Connect(db);
    if (!conn.ok()) return std::move(conn).error();
    std::istringstream in(file);
    return ImportTables(**conn, in);
  }

  Result<std::unique_ptr<Connection>> Connect(TestDatabase& db) {
    StoreDatabase where;
    if (db.backend() == TestBackend::kSqlite) {
      where.sqlite_path = db.SqlitePath();
    } else {
      where.postgres_url = db.Url();
    }
    return OpenStoreDatabase(where, clock_.Now());
  }

  static int64_t Count(const std::vector<TableCount>& counts, const std::string& table) {
    for (const TableCount& c : counts) {
      if (c.table == table) return c.rows;
    }
    return -1;
  }

  static inline const std::string kBinary = std::string("\x00\xff\xfe pcap", 8);
  testing::FakeClock clock_;
  TestDatabase source_{GetParam()};
  TestDatabase target_{Other(GetParam())};
};

TEST_P(TransferTest, TheListNamesEveryTableOfTheSchema) {
  ASSERT_TRUE(Connect(source_).ok());
  Result<std::string> tables = source_.QueryText(
      GetParam() == TestBackend::kSqlite
          ? "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = "
            "'table' AND name <> 'schema_migrations' ORDER BY name)"
          : "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'");
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  std::set<std::string> listed(TransferTables().begin(), TransferTables().end());
  std::string joined;
  for (const std::string& t : listed) joined += (joined.empty() ? "" : ",") + t;
  EXPECT_EQ(*tables, joined);
}

TEST_P(TransferTest, EverythingArrivesAndTheTimelinesStillVerify) {
  FillSource();
  if (HasFatalFailure()) return;
  std::string file;
  std::vector<TableCount> exported = Export(source_, &file);
  EXPECT_EQ(Count(exported, "incidents"), 2);
  EXPECT_EQ(Count(exported, "alerts"), 3);  // a PagerDuty repeat is an alert of its own
  EXPECT_EQ(Count(exported, "schedule_overrides"), 1);
  EXPECT_EQ(Count(exported, "followups"), 1);
  EXPECT_EQ(Count(exported, "evidence_contents"), 1);

  Result<std::vector<TableCount>> imported = Import(target_, file);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  ASSERT_EQ(imported->size(), exported.size());
  for (size_t i = 0; i < exported.size(); ++i) {
    EXPECT_EQ((*imported)[i].table, exported[i].table);
    EXPECT_EQ((*imported)[i].rows, exported[i].rows) << exported[i].table;
  }

  std::unique_ptr<Store> store = OpenStore(target_);
  ASSERT_NE(store, nullptr);
  Result<AuditReport> audit = store->VerifyAudit();
  ASSERT_TRUE(audit.ok()) << audit.error().message;
  EXPECT_FALSE(audit->first_broken.has_value()) << audit->first_broken->reason;
  EXPECT_EQ(audit->incidents_checked, 2);
  EXPECT_GE(audit->events_checked, 6);

  Result<std::optional<IncidentDetail>> first = store->GetIncident(1);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ((*first)->incident.alert_count, 2);
  EXPECT_EQ((*first)->alerts[0].summary, "Trouble: disk-full \xe2\x9c\x93");
  Result<std::vector<StoredEvidence>> evidence = store->ListEvidence(2, /*with_content=*/true);
  ASSERT_TRUE(evidence.ok() && evidence->size() == 1u);
  EXPECT_EQ((*evidence)[0].content, kBinary);
  Result<std::vector<ScheduleOverride>> overrides = store->ListOverrides();
  ASSERT_TRUE(overrides.ok() && overrides->size() == 1u);
  EXPECT_EQ((*overrides)[0].user, "alice");
  EXPECT_EQ(store->GetOrCreateSetting("link_key", [] { return "other"; }).value(), "k3y");

  // New rows continue after the imported ones (PostgreSQL's identity sequences were advanced).
  Followup next;
  next.title = "Second";
  next.owner = "alice";
  next.due_at = clock_.Now() + std::chrono::hours(1);
  Result<Followup> created =
      AwaitWrite<Followup>([&](auto done) { store->CreateFollowup(next, done); });
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->number, 2);
  ScheduleOverride o = (*overrides)[0];
  o.id = 0;
  Result<ScheduleOverride> another =
      AwaitWrite<ScheduleOverride>([&](auto done) { store->CreateOverride(o, done); });
  ASSERT_TRUE(another.ok()) << another.error().message;
  EXPECT_EQ(another->id, 2);
}

TEST_P(TransferTest, ADatabaseThatHoldsDataIsRefused) {
  FillSource();
  if (HasFatalFailure()) return;
  std::string file;
  Export(source_, &file);
  ASSERT_TRUE(Import(target_, file).ok());
  Result<std::vector<TableCount>> again = Import(target_, file);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_THAT(again.error().message, HasSubstr("table services has 1 rows"));
}

TEST_P(TransferTest, ABrokenFileImportsNothing) {
  FillSource();
  if (HasFatalFailure()) return;
  std::string file;
  Export(source_, &file);
  const size_t reviews = file.find("{\"table\":\"reviews\"");
  ASSERT_NE(reviews, std::string::npos);

  struct Case {
    std::string name, file, message;
  };
  // The header names this build's version (two digits since version 10): write another one.
  std::string other_schema = file;
  const std::string key = "\"schema_version\":";
  const size_t number = other_schema.find(key) + key.size();
  const size_t digits = other_schema.find_first_not_of("0123456789", number) - number;
  ASSERT_EQ(other_schema.substr(number, digits), std::to_string(Migrations().size()));
  other_schema.replace(number, digits, "1");
  std::string bad_row = file;
  bad_row.insert(reviews, "[1,2]\n");
  const std::vector<Case> cases = {
      {"truncated", file.substr(0, reviews), "truncated"},
      {"not an export", "{\"hello\":1}\n", "line 1 of the export is not the header"},
      {"other schema", other_schema, "export again with this version"},
      {"a stray row", bad_row, "should name a table"},
      {"no end line", file.substr(0, file.rfind("{\"end_of_export\"")), "truncated"},
  };
  for (const Case& c : cases) {
    Result<std::vector<TableCount>> imported = Import(target_, c.file);
    ASSERT_FALSE(imported.ok()) << c.name;
    EXPECT_EQ(imported.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(imported.error().message, HasSubstr(c.message)) << c.name;
    EXPECT_EQ(target_.QueryText("SELECT COUNT(*) FROM incidents").value(), "0") << c.name;
  }
  EXPECT_TRUE(Import(target_, file).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, TransferTest, kBackends, BackendName);

}  // namespace
}  // namespace loom::sql
