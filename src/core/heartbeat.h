// Heartbeats (dead-man switches, docs/heartbeats.md): something that should report regularly
// pings; when it stays silent for `interval + grace`, the heartbeat expires and opens an incident
// of its severity on its service; the next ping resolves that incident.
//
// The rules here are pure. The store keeps one heartbeat_expire deadline (core/deadline.h) per
// armed heartbeat and re-arms it lazily: a ping only records its time, and the deadline, when it
// fires, asks CheckHeartbeat whether a newer ping moved the expiry (re-arm at the new time) or
// not (expire). So a heartbeat expires exactly `interval + grace` after its last ping, and a ping
// costs one row update.
//
// Restarts: pings cannot arrive while the server is down, so every heartbeat gets
// `interval + grace` from the restart (`resumed_at`) before it can expire.
//
// Thread safety: plain values and stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "core/alert_event.h"
#include "core/severity.h"

namespace loom {

enum class HeartbeatState {
  kInactive,  // "inactive": never pinged; it cannot expire
  kHealthy,   // "healthy": pinged, and the last ping is younger than interval + grace
  kExpired,   // "expired": silent for interval + grace; its incident was opened
};
const char* HeartbeatStateName(HeartbeatState state);
std::optional<HeartbeatState> ParseHeartbeatState(std::string_view name);

// Where a heartbeat was defined: `services[].heartbeats` (re-applied at every start) or the API.
inline constexpr char kHeartbeatFromConfig[] = "config";
inline constexpr char kHeartbeatFromApi[] = "api";

struct Heartbeat {
  std::string id;          // unique across services: /v1/heartbeats/{id}/ping
  std::string service_id;  // its incidents go to this service; its keys authenticate pings
  std::string name;        // unique within the service: /v2/heartbeats/{name}/ping (Opsgenie)
  Duration interval = std::chrono::hours(1);
  Duration grace = Duration::zero();
  Severity severity = Severity::kSev2;
  bool enabled = true;  // a disabled heartbeat records pings but never expires
  std::string source = kHeartbeatFromApi;

  HeartbeatState state = HeartbeatState::kInactive;
  std::optional<TimePoint> last_ping_at;
  TimePoint resumed_at{};       // the last server start (see the file comment)
  int64_t incident_number = 0;  // the incident its last expiry opened (0: none)
  int64_t deadline_id = 0;      // its pending heartbeat_expire deadline (0: none)
  TimePoint created_at{};
  TimePoint updated_at{};
};

// The heartbeat id rule (the service id rule): 1-64 of [a-z0-9_-], starting with a letter or
// digit.
bool IsValidHeartbeatId(std::string_view id);
// kInvalidArgument (with field pointers "/id", "/name", "/interval", "/grace") when `hb` breaks
// a rule: a valid id, a name of 1-200 characters without '/', an interval of 1s to 31d, a grace
// of 0 to 31d.
Status ValidateHeartbeat(const Heartbeat& hb);

// When the heartbeat expires if no ping comes: interval + grace after the later of its last ping
// and the last server start. nullopt for a heartbeat that cannot expire (never pinged, or
// disabled).
std::optional<TimePoint> HeartbeatExpiresAt(const Heartbeat& hb);

// What firing the heartbeat's deadline does at `now`.
struct HeartbeatCheck {
  enum class Action {
    kNothing,  // disabled, never pinged, already expired, or the deadline is not its current one
    kRearm,    // a later ping (or a restart) moved the expiry: a new deadline at `rearm_at`
    kExpire,   // silent for interval + grace: expire and open the incident
  };
  Action action = Action::kNothing;
  TimePoint rearm_at{};
};
HeartbeatCheck CheckHeartbeat(const Heartbeat& hb, int64_t deadline_id, TimePoint now);

// "1h", "90s" → "1m30s", "1d": a duration as the docs and messages show it.
std::string HeartbeatDurationText(Duration d);

// The incident title of an expiry: "Heartbeat nightly-backup expired: last ping 02:00:04 UTC,
// expected every 1h" (the date is added when the last ping was on another UTC day than `now`).
std::string HeartbeatExpiredTitle(const Heartbeat& hb, TimePoint now);

// The dedup key of the heartbeat's incidents: one open incident per heartbeat.
std::string HeartbeatDedupKey(const Heartbeat& hb);
// The actor of what a heartbeat does on a timeline: "heartbeat:<id>".
std::string HeartbeatActor(const Heartbeat& hb);

// The ingest request an expiry opens its incident with (integration key id 0: no integration
// key has it, so the heartbeat's dedup scope is its own).
IngestRequest HeartbeatExpiredAlert(const Heartbeat& hb, TimePoint now);
// The ingest request a ping sends to end the expiry's alert.
IngestRequest HeartbeatRecoveredAlert(const Heartbeat& hb, TimePoint now);

}  // namespace loom
