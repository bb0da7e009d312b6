// The drill program (runbook "Drill Program"): at least one tabletop drill per interval
// (default: every month), alternating the scenario (default: availability, security). A drill
// runs as an incident flagged `drill`; drills never count in response statistics.
//
// Pure domain: no I/O. Thread safety: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/incident.h"

namespace loom {

// "1 month", "2 weeks", "30 days" (singular or plural unit; count 1..365).
struct DrillInterval {
  enum class Unit { kDay, kWeek, kMonth };
  int count = 1;
  Unit unit = Unit::kMonth;
};
Result<DrillInterval> ParseDrillInterval(std::string_view text);
std::string DrillIntervalText(const DrillInterval& interval);  // "1 month", "2 weeks"
// `t` plus the interval; months are calendar months in UTC (Jan 31 + 1 month = Feb 28/29).
TimePoint AddDrillInterval(TimePoint t, const DrillInterval& interval);

// The `drills:` configuration section.
struct DrillSettings {
  // Where finished drills' notes are written (by the server process: relative paths are relative
  // to the server's working directory).
  std::string dir = "ops/incidents/drills";
  DrillInterval every;
  // The scenarios in rotation; each is "availability" or "security".
  std::vector<IncidentKind> alternate = {IncidentKind::kAvailability, IncidentKind::kSecurity};
  // The service whose escalation manager hears about an overdue drill, and the default service of
  // a drill.
  std::string service = "loom";
};

// False for drills: every response statistic (ack times, update cadence, reports) leaves them out.
bool CountsInResponseStats(const Incident& incident);

// One past (or running) drill, as the schedule sees it.
struct DrillRecord {
  int64_t number = 0;
  IncidentKind scenario = IncidentKind::kAvailability;
  TimePoint started_at{};
};

struct NextDrill {
  TimePoint due_at{};
  IncidentKind scenario = IncidentKind::kAvailability;
  bool overdue = false;  // due_at <= now
};

// The next drill: one interval after the latest drill's start (or after `anchor`, when the
// schedule started, if there was none), with the scenario after the latest one's in the rotation.
// REQUIRES: settings.alternate is not empty.
NextDrill PlanNextDrill(const std::vector<DrillRecord>& drills, const DrillSettings& settings,
                        TimePoint anchor, TimePoint now);

// True when no two consecutive drills (by start) share a scenario. Vacuously true for 0 or 1.
bool DrillsAlternate(std::vector<DrillRecord> drills);

}  // namespace loom
