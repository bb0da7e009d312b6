#include "store/sql/read_pool.h"

namespace loom::sql {

Status ReadPool::Open(const Opener& open, int count) {
  if (count < 1) count = 1;
  for (int i = 0; i < count; ++i) {
    Result<std::unique_ptr<Connection>> conn = open();
    if (!conn.ok()) return std::move(conn).error();
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
  // One snapshot for every statement of the transaction (PostgreSQL's default, READ COMMITTED,
  // takes one per statement; a SQLite read transaction holds one already).
  Result<Statement*> begin = conn_.Prepare(conn_.dialect() == Dialect::kSqlite
                                               ? "BEGIN"
                                               : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begin.ok()) {
    status_ = std::move(begin).error();
    return;
  }
  Query q(*begin);
  status_ = q.Run();
}

ReadTransaction::~ReadTransaction() {
  if (!status_.ok() || !conn_.InTransaction()) return;
  Result<Statement*> commit = conn_.Prepare("COMMIT");
  if (!commit.ok()) return;
  Status s;
  {
    Query q(*commit);
    s = q.Run();
  }
  // A connection left inside a transaction would fail its next BEGIN: end it either way.
  if (!s.ok() || conn_.InTransaction()) (void)conn_.Exec("ROLLBACK");
}

}  // namespace loom::sql
