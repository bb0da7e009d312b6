#include "core/maintenance.h"

#include <date/date.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/schedule.h"
#include "core/service.h"

namespace loom {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr size_t kMaxServices = 50;
constexpr size_t kMaxReason = 500;

// Monday = 0 ... Sunday = 6, of a date in days since 1970-01-01.
int WeekdayIndex(int64_t days) {
  const date::weekday wd{date::sys_days(date::days(days))};
  return static_cast<int>(wd.iso_encoding()) - 1;
}

// The occurrence of weekly window `w` that starts on local date `day`, before any early end;
// nullopt when `day` is not one of its days.
std::optional<TimeSpan> WeeklyOn(const WeeklyMaintenance& w, int64_t day) {
  if ((w.weekdays & (1u << WeekdayIndex(day))) == 0) return std::nullopt;
  const int64_t end_day = w.to_minute <= w.from_minute ? day + 1 : day;
  TimeSpan span{LocalTimeIn(w.time_zone, day, w.from_minute),
                LocalTimeIn(w.time_zone, end_day, w.to_minute)};
  if (span.end <= span.start) return std::nullopt;  // wholly inside a skipped hour
  return span;
}

// `span` with the window's early end applied: an early end inside it cuts it there.
std::optional<TimeSpan> Cut(const MaintenanceWindow& w, TimeSpan span) {
  if (w.ended_at && *w.ended_at >= span.start && *w.ended_at < span.end) {
    span.end = *w.ended_at;
  }
  if (span.end <= span.start) return std::nullopt;
  return span;
}

// Every occurrence of `w` (early end applied) that may contain or follow `t` within a week and
// a day, by start. A weekly occurrence starts at most a day and its DST shift before it ends.
std::vector<TimeSpan> OccurrencesAround(const MaintenanceWindow& w, TimePoint t) {
  std::vector<TimeSpan> out;
  if (w.cancelled_at) return out;
  if (!w.weekly) {
    if (auto span = Cut(w, {w.start, w.end})) out.push_back(*span);
    return out;
  }
  const int64_t today = LocalDayIn(w.weekly->time_zone, t);
  for (int64_t day = today - 2; day <= today + 8; ++day) {
    std::optional<TimeSpan> span = WeeklyOn(*w.weekly, day);
    if (!span) continue;
    if (auto cut = Cut(w, *span)) out.push_back(*cut);
  }
  return out;
}

}  // namespace

const char* MaintenanceStateName(MaintenanceState state) {
  switch (state) {
    case MaintenanceState::kScheduled: return "scheduled";
    case MaintenanceState::kActive: return "active";
    case MaintenanceState::kPast: return "past";
    case MaintenanceState::kCancelled: return "cancelled";
  }
  return "scheduled";
}

Result<WeeklyMaintenance> ParseWeeklyMaintenance(const std::string& days, const std::string& from,
                                                 const std::string& to,
                                                 const std::string& time_zone) {
  WeeklyMaintenance w;
  w.time_zone = time_zone;
  std::vector<FieldError> errors;
  if (Result<unsigned> bits = ParseWeekdays(days); bits.ok()) {
    w.weekdays = *bits;
  } else {
    errors.push_back({"/weekly/days", "must name weekdays like sat,sun or mon-fri"});
  }
  if (Result<int> m = ParseTimeOfDay(from); m.ok()) {
    w.from_minute = *m;
  } else {
    errors.push_back({"/weekly/from", "must be a time of day HH:MM"});
  }
  if (Result<int> m = ParseTimeOfDay(to); m.ok()) {
    w.to_minute = *m;
  } else {
    errors.push_back({"/weekly/to", "must be a time of day HH:MM"});
  }
  if (time_zone.empty() || !CheckTimeZone(time_zone).ok()) {
    errors.push_back({"/weekly/time_zone", "must be an IANA time zone such as Europe/Berlin"});
  }
  if (errors.empty()) return w;
  std::string message = "invalid weekly maintenance: " + errors.front().pointer.substr(8) + " " +
                        errors.front().detail;
  return Error::Invalid(std::move(message), std::move(errors));
}

std::string WeekdaysText(unsigned weekdays) {
  static const char* kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  std::string out;
  for (int i = 0; i < 7; ++i) {
    if ((weekdays & (1u << i)) == 0) continue;
    if (!out.empty()) out += ',';
    out += kNames[i];
  }
  return out;
}

std::string TimeOfDayText(int minute) {
  const int h = minute / 60;
  const int m = minute % 60;
  std::string out;
  out += static_cast<char>('0' + h / 10);
  out += static_cast<char>('0' + h % 10);
  out += ':';
  out += static_cast<char>('0' + m / 10);
  out += static_cast<char>('0' + m % 10);
  return out;
}

