#include "store/sqlite/read_pool.h"

namespace loom::sqlite {

Status ReadPool::Open(const std::string& path, int count) {
  if (count < 1) count = 1;
  for (int i = 0; i < count; ++i) {
    Result<std::unique_ptr<Connection>> conn = Connection::Open(path, /*read_only=*/true);
    if (!conn.ok()) return std::move(conn).error();
    Status s = (*conn)->Exec("PRAGMA busy_timeout = 5000");
    if (!s.ok()) return s;
    connections_.push_back(std::move(*conn));
  }
  std::lock_guard lock(mu_);
  for (auto& c : connections_) free_.push_back(c.get());
  return OkStatus();
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock lock(mu_);
  available_.wait(lock, [this] { return !free_.empty(); });
  Connection* conn = free_.back();
  free_.pop_back();
  return Lease(*this, conn);
}

void ReadPool::Release(Connection* conn) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(conn);
  }
  available_.notify_one();
}

ReadTransaction::ReadTransaction(Connection& conn) : conn_(conn) {
  Result<sqlite3_stmt*> begin = conn_.Prepare("BEGIN");
  if (!begin.ok()) {
    status_ = std::move(begin).error();
    return;
  }
  Query q(*begin);
  status_ = q.Run();
}

ReadTransaction::~ReadTransaction() {
  if (!status_.ok() || !conn_.InTransaction()) return;
  Result<sqlite3_stmt*> commit = conn_.Prepare("COMMIT");
  if (!commit.ok()) return;
  Status s;
  {
    Query q(*commit);
    s = q.Run();
  }
  // A connection left inside a transaction would fail its next BEGIN: end it either way.
  if (!s.ok() || conn_.InTransaction()) (void)conn_.Exec("ROLLBACK");
}

}  // namespace loom::sqlite
