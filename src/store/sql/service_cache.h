// ServiceCache: every service and integration key of the database, in memory.
//
// Ingest authenticates every request by integration key hash and the writer needs the service's
// settings for every resolve, so both are answered from memory. The cache is complete (loaded in
// full at Open), so a miss is a definite "unknown". It stays correct because every write to these
// tables goes through the store's single writer, which updates the cache after the commit and
// before any callback runs — so a reader that saw a write's callback also sees it here.
//
// Thread safety: all methods are safe from any thread (a reader-writer mutex inside).
#pragma once

#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "store/sql/db.h"
#include "store/store.h"

namespace loom::sql {

class ServiceCache {
 public:
  // Replaces the contents with every service and key in `db`.
  Status Load(Connection& db);

  std::optional<Service> GetService(const std::string& id) const;
  std::vector<Service> ListServices() const;  // by id
  std::optional<IntegrationKey> FindKey(const std::string& key_hash) const;
  // False for an unknown service.
  bool AutoResolve(const std::string& service_id) const;
  // The window of the service's content-based alert grouping; zero when it is off or the service
  // is unknown.
  Duration GroupingWindow(const std::string& service_id) const;

  // Inserts or replaces, after a commit.
  void PutService(const Service& service);
  void PutKey(const IntegrationKey& key);

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, Service> services_;               // GUARDED_BY(mu_)
  std::unordered_map<std::string, IntegrationKey> keys_;  // GUARDED_BY(mu_), by hash
};

}  // namespace loom::sql
