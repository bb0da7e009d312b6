#include "store/sql/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace loom::sql {
namespace {

// Records the transaction steps; fails COMMIT while `fail_commit` is set, and the end of each
// command (its sent statements) while `fail_finish` is.
class FakeTransaction final : public TransactionControl {
 public:
  Status BeginBatch() override {
    ++begins;
    return OkStatus();
  }
  Status BeginCommand() override { return OkStatus(); }
  Status FinishCommand() override {
    if (fail_finish) return Error::Conflict("duplicate key value violates unique constraint");
    return OkStatus();
  }
  Status EndCommand(bool ok) override {
    if (!ok) ++rolled_back_commands;
    return OkStatus();
  }
  Status CommitBatch() override {
    if (fail_commit) return Error::Unavailable("disk I/O error");
    ++commits;
    if (on_commit) on_commit();
    return OkStatus();
  }
  void AbortBatch() override { ++aborts; }
  std::function<void()> TakeAfterDurable() override { return after_durable; }

  std::atomic<bool> fail_commit{false};
  std::atomic<bool> fail_finish{false};
  std::function<void()> on_commit;      // set before the writer starts
  std::function<void()> after_durable;  // handed over after every commit; set before the start
  std::atomic<int> begins{0}, commits{0}, aborts{0}, rolled_back_commands{0};
};

class TestCommand final : public WriteCommand {
 public:
  explicit TestCommand(Status apply_result, std::promise<Status>* done)
      : apply_result_(std::move(apply_result)), done_(done) {}
  Status Apply() override { return apply_result_; }
  void Failed(const Error& error) override { apply_result_ = error; }
  void Committed() override { committed_ = true; }
  void Complete(const Error* failure) override {
    if (failure != nullptr) {
      done_->set_value(*failure);
    } else if (!apply_result_.ok()) {
      done_->set_value(apply_result_);
    } else {
      done_->set_value(committed_ ? OkStatus() : Status(Error::Internal("not published")));
    }
  }

