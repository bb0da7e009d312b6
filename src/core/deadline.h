// A deadline (a future action of the escalation engine) and what firing one does.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "core/incident.h"
#include "core/outbox.h"

namespace loom {

// What a deadline does when it fires, with its payload. The name in quotes is how the kind is
// stored (deadlines.kind) and shown: DeadlineKindName / ParseDeadlineKind convert.
enum class DeadlineKind {
  kEscalate,          // "escalate" {"arm":A,"step":N}  run step N of the escalation started by
                      //   deadline A
  kCadence,           // "cadence" {"last_update_at":us[,"promised_next_at":us]}  plan the next
                      //   status update
  kUpdateReminder,    // "update_reminder" {"due":us}  remind the commander that a status update
                      //   is due
  kUpdateDue,         // "update_due" {"due":us}  the status update was missed
  kFollowupReminder,  // "followup_reminder"  a follow-up is due soon (incident_number 0;
                      //   payload in store/sql/followup_tables.h)
  kFollowupDue,       // "followup_due"  a follow-up is overdue (the same)
  kDrillDue,          // "drill_due" {"scenario","service","every"}  no incident: the next drill is
                      //   due (a drill started since cancels it); firing notifies the escalation
                      //   manager
  kHeartbeatExpire,   // "heartbeat_expire" {"heartbeat":id}  no incident: the heartbeat may have
                      //   expired; the store decides it with core/heartbeat.h CheckHeartbeat
                      //   (re-arm at a later ping's expiry, or expire and open its incident)
};

// The stored name of `kind` (a static string).
const char* DeadlineKindName(DeadlineKind kind);
// The kind named `name`; nullopt for a name that is none of them.
std::optional<DeadlineKind> ParseDeadlineKind(std::string_view name);

// A future action of the escalation engine (see src/engine): written in the same transaction as
// the change that caused it, fired once by FireDeadline.
struct Deadline {
  int64_t id = 0;
  int64_t incident_number = 0;
  DeadlineKind kind = DeadlineKind::kEscalate;
  TimePoint due_at{};
  std::string payload_json = "{}";
};

// What firing a deadline does, decided inside the store's transaction (so it sees the incident
// as it is now) and applied atomically with marking the deadline fired.
struct DeadlineEffects {
  struct Event {
    std::string type;  // timeline event type, actor "system"
    std::string data_json;
  };
  std::vector<Event> events;
  std::vector<OutboxEntry> outbox;  // entries whose unique_key exists are left out
  std::vector<Deadline> deadlines;  // new deadlines (ids assigned by the store)
};

// Decides a deadline's effects. `incident` is nullopt when it no longer exists. Runs on the
// store's writer thread inside the transaction: must be quick and must not call the Store.
using DeadlineHandler = std::function<DeadlineEffects(
    const Deadline& deadline, const std::optional<Incident>& incident, TimePoint now)>;

struct DeadlineFiring {
  bool fired = false;  // false: it had already fired or was cancelled (nothing was done)
  int64_t outbox_inserted = 0;
  TimePoint fired_at{};
};

}  // namespace loom
