// SqlStore (sql_store_impl.h): opening the store, the database's health checks, and the cluster
// role — leadership across instances, writable, shutdown — with other instances' notices.
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/security_playbook.h"
#include "store/sql/schema.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::StartHealthChecks(std::function<Status()> check) {
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    health_checked_ = true;
    health_last_ok_ = std::chrono::steady_clock::now();  // the store was just opened
  }
  health_thread_ = std::thread([this, check = std::move(check)] {
    std::unique_lock<std::mutex> lock(health_mu_);
    while (!health_stopping_) {
      lock.unlock();
      Status s = check();
      lock.lock();
      if (s.ok()) {
        health_last_ok_ = std::chrono::steady_clock::now();
        health_error_.clear();
      } else {
        if (health_error_ != s.error().message) {
          spdlog::warn("store: the database does not answer: {}", s.error().message);
        }
        health_error_ = s.error().message.empty() ? "unknown error" : s.error().message;
      }
      health_cv_.wait_for(lock, sql::kHealthPeriod, [this] { return health_stopping_; });
    }
  });
}

void SqlStore::StopHealthChecks() {
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    health_stopping_ = true;
  }
  health_cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
}

Status SqlStore::Writable() {
  Status writer = queue_->Healthy();
  if (!writer.ok()) return writer;
  std::lock_guard<std::mutex> lock(health_mu_);
  if (!health_checked_ || health_stopping_) return OkStatus();
  if (!health_error_.empty()) return Error::Unavailable("the database does not answer");
  if (std::chrono::steady_clock::now() - health_last_ok_ > sql::kHealthStale) {
    return Error::Unavailable("the database has not answered a health check for over " +
                              std::to_string(sql::kHealthStale.count()) + " ms");
  }
  return OkStatus();
}

Result<std::unique_ptr<Store>> SqlStore::Open(std::unique_ptr<Connection> db,
                                              const sql::SqlStoreOptions& options, Clock& clock) {
  Status s = sql::Migrate(*db, clock.Now());
  if (!s.ok()) return s.error();

  std::unique_ptr<SqlStore> store(new SqlStore());
  store->clock_ = &clock;
  s = store->cache_.Load(*db);
  if (!s.ok()) return s.error();
  Result<std::unique_ptr<sql::SqlWriter>> writer =
      sql::SqlWriter::Open(std::move(db), clock, store->cache_);
  if (!writer.ok()) return std::move(writer).error();
  store->writer_ = std::move(*writer);
  store->writer_->SetSecurityChecklist(SecurityChecklistTemplate(options.security));
  s = store->readers_.Open(options.open_reader, options.read_connections);
  if (!s.ok()) return s.error();
  store->queue_ = std::make_unique<sql::GroupCommitWriter>(*store->writer_, options.max_queue,
                                                           options.max_batch, options.sync);
  store->queue_->Start();
  if (options.health_check) store->StartHealthChecks(options.health_check);
  if (!options.cluster_url.empty()) {
    SqlStore* raw = store.get();
    store->cluster_ = std::make_unique<sql::PgCluster>(
        options.cluster_url, store->writer_->instance_id(),
        [raw](const sql::ClusterNotice& notice) { return raw->OnNotice(notice); });
  }
  return std::unique_ptr<Store>(std::move(store));
}
bool SqlStore::OnNotice(const sql::ClusterNotice& notice) {
  std::vector<Deadline> deadlines = notice.deadlines;
  Result<std::vector<OutboxEntry>> rows = std::vector<OutboxEntry>();
  bool read = true;
  if (notice.all) {
    Result<std::vector<Deadline>> pending = PendingDeadlines();
    if (pending.ok()) {
      deadlines = std::move(pending).value();
    } else {
      read = false;
      spdlog::warn("cluster: cannot read the pending deadlines: {}", pending.error().message);
    }
    rows = PendingOutbox();
  } else if (!notice.outbox_ids.empty()) {
    rows = PendingOutboxByIds(notice.outbox_ids);
  }
  if (!rows.ok()) {
    read = false;
    spdlog::warn("cluster: cannot read the outbox rows of a notice: {}", rows.error().message);
  }
  // What was read goes on; the rest stays pending in the database, and PgCluster asks for
  // everything again (a deadline or row handed on twice is re-read before it is acted on, so it
  // acts once).
  writer_->deadlines().Publish(deadlines, rows.ok() ? *rows : std::vector<OutboxEntry>());
  return read;
}

void SqlStore::SetLeadershipHooks(std::function<void()> lead, std::function<void()> follow) {
  if (cluster_) {
    cluster_->SetHooks(std::move(lead), std::move(follow));
  } else if (lead) {
    lead();  // SQLite: the only instance
  }
}

void SqlStore::Shutdown() {
  if (cluster_) cluster_->SetHooks(nullptr, nullptr);
  StopHealthChecks();
  if (queue_) queue_->Shutdown();
}

Result<std::unique_ptr<Store>> OpenSqlStore(std::unique_ptr<Connection> writer_db,
                                            const SqlStoreOptions& options, Clock& clock) {
  return SqlStore::Open(std::move(writer_db), options, clock);
}

}  // namespace loom::sql
