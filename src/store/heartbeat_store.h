// HeartbeatStore: the heartbeats role of the store (core/heartbeat.h, docs/heartbeats.md) — the
// heartbeats of `services[].heartbeats` and of /v1/heartbeats, their pings, and their expiry
// deadlines (DeadlineKind::kHeartbeatExpire), which DeadlineStore::FireDeadline applies: an
// expiry opens the heartbeat's incident through the ingest path in the firing's transaction.
// Writes and reads follow store/callback.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/heartbeat.h"
#include "store/callback.h"

namespace loom {

// A change of a heartbeat's definition; unset fields are kept.
struct HeartbeatPatch {
  std::string id;
  std::optional<std::string> name;
  std::optional<Duration> interval;
  std::optional<Duration> grace;
  std::optional<Severity> severity;
  std::optional<bool> enabled;
};

// Which heartbeat a ping is for: by `id` (/v1/heartbeats/{id}/ping) or, when `id` is empty, by
// `name` within the service (/v2/heartbeats/{name}/ping). `service_id` is the service of the
// integration key the ping came with: a heartbeat of another service is not found.
struct HeartbeatPing {
  std::string id;
  std::string name;
  std::string service_id;
};

struct HeartbeatPinged {
  Heartbeat heartbeat;            // as it is after the ping
  int64_t resolved_incident = 0;  // the expiry incident this ping resolved (0: none)
};

class HeartbeatStore {
 public:
  virtual ~HeartbeatStore() = default;

  // Creates `heartbeat` (state inactive, source "api"; times set here). kConflict when its id
  // exists or its service has a heartbeat of that name; kInvalidArgument (pointer "/service")
  // when the service does not exist, or when ValidateHeartbeat refuses it.
  virtual void CreateHeartbeat(Heartbeat heartbeat, Callback<Heartbeat> done) = 0;
  // Applies `patch`; kNotFound for an unknown id. A changed interval or grace re-arms the expiry
  // from the last ping; disabling cancels the pending expiry (a disabled heartbeat pages nothing);
  // enabling arms it again (from the later of the last ping and now).
  virtual void UpdateHeartbeat(HeartbeatPatch patch, Callback<Heartbeat> done) = 0;
  // Deletes the heartbeat and its pending expiry (its incident, if any, stays). kNotFound for an
  // unknown id.
  virtual void DeleteHeartbeat(std::string id, Callback<Heartbeat> done) = 0;

  // Records a ping at the store's now, durably. An inactive or expired heartbeat becomes healthy
  // and its expiry is armed at interval + grace; an expired one's incident is resolved (its alert
  // by the ingest path, then the incident by "heartbeat:<id>" when the service does not
  // auto-resolve). A healthy one only records the time (its expiry re-arms lazily). kNotFound
  // when there is no such heartbeat on the ping's service.
  virtual void PingHeartbeat(HeartbeatPing ping, Callback<HeartbeatPinged> done) = 0;

  // Start-up, synchronous: stores `configured` (source "config"; a heartbeat of the API with a
  // configured id becomes the configured one), deletes the configured heartbeats that are no
  // longer configured, and resumes every heartbeat: resumed_at = now, and the expiry of each
  // healthy, enabled one re-armed at interval + grace after the later of its last ping and now
  // (pings could not arrive while the server was down).
  virtual Status ApplyConfiguredHeartbeats(const std::vector<Heartbeat>& configured) = 0;

  // ---- reads (synchronous, any thread) ----
  // Every heartbeat, by service and id.
  virtual Result<std::vector<Heartbeat>> ListHeartbeats() = 0;
  virtual Result<std::optional<Heartbeat>> GetHeartbeat(const std::string& id) = 0;
};

}  // namespace loom
