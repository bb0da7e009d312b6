// Follow-ups and the final summary (runbook "Communications": root cause, customer impact,
// remediation actions, follow-up owners/dates; "Drill Program": follow-up items with owners and
// due dates). Pure domain: the rules the store, the engine and the API apply; no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace loom {

enum class FollowupStatus { kOpen, kDone, kCancelled };
const char* FollowupStatusName(FollowupStatus s);  // "open", "done", "cancelled"
std::optional<FollowupStatus> ParseFollowupStatus(std::string_view text);

// "FU-7" <-> 7
std::string FollowupId(int64_t number);
std::optional<int64_t> ParseFollowupId(std::string_view id);

// Where a follow-up came from: "incident" (an incident's final summary or the API), "review"
// (a post-incident review; the ref is the incident's id too), "drill" (the drill's id), or ""
// (none).
inline constexpr std::string_view kFollowupSourceKinds[] = {"incident", "review", "drill"};

struct Followup {
  int64_t number = 0;  // id() is "FU-<number>"
  std::string title;
  std::string owner;  // a configured user id
  TimePoint due_at{};
  FollowupStatus status = FollowupStatus::kOpen;
  std::string source_kind;      // "incident", "review", "drill" or ""
  std::string source_ref;       // "INC-3" for incident and review sources; the drill's id
  int64_t incident_number = 0;  // incident and review sources; 0 otherwise
  // The service whose escalation manager hears of the follow-up when it is overdue: given when
  // created, else the source incident's service; "" = only the owner is told.
  std::string service_id;
  std::string created_by;
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> closed_at;  // when it became done or cancelled

  std::string id() const { return FollowupId(number); }
  bool Overdue(TimePoint now) const { return status == FollowupStatus::kOpen && due_at <= now; }
};

struct FollowupFilter {
  std::string owner;  // "" = any
  std::optional<FollowupStatus> status;
  bool overdue_only = false;    // open and due at or before `now`
  std::string source_kind;      // "" = any
  std::string source_ref;       // "" = any
  int64_t incident_number = 0;  // 0 = any
  TimePoint now{};
};
bool Matches(const Followup& f, const FollowupFilter& filter);

// A change to a follow-up (PATCH): only the fields set change.
struct FollowupPatch {
  int64_t number = 0;
  std::optional<FollowupStatus> status;
  std::optional<std::string> owner;
  std::optional<TimePoint> due_at;
  std::string actor;
};

// Applies `patch` to `f` at `now` (closed_at follows the status). kConflict when `f` is done or
// cancelled and the patch changes anything but reopening it.
Status ApplyFollowupPatch(Followup& f, const FollowupPatch& patch, TimePoint now);

// The owner is reminded this long before the due time; at the due time the follow-up is overdue
// and the service's escalation manager is told as well.
inline constexpr Duration kFollowupReminderLead = std::chrono::hours(24);

struct FollowupTimes {
  std::optional<TimePoint> remind_at;  // none when the due time is already (nearly) here
  TimePoint overdue_at{};
};
// When to remind and when to declare `f` overdue, seen at `now`: the reminder 24 h before the
// due time, or at once when that has passed but the due time has not.
FollowupTimes PlanFollowupTimes(const Followup& f, TimePoint now);

// A due date or time: RFC 3339 ("2026-12-01T17:00:00Z"), or a date ("2026-12-01") meaning the
// end of that day in UTC (23:59:59Z).
Result<TimePoint> ParseDue(std::string_view text);

// One follow-up as written in a final summary.
struct SummaryFollowup {
  std::string title;
  std::string owner;
  TimePoint due_at{};
};

// The final summary of an incident (runbook "Communications"), required before close.
struct FinalSummary {
  int64_t incident_number = 0;
  std::string root_cause;
  std::string customer_impact;
  std::string remediation;
  std::vector<SummaryFollowup> followups;
  std::string no_followups_reason;  // required when `followups` is empty
  std::string updated_by;
  TimePoint updated_at{};
};

// What a close still needs: the names of the summary's missing parts ("summary" when there is
// none at all; else "root_cause", "customer_impact", "remediation", "followups"). A summary's
// follow-ups are complete when the incident has at least one follow-up that is not cancelled
// (`live_followups`) or the summary says why there are none. Empty: the incident may close.
std::vector<std::string> MissingSummaryParts(const FinalSummary* summary, int64_t live_followups);

}  // namespace loom
