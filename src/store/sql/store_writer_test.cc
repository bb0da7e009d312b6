// The store's writes on both back ends: the group-commit queue (full queue, shared commits, a
// failing command alone in its batch, stale numbers, mixed batches) and shutdown.
#include <thread>

#include "store/database_error.h"
#include "store/sql/row_codec.h"
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using sql::testing::WriterGate;

class StoreWriterTest : public sql::testing::StoreTest {};

// ---- the writer queue ----

TEST_P(StoreWriterTest, FullQueueAnswersUnavailableAtOnce) {
  SqliteOptions options;
  options.max_queue = 1;
  Reopen(options);

  WriterGate gate;
  gate.Hold(*store_);  // the writer sits in that command: the queue does not drain

  std::promise<Result<IngestOutcome>> queued;
  store_->Ingest(Pd(AlertAction::kTrigger, "a"),
                 [&queued](Result<IngestOutcome> r) { queued.set_value(std::move(r)); });

  std::optional<Result<IngestOutcome>> refused;
  store_->Ingest(Pd(AlertAction::kTrigger, "b"),
                 [&refused](Result<IngestOutcome> r) { refused.emplace(std::move(r)); });
  ASSERT_TRUE(refused.has_value()) << "a full queue must answer on the caller's thread";
  ASSERT_FALSE(refused->ok());
  EXPECT_EQ(refused->error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store_->Stats()->writer_queue_depth, 1);

  gate.Release();
  Result<IngestOutcome> first = queued.get_future().get();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->incident_number, 1);
}

TEST_P(StoreWriterTest, ConcurrentWritersShareCommits) {
  WriterGate gate;
  gate.Hold(*store_);
  const StoreStats before = *store_->Stats();

  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> remaining{kThreads * kPerThread};
  std::atomic<int> failures{0};
  std::promise<void> all_done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store_->Ingest(Pd(AlertAction::kTrigger, "k" + std::to_string(t) + "-" + std::to_string(i)),
                       [&](Result<IngestOutcome> r) {
                         if (!r.ok()) failures.fetch_add(1);
                         if (remaining.fetch_sub(1) == 1) all_done.set_value();
                       });
      }
    });
  }
  for (auto& th : threads) th.join();
  gate.Release();
  all_done.get_future().wait();

  EXPECT_EQ(failures.load(), 0);
  const StoreStats after = *store_->Stats();
  const int64_t commands = after.committed_commands - before.committed_commands;
  const int64_t commits = after.commits - before.commits;
  // The gate's own command commits alone; everything queued while it held the writer, together.
  EXPECT_EQ(commands, 1 + kThreads * kPerThread);
  EXPECT_EQ(commits, 2);
  IncidentFilter all;
  all.limit = 500;
  Result<IncidentPage> page = store_->ListIncidents(all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->incidents.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(page->incidents.front().number, kThreads * kPerThread);  // numbers have no gaps
}

TEST_P(StoreWriterTest, AFailingCommandRollsBackAloneInItsBatch) {
  WriterGate gate;
  gate.Hold(*store_);

  std::promise<Result<IngestOutcome>> first, bad, last;
  store_->Ingest(Pd(AlertAction::kTrigger, "first"),
                 [&](Result<IngestOutcome> r) { first.set_value(std::move(r)); });
  // Fault injection: a severity outside 1..4 fails the incidents CHECK constraint after the
  // command has already taken an incident number and written nothing else.
  store_->Ingest(Pd(AlertAction::kTrigger, "bad", static_cast<Severity>(9)),
                 [&](Result<IngestOutcome> r) { bad.set_value(std::move(r)); });
  store_->Ingest(Pd(AlertAction::kTrigger, "last"),
                 [&](Result<IngestOutcome> r) { last.set_value(std::move(r)); });
  gate.Release();

  Result<IngestOutcome> r1 = first.get_future().get();
  Result<IngestOutcome> r2 = bad.get_future().get();
  Result<IngestOutcome> r3 = last.get_future().get();
  ASSERT_TRUE(r1.ok());
  EXPECT_FALSE(r2.ok());
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r1->incident_number, 1);
  EXPECT_EQ(r3->incident_number, 2);  // the failed command's number was given back
  EXPECT_TRUE(store_->Writable().ok());
  Result<std::optional<IncidentDetail>> missing = store_->GetIncident(3);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// The writer keeps the next incident number in memory. Another writer on the same database (a