 private:
  Status apply_result_;
  std::promise<Status>* done_;
  bool committed_ = false;
};

Status RunCommand(GroupCommitWriter& writer, Status apply_result) {
  std::promise<Status> done;
  writer.Submit(std::make_unique<TestCommand>(std::move(apply_result), &done));
  return done.get_future().get();
}

TEST(GroupCommitWriterTest, FailedCommitFailsTheBatchUntilACommitSucceeds) {
  FakeTransaction tx;
  GroupCommitWriter writer(tx, 16, 16);
  writer.Start();
  ASSERT_TRUE(RunCommand(writer, OkStatus()).ok());
  EXPECT_TRUE(writer.Healthy().ok());

  tx.fail_commit = true;
  Status s = RunCommand(writer, OkStatus());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(writer.Healthy().ok());
  EXPECT_EQ(tx.aborts.load(), 1);

  tx.fail_commit = false;
  ASSERT_TRUE(RunCommand(writer, OkStatus()).ok());
  EXPECT_TRUE(writer.Healthy().ok());
  GroupCommitStats stats = writer.Stats();
  EXPECT_EQ(stats.commits, 2);
  EXPECT_EQ(stats.committed_commands, 2);
}

TEST(GroupCommitWriterTest, AfterAFailedCommitAnIdleWriterRecoversByItself) {
  FakeTransaction tx;
  std::promise<void> recovered;
  std::atomic<bool> armed{false};
  tx.on_commit = [&] {
    if (armed.exchange(false)) recovered.set_value();
  };
  GroupCommitWriter writer(tx, 16, 16);
  writer.Start();
  tx.fail_commit = true;
  ASSERT_FALSE(RunCommand(writer, OkStatus()).ok());
  EXPECT_FALSE(writer.Healthy().ok());
  // The database is back; nothing is written, yet the writer's empty transaction succeeds.
  armed = true;
  tx.fail_commit = false;
  ASSERT_EQ(recovered.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  // The writer clears the failure right after the commit returns.
  for (int i = 0; i < 100000 && !writer.Healthy().ok(); ++i) std::this_thread::yield();
  EXPECT_TRUE(writer.Healthy().ok());
  EXPECT_EQ(writer.Stats().commits, 0);  // the empty transaction is not counted as a commit
}

TEST(GroupCommitWriterTest, AFailedApplyAnswersItsOwnError) {
  FakeTransaction tx;
  GroupCommitWriter writer(tx, 16, 16);
  writer.Start();
  Status s = RunCommand(writer, Error::Conflict("INC-1 is closed"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_EQ(tx.rolled_back_commands.load(), 1);
  EXPECT_EQ(tx.commits.load(), 1);
  EXPECT_TRUE(writer.Healthy().ok());
}

TEST(GroupCommitWriterTest, ACommandWhoseSentStatementsFailAnswersThatErrorAlone) {
  FakeTransaction tx;
  GroupCommitWriter writer(tx, 16, 16);
  writer.Start();
  tx.fail_finish = true;
  Status s = RunCommand(writer, OkStatus());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_EQ(tx.rolled_back_commands.load(), 1);
  EXPECT_EQ(tx.commits.load(), 1);
  EXPECT_TRUE(writer.Healthy().ok());
  tx.fail_finish = false;
  EXPECT_TRUE(RunCommand(writer, OkStatus()).ok());
}

TEST(GroupCommitWriterTest, RefusesAfterShutdownOnTheCallersThread) {
  FakeTransaction tx;
  GroupCommitWriter writer(tx, 16, 16);
  writer.Start();
  writer.Shutdown();
  std::promise<Status> done;
  writer.Submit(std::make_unique<TestCommand>(OkStatus(), &done));
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  Status s = future.get();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(writer.Healthy().ok());
}

// Appends its name to `order` when applied; the first one can hold the writer until released.
class OrderedCommand final : public WriteCommand {
 public:
  OrderedCommand(std::string name, std::vector<std::string>* order,
                 std::shared_future<void> hold = {}, std::promise<void>* applied = nullptr)
      : name_(std::move(name)), order_(order), hold_(std::move(hold)), applied_(applied) {}
  Status Apply() override {
    order_->push_back(name_);
    if (applied_ != nullptr) applied_->set_value();
    if (hold_.valid()) hold_.wait();
    return OkStatus();
  }
  void Failed(const Error&) override {}
  void Complete(const Error*) override {}

 private:
  std::string name_;
  std::vector<std::string>* order_;
  std::shared_future<void> hold_;
  std::promise<void>* applied_;
};

TEST(GroupCommitWriterTest, UrgentCommandsGoAheadOfTheQueuedBacklog) {
  FakeTransaction tx;
  GroupCommitWriter writer(tx, 16, 16);
  writer.Start();
  std::vector<std::string> order;
  std::promise<void> release, holding;
  writer.Submit(
      std::make_unique<OrderedCommand>("blocker", &order, release.get_future().share(), &holding));
  holding.get_future().wait();  // the writer is inside the blocker's batch
  writer.Submit(std::make_unique<OrderedCommand>("ingest-1", &order));
  writer.Submit(std::make_unique<OrderedCommand>("ingest-2", &order));
  writer.Submit(std::make_unique<OrderedCommand>("deadline", &order), /*urgent=*/true);
  release.set_value();
  writer.Shutdown();  // commits everything queued
  EXPECT_EQ(order, (std::vector<std::string>{"blocker", "deadline", "ingest-1", "ingest-2"}));
}

TEST(GroupCommitWriterTest, ARunningBatchCommitsEarlyWhenAnUrgentCommandArrives) {
  FakeTransaction tx;
  GroupCommitWriter writer(tx, 16, 16);
  writer.Start();
  std::vector<std::string> order;
  std::promise<void> release_first, first_holding, release_x, x_holding;
  writer.Submit(std::make_unique<OrderedCommand>(
      "first", &order, release_first.get_future().share(), &first_holding));
  first_holding.get_future().wait();
  // Queued behind "first": the next batch will be [x, y, z]; x holds it.
  writer.Submit(
      std::make_unique<OrderedCommand>("x", &order, release_x.get_future().share(), &x_holding));
  writer.Submit(std::make_unique<OrderedCommand>("y", &order));
  writer.Submit(std::make_unique<OrderedCommand>("z", &order));
  release_first.set_value();
  x_holding.get_future().wait();
  writer.Submit(std::make_unique<OrderedCommand>("deadline", &order), /*urgent=*/true);
  release_x.set_value();
  writer.Shutdown();
  EXPECT_EQ(order, (std::vector<std::string>{"first", "x", "deadline", "y", "z"}));
  // [first], [x, deadline] cut short, then [y, z].
  EXPECT_EQ(tx.commits.load(), 3);
}

// With a sync function: each batch is answered only after a sync that started after its
// commit, and the writer commits the next batch while the previous one is being synced.
TEST(GroupCommitWriterTest, ASyncThreadAnswersCommittedBatchesWhileTheWriterGoesOn) {
  FakeTransaction tx;
  std::mutex log_mu;
  std::vector<std::string> log;
  auto note = [&](std::string what) {
    std::lock_guard lock(log_mu);
    log.push_back(std::move(what));
  };
  std::promise<void> second_committed;
  tx.on_commit = [&] {
    note("commit " + std::to_string(tx.commits.load()));
    if (tx.commits.load() == 2) second_committed.set_value();
  };
  tx.after_durable = [&] { note("after durable"); };
  std::shared_future<void> second = second_committed.get_future().share();
  int syncs = 0;
  std::promise<void> first_sync_started;
  GroupCommitWriter writer(tx, 16, 16, [&]() -> Status {
    ++syncs;
    note("sync " + std::to_string(syncs));
    if (syncs == 1) first_sync_started.set_value();
    // The first sync lasts until the writer has committed the next batch: without the sync
    // thread, that batch could not start and this would time out.
    if (syncs == 1 && second.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return Error::Internal("the writer waited for the sync");
    }
    return OkStatus();
  });
  writer.Start();
  std::promise<Status> first_done, second_done;
  writer.Submit(std::make_unique<TestCommand>(OkStatus(), &first_done));
  // Queued once the first batch is being synced (that sync holds until this one commits).
  first_sync_started.get_future().wait();
  writer.Submit(std::make_unique<TestCommand>(OkStatus(), &second_done));
  EXPECT_TRUE(first_done.get_future().get().ok());
  EXPECT_TRUE(second_done.get_future().get().ok());
  writer.Shutdown();
  std::lock_guard lock(log_mu);
  ASSERT_GE(log.size(), 5u);
  EXPECT_EQ(log[0], "commit 1");
  EXPECT_EQ(log[1], "sync 1");
  EXPECT_EQ(log[2], "commit 2");  // while sync 1 runs
  EXPECT_EQ(log[3], "after durable");
  EXPECT_EQ(log[4], "sync 2");  // the second batch needs a sync of its own
}

TEST(GroupCommitWriterTest, AFailedSyncAnswersUnavailableUntilASyncSucceeds) {
  FakeTransaction tx;
  std::atomic<bool> fail_sync{true};
  GroupCommitWriter writer(tx, 16, 16, [&]() -> Status {
    if (fail_sync) return Error::Unavailable("cannot fdatasync data.db-wal: Input/output error");
    return OkStatus();
  });
  writer.Start();
  Status s = RunCommand(writer, OkStatus());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(s.error().message.find("durable"), std::string::npos) << s.error().message;
  EXPECT_FALSE(writer.Healthy().ok());
  fail_sync = false;
  EXPECT_TRUE(RunCommand(writer, OkStatus()).ok());
  EXPECT_TRUE(writer.Healthy().ok());
}

TEST(GroupCommitWriterTest, ShutdownAnswersEveryCommittedBatchThroughTheSyncThread) {
  FakeTransaction tx;
  std::atomic<int> syncs{0};
  GroupCommitWriter writer(tx, 64, 4, [&]() -> Status {
    ++syncs;
    return OkStatus();
  });
  writer.Start();
  std::vector<std::promise<Status>> done(20);
  for (auto& d : done) writer.Submit(std::make_unique<TestCommand>(OkStatus(), &d));
  writer.Shutdown();
  for (auto& d : done) {
    auto f = d.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_TRUE(f.get().ok());
  }
  EXPECT_GE(syncs.load(), 1);
}

}  // namespace
}  // namespace loom::sql
