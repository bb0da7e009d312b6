#include "store/sql/pg_cluster.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <pqxx/pqxx>
#include <utility>

#include "store/sql/pg_db.h"

namespace loom::sql {
namespace {

// The leader's advisory lock, as (key1, key2): "loom", 3. A session lock shows in pg_locks with
// classid = key1, objid = key2, objsubid = 2.
constexpr char kTryLead[] = "SELECT pg_try_advisory_lock(1819242349, 3)";
constexpr char kStillLeading[] =
    "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = 1819242349 AND objid = 3 AND objsubid = 2";

// Hands each notice on the channel to the cluster's handler.
class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& conn, std::function<void(const std::string&)> handle)
      : pqxx::notification_receiver(conn, kClusterChannel), handle_(std::move(handle)) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override { handle_(payload); }

 private:
  std::function<void(const std::string&)> handle_;
};

}  // namespace

PgCluster::PgCluster(std::string url, std::string instance_id, NoticeHandler on_notice)
    : url_(std::move(url)),
      instance_id_(std::move(instance_id)),
      on_notice_(std::move(on_notice)) {}

PgCluster::~PgCluster() { SetHooks(nullptr, nullptr); }

void PgCluster::SetHooks(std::function<void()> lead, std::function<void()> follow) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!lead) return;
  lead_ = std::move(lead);
  follow_ = std::move(follow);
  stopping_ = false;
  leading_ = false;
  thread_ = std::thread([this] { Run(); });
}

bool PgCluster::Pause(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
  return !stopping_;
}

void PgCluster::Run() {
  auto step_down = [this](const std::string& why) {
    if (!leading_.exchange(false)) return;
    spdlog::warn("cluster: this instance stops running the engine and delivery ({})", why);
    if (follow_) follow_();
  };
  // Every instance starts as a follower: what it loaded before is dropped, and it loads what is
  // pending when it leads (another instance may commit work in between).
  if (follow_) follow_();
  std::unique_ptr<PgConnection> conn;
  std::unique_ptr<Receiver> receiver;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    try {
      if (!conn) {
        // Its own connection is never replaced under the receiver: a break ends the round.
        Result<std::unique_ptr<PgConnection>> opened =
            PgConnection::Open(url_, 5000, /*reconnect=*/false);
        if (!opened.ok()) {
          if (!Pause(kReconnectPauseMs)) break;
          continue;
        }
        conn = std::move(opened).value();
        receiver = std::make_unique<Receiver>(conn->raw(), [this](const std::string& payload) {
          if (!leading_) return;
          std::optional<ClusterNotice> notice = DecodeClusterNotice(payload);
          if (notice && notice->sender != instance_id_ && !on_notice_(*notice)) reload_ = true;
        });
      }
      Result<Statement*> query = conn->Prepare(leading_ ? kStillLeading : kTryLead);
      if (!query.ok()) throw std::runtime_error(query.error().message);
      bool holds = false;
      {
        Query q(*query);
        Result<bool> row = q.Step();
        if (!row.ok()) throw std::runtime_error(row.error().message);
        holds = *row && (q.TextView(0) == "t" || q.TextView(0) == "1");
      }
      if (leading_ && !holds) {
        step_down("its database session was replaced");
      } else if (!leading_ && holds) {
        leading_ = true;
        reload_ = false;  // leading loads everything pending
        spdlog::info("cluster: this instance runs the escalation engine and delivery");
        if (lead_) lead_();
      } else if (leading_ && lead_) {
        // Again every round: what it could not load when it took the lead (the database was
        // away a moment ago) is loaded now; once everything is, it reads nothing.
        lead_();
      }
      if (leading_ && reload_) {
        ClusterNotice everything;
        everything.all = true;
        reload_ = !on_notice_(everything);
        if (!reload_) spdlog::info("cluster: loaded the pending work a notice named");
      }
      // Up to a second for notices (they are handed to on_notice_ from inside this call).
      conn->raw().await_notification(1, 0);
    } catch (const std::exception& e) {
      step_down(std::string("database session lost: ") + e.what());
      receiver.reset();
      conn.reset();
      if (!Pause(kReconnectPauseMs)) break;
    }
  }
  receiver.reset();
  conn.reset();
}

}  // namespace loom::sql
