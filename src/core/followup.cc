#include "core/followup.h"

#include <charconv>

#include "common/time_format.h"

namespace loom {

const char* FollowupStatusName(FollowupStatus s) {
  switch (s) {
    case FollowupStatus::kOpen: return "open";
    case FollowupStatus::kDone: return "done";
    case FollowupStatus::kCancelled: return "cancelled";
  }
  return "open";
}

std::optional<FollowupStatus> ParseFollowupStatus(std::string_view text) {
  if (text == "open") return FollowupStatus::kOpen;
  if (text == "done") return FollowupStatus::kDone;
  if (text == "cancelled") return FollowupStatus::kCancelled;
  return std::nullopt;
}

std::string FollowupId(int64_t number) { return "FU-" + std::to_string(number); }

std::optional<int64_t> ParseFollowupId(std::string_view id) {
  if (id.substr(0, 3) == "FU-") id.remove_prefix(3);
  int64_t n = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
  if (id.empty() || ec != std::errc() || p != id.data() + id.size() || n <= 0) return std::nullopt;
  return n;
}

bool Matches(const Followup& f, const FollowupFilter& filter) {
  if (!filter.owner.empty() && f.owner != filter.owner) return false;
  if (filter.status && f.status != *filter.status) return false;
  if (filter.overdue_only && !f.Overdue(filter.now)) return false;
  if (!filter.source_kind.empty() && f.source_kind != filter.source_kind) return false;
  if (!filter.source_ref.empty() && f.source_ref != filter.source_ref) return false;
  if (filter.incident_number != 0 && f.incident_number != filter.incident_number) return false;
  return true;
}

Status ApplyFollowupPatch(Followup& f, const FollowupPatch& patch, TimePoint now) {
  const bool reopening = patch.status == FollowupStatus::kOpen;
  if (f.status != FollowupStatus::kOpen && !reopening && (patch.owner || patch.due_at)) {
    return Error::Conflict(f.id() + " is " + FollowupStatusName(f.status) +
                           "; reopen it (status open) before changing its owner or due date");
  }
  if (patch.owner) f.owner = *patch.owner;
  if (patch.due_at) f.due_at = *patch.due_at;
  if (patch.status && *patch.status != f.status) {
    f.status = *patch.status;
    if (f.status == FollowupStatus::kOpen) {
      f.closed_at.reset();
    } else {
      f.closed_at = now;
    }
  }
  f.updated_at = now;
  return OkStatus();
}

FollowupTimes PlanFollowupTimes(const Followup& f, TimePoint now) {
  FollowupTimes t;
  t.overdue_at = f.due_at;
  TimePoint remind = f.due_at - kFollowupReminderLead;
  if (remind < now) remind = now;
  if (remind < f.due_at) t.remind_at = remind;
  return t;
}

Result<TimePoint> ParseDue(std::string_view text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    Result<TimePoint> day = ParseRfc3339(std::string(text) + "T23:59:59Z");
    if (day.ok()) return day;
  }
  Result<TimePoint> at = ParseRfc3339(text);
  if (!at.ok()) return Error::Invalid("due must be an RFC 3339 date or time");
  return at;
}

std::vector<std::string> MissingSummaryParts(const FinalSummary* summary, int64_t live_followups) {
  if (summary == nullptr) return {"summary"};
  std::vector<std::string> missing;
  if (summary->root_cause.empty()) missing.emplace_back("root_cause");
  if (summary->customer_impact.empty()) missing.emplace_back("customer_impact");
  if (summary->remediation.empty()) missing.emplace_back("remediation");
  if (live_followups == 0 && summary->no_followups_reason.empty()) {
    missing.emplace_back("followups");
  }
  return missing;
}

}  // namespace loom
