// ReadPool: a fixed set of read connections to the store's database, each lent to one thread at
// a time. Readers never block the writer (SQLite in WAL mode, PostgreSQL's MVCC) and each read
// transaction sees every transaction committed before it began.
//
// Thread safety: Acquire() is safe from any thread; it blocks while every connection is lent
// out. A Lease must not outlive the pool.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/sql/db.h"

namespace loom::sql {

class ReadPool {
 public:
  class Lease {
   public:
    Lease(ReadPool& pool, Connection* conn) : pool_(&pool), conn_(conn) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(other.conn_) {
      other.conn_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_ != nullptr) pool_->Release(conn_);
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_; }

   private:
    ReadPool* pool_;
    Connection* conn_;
  };

  using Opener = std::function<Result<std::unique_ptr<Connection>>()>;
  // Opens `count` (at least 1) connections with `open`.
  Status Open(const Opener& open, int count);

  Lease Acquire();

 private:
  void Release(Connection* conn);

  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> free_;  // GUARDED_BY(mu_)
};

// A read transaction on a leased connection: every statement inside sees one snapshot. Ends
// (COMMIT of a read-only transaction) when destroyed; Query objects must be destroyed first.
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& conn);
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ~ReadTransaction();
  // The error of BEGIN, if it failed.
  const Status& status() const { return status_; }

 private:
  Connection& conn_;
  Status status_;
};

}  // namespace loom::sql
