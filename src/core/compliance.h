// Live compliance with the runbook, computed from the stored incidents (GET
// /v1/reports/compliance, `check incident-response --server`):
//
//   ack times     per severity, over the non-drill incidents opened in the window: how long from
//                 trigger to acknowledgement (median, p90 by nearest rank, share within the
//                 severity's ack target, count); incidents never acknowledged are counted apart.
//   update cadence per severity with a live cadence: each acknowledged incident's open time is cut
//                 into intervals at its acknowledgement, its status updates and its end (resolve,
//                 or now while open). An interval is kept when it is no longer than the cadence;
//                 the last interval of an open incident counts only once it is longer (missed).
//   drills        in the last 30 and 60 days, and whether consecutive ones alternate scenarios.
//   coverage      per service and role, the intervals of the next 14 days with nobody on call
//                 (sampled at shift boundaries).
//
// Drills never count in the response figures (CountsInResponseStats). Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/drill.h"
#include "core/incident.h"
#include "core/oncall.h"
#include "core/severity_policy.h"
#include "core/timeline.h"

namespace loom {

struct IncidentHistory {
  Incident incident;
  std::vector<TimelineEvent> timeline;  // by seq
};

struct AckFigures {
  Severity severity = Severity::kSev1;
  int64_t count = 0;           // acknowledged incidents
  int64_t unacknowledged = 0;  // incidents in the window never acknowledged
  std::optional<double> median_seconds, p90_seconds;
  std::optional<double> share_within_target;  // 0..1; nullopt when count == 0
  std::optional<int64_t> target_seconds;      // nullopt when the target is not wall time
};

struct CadenceFigures {
  Severity severity = Severity::kSev1;
  int64_t cadence_seconds = 0;
  int64_t intervals = 0;
  int64_t within_cadence = 0;
  std::optional<double> share_within_cadence;  // nullopt when intervals == 0
};

struct DrillFigures {
  int64_t last_30_days = 0;
  int64_t last_60_days = 0;
  bool alternating = true;  // DrillsAlternate over the last 60 days
};

struct CoverageGap {
  std::string service;
  OnCallRole role = OnCallRole::kPrimary;
  TimePoint from{}, to{};
  bool scheduled = true;  // false: the service has no schedule for the role at all
};

struct ComplianceReport {
  TimePoint generated_at{};
  TimePoint window_from{};  // response figures cover incidents opened since then
  int64_t incidents_counted = 0;
  int64_t drills_excluded = 0;  // drill incidents in the window, left out of the figures
  std::vector<AckFigures> ack;  // sev1..sev4
  std::vector<CadenceFigures> cadence;
  DrillFigures drills;
  TimePoint coverage_until{};
  std::vector<CoverageGap> coverage_gaps;
};

inline constexpr int kComplianceWindowDays = 30;
inline constexpr int kCoverageDays = 14;

// `incidents`: every incident opened since now - window_days (drills included: they are counted
// apart); `drills`: the drills of at least the last 60 days; `services`: the services whose
// coverage is checked.
ComplianceReport ComputeCompliance(const std::vector<IncidentHistory>& incidents,
                                   const std::vector<DrillRecord>& drills,
                                   const SeverityPolicy& policy, const OnCallResolver& oncall,
                                   const std::vector<std::string>& services, TimePoint now,
                                   int window_days = kComplianceWindowDays);

}  // namespace loom