Status ValidateMaintenanceWindow(const MaintenanceWindow& w) {
  std::vector<FieldError> errors;
  if (w.services.empty() || w.services.size() > kMaxServices) {
    errors.push_back({"/services", "must list 1-50 service ids"});
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < w.services.size(); ++i) {
    const std::string pointer = "/services/" + std::to_string(i);
    if (!IsValidServiceId(w.services[i])) {
      errors.push_back({pointer, "is not a valid service id"});
    } else if (!seen.insert(w.services[i]).second) {
      errors.push_back({pointer, "is listed twice"});
    }
  }
  if (w.reason.empty() || w.reason.size() > kMaxReason) {
    errors.push_back({"/reason", "is required (1-500 characters)"});
  }
  if (w.weekly) {
    if (w.weekly->weekdays == 0 || w.weekly->weekdays > 0x7f) {
      errors.push_back({"/weekly/days", "must name weekdays like sat,sun or mon-fri"});
    }
    if (w.weekly->from_minute < 0 || w.weekly->from_minute >= kMinutesPerDay ||
        w.weekly->to_minute < 0 || w.weekly->to_minute >= kMinutesPerDay) {
      errors.push_back({"/weekly/from", "must be a time of day HH:MM"});
    }
    if (!CheckTimeZone(w.weekly->time_zone).ok()) {
      errors.push_back({"/weekly/time_zone", "must be an IANA time zone such as Europe/Berlin"});
    }
  } else if (w.end <= w.start) {
    errors.push_back({"/end", "must be after start"});
  }
  if (errors.empty()) return OkStatus();
  std::string message = "invalid maintenance window: " + errors.front().pointer.substr(1) + " " +
                        errors.front().detail;
  return Error::Invalid(std::move(message), std::move(errors));
}

bool MaintenanceCovers(const MaintenanceWindow& w, const std::string& service) {
  return std::find(w.services.begin(), w.services.end(), service) != w.services.end();
}

std::optional<TimeSpan> MaintenanceOccurrenceAt(const MaintenanceWindow& w, TimePoint t) {
  for (const TimeSpan& span : OccurrencesAround(w, t)) {
    if (span.start <= t && t < span.end) return span;
  }
  return std::nullopt;
}

std::optional<TimeSpan> NextMaintenanceOccurrence(const MaintenanceWindow& w, TimePoint t) {
  for (const TimeSpan& span : OccurrencesAround(w, t)) {
    if (span.end > t) return span;  // in start order: the one in effect, else the next
  }
  return std::nullopt;
}

MaintenanceState MaintenanceStateAt(const MaintenanceWindow& w, TimePoint t) {
  if (w.cancelled_at) return MaintenanceState::kCancelled;
  std::optional<TimeSpan> next = NextMaintenanceOccurrence(w, t);
  if (!next) return MaintenanceState::kPast;
  return next->start <= t ? MaintenanceState::kActive : MaintenanceState::kScheduled;
}

std::optional<MaintenanceHold> MaintenanceHoldAt(const std::vector<MaintenanceWindow>& windows,
                                                 const std::string& service, TimePoint t) {
  MaintenanceHold hold;
  bool held = false;
  for (const MaintenanceWindow& w : windows) {
    if (!MaintenanceCovers(w, service)) continue;
    if (std::optional<TimeSpan> span = MaintenanceOccurrenceAt(w, t)) {
      if (!held) hold.reason = w.reason;
      held = true;
      hold.windows.push_back(w.id);
      hold.until = std::max(hold.until, span->end);
    }
  }
  if (!held) return std::nullopt;
  std::sort(hold.windows.begin(), hold.windows.end());
  // Back-to-back windows: each pass moves `until` to a later end, or stops. The bound only
  // guards against a pathological list.
  for (size_t pass = 0; pass <= windows.size() * 8; ++pass) {
    const TimePoint before = hold.until;
    for (const MaintenanceWindow& w : windows) {
      if (!MaintenanceCovers(w, service)) continue;
      if (std::optional<TimeSpan> span = MaintenanceOccurrenceAt(w, hold.until)) {
        hold.until = std::max(hold.until, span->end);
      }
    }
    if (hold.until == before) break;
  }
  return hold;
}

std::optional<TimePoint> NextMaintenanceBoundary(const std::vector<MaintenanceWindow>& windows,
                                                 const std::string& service, TimePoint t) {
  std::optional<TimePoint> next;
  auto consider = [&](TimePoint at) {
    if (at > t && (!next || at < *next)) next = at;
  };
  for (const MaintenanceWindow& w : windows) {
    if (!MaintenanceCovers(w, service)) continue;
    for (const TimeSpan& span : OccurrencesAround(w, t)) {
      consider(span.start);
      consider(span.end);
    }
  }
  return next;
}

const MaintenanceHold* EscalationHeldBy(const Incident& inc, TimePoint now) {
  if (inc.state != IncidentState::kTriggered || !inc.maintenance) return nullptr;
  if (inc.maintenance->until <= now) return nullptr;
  return &*inc.maintenance;
}

std::optional<TimePoint> HeartbeatResumesAfter(const HeartbeatCheck& check,
                                               const std::optional<MaintenanceHold>& hold) {
  if (check.action != HeartbeatCheck::Action::kExpire || !hold) return std::nullopt;
  return hold->until;
}

}  // namespace loom
