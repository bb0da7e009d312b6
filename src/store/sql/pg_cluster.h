// PgCluster: this instance's place among the instances that share one PostgreSQL database
// (cluster_store.h, SetLeadershipHooks). A thread with its own connection, which starts by calling
// `follow` (every instance starts as a follower) and then:
//
// - takes the leader's advisory session lock when it is free (tried every second): the instance
//   holding it runs the escalation engine and the delivery workers (`lead`, called again every
//   round while it leads, so that the pending work it could not load — the database was away —
//   is loaded as soon as the database answers: `lead` must do nothing more once it has); when
//   the session is lost (the database restarted, the network broke), PostgreSQL releases the
//   lock with it and this instance stops leading (`follow`) before another one can take it over;
//   without a connection it tries again every kReconnectPauseMs, so that it leads again (and
//   fires what fell due meanwhile) within a moment of the database's return;
// - LISTENs on the cluster channel and, while leading, hands each other instance's notice
//   (cluster_notice.h) to `on_notice` — the new deadlines and outbox rows it committed. When
//   `on_notice` could not read what a notice names (it answers false), the next round hands it
//   a notice for everything pending (`all`), and every round after (one a second) until it reads.
//
// A killed leader's session ends with its process, so another instance leads within about a
// second and loads every pending deadline and outbox row itself.
//
// Thread safety: SetHooks is safe from any thread; the hooks and on_notice run on the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "store/sql/cluster_notice.h"

namespace loom::sql {

class PgCluster {
 public:
  // True when the notice's rows were read and handed on.
  using NoticeHandler = std::function<bool(const ClusterNotice&)>;

  static constexpr int kReconnectPauseMs = 250;

  // `instance_id`: this process's id in the notices (its own are ignored).
  PgCluster(std::string url, std::string instance_id, NoticeHandler on_notice);
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // Starts watching with these hooks; null hooks stop the thread (without calling `follow`) and
  // return once it has ended.
  void SetHooks(std::function<void()> lead, std::function<void()> follow);

 private:
  void Run();
  // Waits up to `ms` unless stopping; false when stopping.
  bool Pause(int ms);

  const std::string url_;
  const std::string instance_id_;
  const NoticeHandler on_notice_;
  std::function<void()> lead_, follow_;  // set before the thread starts
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::atomic<bool> leading_{false};
  bool reload_ = false;  // the thread's own: a notice was not read; hand on `all` next round
  std::thread thread_;
};

}  // namespace loom::sql
