// What incident reads take and give: the list filter and page, an incident with its timeline
// and first alerts, and the reports' window and rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/alert.h"
#include "core/incident.h"
#include "core/timeline.h"

namespace loom {

struct IncidentFilter {
  std::optional<IncidentState> state;
  std::optional<Severity> severity;
  std::string service_id;     // empty = all
  bool open_only = false;     // triggered, acknowledged or mitigated
  std::optional<bool> drill;  // only drills (true) or only real incidents (false); nullopt = all
  int limit = 50;             // 1..500
  int64_t before_number = 0;  // cursor: only incidents with number < this; 0 = from the newest
};

struct IncidentPage {
  std::vector<Incident> incidents;  // newest first
  std::optional<int64_t> next_cursor;
};

// What the reports cover (GET /v1/reports/*): the incidents created in [from, to) of one service
// ("" = all), drills left out.
struct ReportWindow {
  TimePoint from{}, to{};
  std::string service_id;
};

// An incident as the response report reads it: the row and its first acknowledgement.
struct ReportIncident {
  Incident incident;
  std::string first_ack_actor;  // the timeline actor, e.g. "user:alice"; "" when never acknowledged
  std::optional<TimePoint> first_ack_at;
};

// How many member alerts GetIncident reads; the rest through ListAlerts (oldest_first).
inline constexpr int kIncidentDetailAlerts = 100;

struct IncidentDetail {
  Incident incident;
  std::vector<TimelineEvent> timeline;  // by seq
  // The first kIncidentDetailAlerts member alerts, oldest first; when more follow, `alerts_next`
  // is the after_id of the next page.
  std::vector<Alert> alerts;
  std::optional<int64_t> alerts_next;
};

}  // namespace loom