// second server started on the same SQLite file) takes it behind its back: the write that meets
// the stale number fails alone — with the database's own error, which a client only ever sees as a
// 503 of our words — and the writer reads its numbers again, so that the next write is accepted.
// (It answered UNIQUE constraint failed: incidents.number to every new incident, forever.)
// PostgreSQL reads the numbers at every batch, under the cluster's write lock: nothing fails.
TEST_P(StoreWriterTest, AWriteThatMeetsAStaleNumberFailsAloneAndTheNextIsAccepted) {
  EXPECT_EQ(Ingest(Pd(AlertAction::kTrigger, "first")).incident_number, 1);
  // Incident 2, as the other writer wrote it: a copy of the first (closed group) under number 2.
  const std::string columns = sql::kIncidentColumns;
  std::string copied = columns;
  copied.replace(0, std::string("number").size(), "2");
  copied.replace(copied.find("group_open"), std::string("group_open").size(), "0");
  ASSERT_TRUE(db_.Exec("INSERT INTO incidents (" + columns + ") SELECT " + copied +
                       " FROM incidents WHERE number = 1")
                  .ok());

  Result<IngestOutcome> stale = IngestResult(Pd(AlertAction::kTrigger, "second"));
  if (GetParam() == sql::TestBackend::kSqlite) {
    ASSERT_FALSE(stale.ok());
    EXPECT_TRUE(IsDatabaseError(stale.error())) << stale.error().message;
    const Error shown = ClientViewOf(stale.error());
    EXPECT_EQ(shown.code, ErrorCode::kUnavailable);
    EXPECT_THAT(shown.message, ::testing::Not(HasSubstr("incidents")));
    EXPECT_THAT(shown.message, ::testing::Not(HasSubstr("UNIQUE")));
  } else {
    ASSERT_TRUE(stale.ok()) << stale.error().message;
    EXPECT_EQ(stale->incident_number, 3);
  }
  // The next writes are accepted, after the other writer's incident.
  IngestOutcome next = Ingest(Pd(AlertAction::kTrigger, "third"));
  EXPECT_GT(next.incident_number, 2);
  Result<IngestOutcome> again = IngestResult(Pd(AlertAction::kTrigger, "second"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_NE(again->incident_number, next.incident_number);
  EXPECT_TRUE(store_->Writable().ok());
}

// Repeat triggers into an open incident defer its head update to the end of the batch; every
// other kind of write in the same batch must still see (and keep) the latest head.
TEST_P(StoreWriterTest, MixedBatchKeepsCountsAndChainIntact) {
  WriterGate gate;
  gate.Hold(*store_);

  std::vector<std::promise<Status>> results(8);
  size_t next = 0;
  auto ingest = [&](IngestRequest r) {
    std::promise<Status>* p = &results[next++];
    store_->Ingest(std::move(r), [p](Result<IngestOutcome> out) {
      p->set_value(out.ok() ? OkStatus() : Status(std::move(out).error()));
    });
  };
  ingest(Pd(AlertAction::kTrigger, "k"));                            // INC-1, alert 1
  ingest(Pd(AlertAction::kTrigger, "k"));                            // alert 2 (deferred head)
  ingest(Pd(AlertAction::kTrigger, "k", static_cast<Severity>(9)));  // fails: rolled back
  ingest(Pd(AlertAction::kTrigger, "k"));                            // alert 3
  {
    IncidentCommand ack;
    ack.type = IncidentCommand::Type::kAcknowledge;
    ack.incident_number = 1;
    ack.actor = "user:alice";
    std::promise<Status>* p = &results[next++];
    store_->Execute(ack, [p](Result<Incident> r) {
      p->set_value(r.ok() ? OkStatus() : Status(std::move(r).error()));
    });
  }
  ingest(Pd(AlertAction::kTrigger, "k"));  // alert 4, after the full-row write
  ingest(Pd(AlertAction::kResolve, "k"));  // closes the group
  ingest(Pd(AlertAction::kTrigger, "k"));  // INC-2
  gate.Release();

  for (size_t i = 0; i < results.size(); ++i) {
    Status s = results[i].get_future().get();
    EXPECT_EQ(s.ok(), i != 2) << "command " << i << ": " << (s.ok() ? "" : s.error().message);
  }
  IncidentDetail d = Detail(1);
  EXPECT_EQ(d.incident.alert_count, 4);
  EXPECT_EQ(d.incident.firing_alert_count, 0);
  EXPECT_EQ(d.incident.state, IncidentState::kAcknowledged);
  EXPECT_EQ(d.incident.commander, "user:alice");
  EXPECT_THAT(Types(d),
              ElementsAre("incident.triggered", "alert.triggered", "alert.triggered",
                          "alert.triggered", "incident.acknowledged", "incident.commander_assigned",
                          "alert.triggered", "alerts.resolved"));
  EXPECT_EQ(d.alerts.size(), 4u);
  EXPECT_EQ(Detail(2).incident.alert_count, 1);
  Result<AuditReport> audit = store_->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_FALSE(audit->first_broken.has_value())
      << audit->first_broken->incident_number << "/" << audit->first_broken->seq << ": "
      << audit->first_broken->reason;
}

TEST_P(StoreWriterTest, ShutdownCommitsQueuedWritesThenRefuses) {
  WriterGate gate;
  gate.Hold(*store_);
  std::promise<Result<IngestOutcome>> queued;
  store_->Ingest(Pd(AlertAction::kTrigger, "a"),
                 [&](Result<IngestOutcome> r) { queued.set_value(std::move(r)); });

  std::thread stopper([this] { store_->Shutdown(); });
  gate.Release();
  stopper.join();
  Result<IngestOutcome> r = queued.get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().message;  // drained and committed, not dropped

  EXPECT_FALSE(store_->Writable().ok());
  Result<IngestOutcome> after = IngestResult(Pd(AlertAction::kTrigger, "b"));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(store_->GetIncident(1).ok());  // reads still work
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreWriterTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
