// AdminStore: the administration role of the store — services and their integration keys, API
// tokens, settings, the figures /metrics shows and the audit of the timelines' hash chains.
// Writes and reads follow store/callback.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/credentials.h"
#include "core/service.h"
#include "store/callback.h"

namespace loom {

struct StoreStats {
  int64_t open_incidents_by_severity[4] = {0, 0, 0, 0};  // index = sev - 1
  int64_t outbox_depth = 0;
  int64_t pending_deadlines = 0;
  int64_t writer_queue_depth = 0;
  int64_t commits = 0;
  int64_t committed_commands = 0;
  // Histogram of commands per group commit: buckets le 1,2,4,...,1024,+Inf (12 buckets).
  int64_t batch_size_buckets[12] = {};
  int64_t batch_size_sum = 0;
};

struct AuditReport {
  int64_t incidents_checked = 0;
  int64_t events_checked = 0;
  struct Broken {
    int64_t incident_number = 0;
    int64_t seq = 0;
    std::string reason;  // "hash mismatch", "prev_hash does not match event N", "gap before seq N"
  };
  std::optional<Broken> first_broken;
};

class AdminStore {
 public:
  virtual ~AdminStore() = default;

  // Creates a service with one integration key (its hash). kConflict when the id exists.
  virtual void CreateService(Service service, std::string key_hash,
                             Callback<IntegrationKey> done) = 0;
  // Start-up seeding from the configuration: creates or updates the service (name, settings) and
  // adds each key hash not yet present. Synchronous because it runs before serving.
  virtual Status UpsertConfiguredService(const Service& service,
                                         const std::vector<std::string>& key_hashes) = 0;
  virtual void CreateToken(std::string name, Role role, std::string token_hash,
                           Callback<ApiToken> done) = 0;

  // The value of setting `name`; when there is none yet, stores `generate()` and answers it. The
  // first value stored wins and is never replaced, so every instance sharing the store and every
  // restart agree on it (e.g. the generated one-click link key). Synchronous: for start-up code.
  virtual Result<std::string> GetOrCreateSetting(const std::string& name,
                                                 const std::function<std::string()>& generate) = 0;

  // ---- reads (synchronous, any thread) ----
  virtual Result<std::optional<IntegrationKey>> FindIntegrationKey(const std::string& key_hash) = 0;
  virtual Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) = 0;
  virtual Result<std::optional<Service>> GetService(const std::string& id) = 0;
  virtual Result<std::vector<Service>> ListServices() = 0;
  virtual Result<StoreStats> Stats() = 0;
  // Recomputes every incident's timeline hash chain.
  virtual Result<AuditReport> VerifyAudit() = 0;
};

}  // namespace loom
