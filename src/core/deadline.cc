#include "core/deadline.h"

namespace loom {

namespace {

constexpr DeadlineKind kKinds[] = {
    DeadlineKind::kEscalate,  DeadlineKind::kCadence,          DeadlineKind::kUpdateReminder,
    DeadlineKind::kUpdateDue, DeadlineKind::kFollowupReminder, DeadlineKind::kFollowupDue,
    DeadlineKind::kDrillDue,  DeadlineKind::kHeartbeatExpire,
};

}  // namespace

const char* DeadlineKindName(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::kEscalate: return "escalate";
    case DeadlineKind::kCadence: return "cadence";
    case DeadlineKind::kUpdateReminder: return "update_reminder";
    case DeadlineKind::kUpdateDue: return "update_due";
    case DeadlineKind::kFollowupReminder: return "followup_reminder";
    case DeadlineKind::kFollowupDue: return "followup_due";
    case DeadlineKind::kDrillDue: return "drill_due";
    case DeadlineKind::kHeartbeatExpire: return "heartbeat_expire";
  }
  return "escalate";
}

std::optional<DeadlineKind> ParseDeadlineKind(std::string_view name) {
  for (DeadlineKind kind : kKinds) {
    if (name == DeadlineKindName(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace loom
