// PgCluster against the test PostgreSQL: leading, and a notice its handler could not read.
#include "store/sql/pg_cluster.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "store/sql/test_database.h"

namespace loom::sql {
namespace {

// What the handler was given, with a wait for the n-th call.
class Notices {
 public:
  bool Handle(const ClusterNotice& notice) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(notice);
    cv_.notify_all();
    return seen_.size() > failures_;
  }
  // The first `n` notices, or fewer after `within`.
  std::vector<ClusterNotice> WaitFor(size_t n, std::chrono::seconds within) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, within, [&] { return seen_.size() >= n; });
    return seen_;
  }
  void FailFirst(size_t failures) { failures_ = failures; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ClusterNotice> seen_;
  size_t failures_ = 0;
};

class PgClusterTest : public ::testing::Test {
 protected:
  // Leads (the only instance), then answers once `lead` ran.
  void StartLeading(PgCluster& cluster) {
    cluster.SetHooks(
        [this] {
          std::lock_guard<std::mutex> lock(mu_);
          leading_ = true;
          cv_.notify_all();
        },
        [] {});
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(10), [this] { return leading_; }));
  }

  void NotifyFromAnotherInstance() {
    Deadline d;
    d.id = 42;
    d.due_at = FromUnixMicros(1'800'000'000'000'000);
    const std::string payload = EncodeClusterNotice("other", {d}, {});
    ASSERT_TRUE(
        db_.Exec("SELECT pg_notify('" + std::string(kClusterChannel) + "', '" + payload + "')")
            .ok());
  }

  TestDatabase db_{TestBackend::kPostgres};
  Notices notices_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool leading_ = false;
};

TEST_F(PgClusterTest, TheLeaderGetsTheOtherInstancesNotices) {
  PgCluster cluster(db_.Url(), "me", [this](const ClusterNotice& n) { return notices_.Handle(n); });
  StartLeading(cluster);
  NotifyFromAnotherInstance();
  std::vector<ClusterNotice> seen = notices_.WaitFor(1, std::chrono::seconds(10));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].sender, "other");
  EXPECT_FALSE(seen[0].all);
  ASSERT_EQ(seen[0].deadlines.size(), 1u);
  EXPECT_EQ(seen[0].deadlines[0].id, 42);
}

TEST_F(PgClusterTest, ANoticeTheHandlerCouldNotReadIsFollowedByEverything) {
  notices_.FailFirst(2);  // the notice, and the first reload
  PgCluster cluster(db_.Url(), "me", [this](const ClusterNotice& n) { return notices_.Handle(n); });
  StartLeading(cluster);
  NotifyFromAnotherInstance();
  std::vector<ClusterNotice> seen = notices_.WaitFor(3, std::chrono::seconds(10));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_FALSE(seen[0].all);
  EXPECT_TRUE(seen[1].all);  // the next round
  EXPECT_TRUE(seen[2].all);  // and the rounds after, until it is read
  // Read: no more reloads.
  EXPECT_EQ(notices_.WaitFor(4, std::chrono::seconds(2)).size(), 3u);
  cluster.SetHooks(nullptr, nullptr);
}

// `lead` runs again every round while the instance leads: what it could not load when it took
// the lead (the database was away a moment ago) is loaded without waiting for another leader.
TEST_F(PgClusterTest, TheLeadHookRunsAgainWhileLeading) {
  std::mutex mu;
  std::condition_variable cv;
  int leads = 0;
  int follows = 0;
  PgCluster cluster(db_.Url(), "me", [](const ClusterNotice&) { return true; });
  cluster.SetHooks(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        ++leads;
        cv.notify_all();
      },
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        ++follows;
      });
  {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return leads >= 3; }));
    EXPECT_EQ(follows, 1);  // the start, as every instance; never since
  }
  cluster.SetHooks(nullptr, nullptr);
}

}  // namespace
}  // namespace loom::sql
