// SqlStore (sql_store_impl.h): the HeartbeatStore role (store/heartbeat_store.h). The writes are
// SqlWriter's (sql_writer_heartbeats.cc); the reads are heartbeat_tables.h's on a pooled
// connection.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sql/heartbeat_tables.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::CreateHeartbeat(Heartbeat heartbeat, Callback<Heartbeat> done) {
  Submit<Heartbeat>(
      [this, heartbeat = std::move(heartbeat)] { return writer_->ApplyCreateHeartbeat(heartbeat); },
      std::move(done));
}

void SqlStore::UpdateHeartbeat(HeartbeatPatch patch, Callback<Heartbeat> done) {
  Submit<Heartbeat>(
      [this, patch = std::move(patch)] { return writer_->ApplyUpdateHeartbeat(patch); },
      std::move(done));
}

void SqlStore::DeleteHeartbeat(std::string id, Callback<Heartbeat> done) {
  Submit<Heartbeat>([this, id = std::move(id)] { return writer_->ApplyDeleteHeartbeat(id); },
                    std::move(done));
}

void SqlStore::PingHeartbeat(HeartbeatPing ping, Callback<HeartbeatPinged> done) {
  Submit<HeartbeatPinged>(
      [this, ping = std::move(ping)] { return writer_->ApplyPingHeartbeat(ping); },
      std::move(done));
}

Status SqlStore::ApplyConfiguredHeartbeats(const std::vector<Heartbeat>& configured) {
  Result<bool> r = AwaitWrite<bool>([&](auto done) {
    Submit<bool>(
        [this, configured]() -> Result<bool> {
          LOOM_RETURN_IF_ERROR(writer_->ApplyConfiguredHeartbeats(configured));
          return true;
        },
        std::move(done));
  });
  if (!r.ok()) return std::move(r).error();
  return OkStatus();
}

Result<std::vector<Heartbeat>> SqlStore::ListHeartbeats() {
  auto conn = readers_.Acquire();
  return ReadHeartbeats(*conn);
}

Result<std::optional<Heartbeat>> SqlStore::GetHeartbeat(const std::string& id) {
  auto conn = readers_.Acquire();
  return ReadHeartbeat(*conn, id);
}

}  // namespace loom::sql
