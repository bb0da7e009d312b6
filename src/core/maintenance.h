// Maintenance windows (docs/maintenance.md): planned work on services during which incidents
// open as usual but nobody is paged and no escalation step fires; when the window ends, each
// incident still triggered starts (or resumes) its escalation then. Heartbeats of a service in
// maintenance do not expire.
//
// A window is one-off ([start, end)) or weekly: on each of its weekdays, from a wall-clock time
// to another in an IANA time zone (a `to` not after `from` runs past midnight; `from == to` is 24
// hours). Wall-clock times follow the zone across daylight-saving changes with the on-call
// schedules' rules (core/schedule.h): a time inside a skipped hour is the first instant after the
// gap, a repeated time its earlier instant. Ending a window early ends a one-off window, or the
// occurrence of a weekly one in effect then (the next occurrences stay). A cancelled window
// (deleted before it started) has no occurrence.
//
// The rules here are pure: the store hands the windows of a service to MaintenanceHoldAt, and the
// escalation engine asks EscalationHeldBy whether a step may run (engine/deadline_rules.cc).
//
// Thread safety: plain values and stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/heartbeat.h"
#include "core/incident.h"
#include "core/maintenance_hold.h"

namespace loom {

// Where a window was defined: the top-level `maintenance:` list (re-applied at every start) or
// the API.
inline constexpr char kMaintenanceFromConfig[] = "config";
inline constexpr char kMaintenanceFromApi[] = "api";

struct WeeklyMaintenance {
  unsigned weekdays = 0;  // bit 0 = Monday ... bit 6 = Sunday: the days an occurrence starts on
  int from_minute = 0;    // minutes after local midnight
  int to_minute = 0;      // not after from_minute: the next day
  std::string time_zone;  // IANA name
};

struct MaintenanceWindow {
  int64_t id = 0;         // assigned by the store
  std::string config_id;  // a configured window's `id` ("" for the API's)
  std::vector<std::string> services;
  std::string reason;
  TimePoint start{}, end{};                 // a one-off window: [start, end)
  std::optional<WeeklyMaintenance> weekly;  // set: a weekly window (start/end unused)
  std::string source = kMaintenanceFromApi;
  std::string created_by;  // the actor: "token:<name>", "user:<id>", "config"
  TimePoint created_at{};
  std::optional<TimePoint> ended_at;  // ended early (the occurrence in effect then, if weekly)
  std::string ended_by;
  std::optional<TimePoint> cancelled_at;  // deleted before it started
  std::string cancelled_by;
};

// An interval of instants [start, end).
struct TimeSpan {
  TimePoint start{}, end{};
};

enum class MaintenanceState {
  kScheduled,  // "scheduled": its (next) occurrence has not started
  kActive,     // "active": an occurrence is in effect
  kPast,       // "past": a one-off window that is over (its end, or ended early)
  kCancelled,  // "cancelled": deleted before it started
};
const char* MaintenanceStateName(MaintenanceState state);

// The weekly fields: days "sat,sun" / "mon-fri" (core/schedule.h ParseWeekdays), from/to
// "HH:MM", a zone of the system tzdb. kInvalidArgument with field pointers "/weekly/days",
// "/weekly/from", "/weekly/to", "/weekly/time_zone".
Result<WeeklyMaintenance> ParseWeeklyMaintenance(const std::string& days, const std::string& from,
                                                 const std::string& to,
                                                 const std::string& time_zone);
// "mon,wed,sat" for a weekday bit set.
std::string WeekdaysText(unsigned weekdays);
// "02:30" for 150.
std::string TimeOfDayText(int minute);

// kInvalidArgument (pointers "/services", "/services/N", "/reason", "/end", "/weekly/...") when
// `w` breaks a rule: 1-50 distinct valid service ids, a reason of 1-500 characters, a one-off end
// after its start, a weekly window with days and a known zone. Whether the services exist is the
// store's check.
Status ValidateMaintenanceWindow(const MaintenanceWindow& w);

bool MaintenanceCovers(const MaintenanceWindow& w, const std::string& service);

// The occurrence of `w` in effect at `t` (start <= t < end, an early end applied); nullopt when
// none is.
std::optional<TimeSpan> MaintenanceOccurrenceAt(const MaintenanceWindow& w, TimePoint t);
// The occurrence in effect at `t`, else the first to start after `t`; nullopt when there is none
// (a one-off window that is over, a cancelled one).
std::optional<TimeSpan> NextMaintenanceOccurrence(const MaintenanceWindow& w, TimePoint t);
MaintenanceState MaintenanceStateAt(const MaintenanceWindow& w, TimePoint t);

// Whether `service` is in maintenance at `t` under `windows`, and until when: the latest end of
// the occurrences in effect, extended by every occurrence (of any of the windows) in effect at
// that end, so back-to-back windows hold the service without a gap. nullopt when it is not.
std::optional<MaintenanceHold> MaintenanceHoldAt(const std::vector<MaintenanceWindow>& windows,
                                                 const std::string& service, TimePoint t);
// The first instant after `t` at which an occurrence of a window covering `service` starts or
// ends; nullopt when there is none.
std::optional<TimePoint> NextMaintenanceBoundary(const std::vector<MaintenanceWindow>& windows,
                                                 const std::string& service, TimePoint t);

// The escalation rule: a step of the escalation of `inc` due at `now` does not run while its
// service is in maintenance (inc.maintenance, filled by the store) and the incident is triggered;
// it is due again at the hold's `until`. Answers the hold, or nullptr when the step runs.
const MaintenanceHold* EscalationHeldBy(const Incident& inc, TimePoint now);

// The heartbeat rule: a heartbeat of a service in maintenance does not expire. When `check`
// expires it and `hold` is set, the heartbeat resumes when the maintenance ends, as after a
// restart (its expiry interval + grace after hold->until): answers that resume instant.
// nullopt when `check` stands.
std::optional<TimePoint> HeartbeatResumesAfter(const HeartbeatCheck& check,
                                               const std::optional<MaintenanceHold>& hold);

}  // namespace loom
