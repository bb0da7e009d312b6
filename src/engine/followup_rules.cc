#include "engine/followup_rules.h"

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "core/followup.h"
#include "engine/deadline_rules.h"
#include "engine/payload.h"

namespace loom {

bool IsFollowupDeadline(DeadlineKind kind) {
  return kind == DeadlineKind::kFollowupReminder || kind == DeadlineKind::kFollowupDue;
}

DeadlineEffects DecideFollowupDeadline(const Deadline& deadline, TimePoint now,
                                       const OnCallSnapshot& oncall) {
  DeadlineEffects out;
  const nlohmann::json p = ParsePayload(deadline.payload_json);
  const int64_t number = PayloadInt(p, "followup", 0);
  if (number <= 0) return out;
  const std::string owner = PayloadString(p, "owner");
  const int64_t due = PayloadInt(p, "due", ToUnixMicros(deadline.due_at));
  const bool overdue = deadline.kind == DeadlineKind::kFollowupDue;
  nlohmann::json body = {{"followup", FollowupId(number)},
                         {"title", PayloadString(p, "title")},
                         {"owner", owner},
                         {"due_at", FormatRfc3339(FromUnixMicros(due))},
                         {"service", PayloadString(p, "service")},
                         {"incident", PayloadString(p, "source")}};
  const std::string kind = overdue ? "overdue" : "reminder";
  const std::string prefix = FollowupId(number) + "/due" + std::to_string(due) + "/" + kind;
  AddUserMessages(prefix, kind, "owner", 0, owner, body, Urgency::kLow, oncall, now, out);
  if (!overdue) return out;
  const std::string service = PayloadString(p, "service");
  if (service.empty()) return out;
  std::optional<std::string> manager =
      oncall.resolver.HolderAt(service, OnCallRole::kEscalationManager, now);
  if (manager && *manager != owner) {
    AddUserMessages(prefix, kind, OnCallRoleName(OnCallRole::kEscalationManager), 0, *manager, body,
                    Urgency::kLow, oncall, now, out);
  }
  return out;
}

}  // namespace loom
