#include "core/drill.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>

namespace loom {

Result<DrillInterval> ParseDrillInterval(std::string_view text) {
  const Error bad = Error::Invalid("'" + std::string(text) +
                                   "' is not a drill interval (e.g. \"1 month\", \"2 weeks\", "
                                   "\"30 days\")");
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  int count = 0;
  auto [p, ec] = std::from_chars(text.data() + i, text.data() + text.size(), count);
  if (ec != std::errc() || count < 1 || count > 365) return bad;
  std::string unit(p, text.data() + text.size());
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  DrillInterval out;
  out.count = count;
  if (unit == "month" || unit == "months") {
    out.unit = DrillInterval::Unit::kMonth;
  } else if (unit == "week" || unit == "weeks") {
    out.unit = DrillInterval::Unit::kWeek;
  } else if (unit == "day" || unit == "days") {
    out.unit = DrillInterval::Unit::kDay;
  } else {
    return bad;
  }
  return out;
}

std::string DrillIntervalText(const DrillInterval& interval) {
  const char* unit = interval.unit == DrillInterval::Unit::kMonth  ? "month"
                     : interval.unit == DrillInterval::Unit::kWeek ? "week"
                                                                   : "day";
  return std::to_string(interval.count) + " " + unit + (interval.count == 1 ? "" : "s");
}

TimePoint AddDrillInterval(TimePoint t, const DrillInterval& interval) {
  using namespace std::chrono;
  switch (interval.unit) {
    case DrillInterval::Unit::kDay: return t + days(interval.count);
    case DrillInterval::Unit::kWeek: return t + weeks(interval.count);
    case DrillInterval::Unit::kMonth: break;
  }
  const sys_days day = floor<days>(t);
  const auto time_of_day = t - day;
  year_month_day ymd{day};
  ymd += months(interval.count);
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / last;  // Jan 31 + 1 month = Feb 28/29
  return sys_days(ymd) + time_of_day;
}

bool CountsInResponseStats(const Incident& incident) { return !incident.drill; }

NextDrill PlanNextDrill(const std::vector<DrillRecord>& drills, const DrillSettings& settings,
                        TimePoint anchor, TimePoint now) {
  NextDrill next;
  const DrillRecord* latest = nullptr;
  for (const DrillRecord& d : drills) {
    if (latest == nullptr || d.started_at > latest->started_at) latest = &d;
  }
  next.due_at = AddDrillInterval(latest != nullptr ? latest->started_at : anchor, settings.every);
  next.scenario = settings.alternate.front();
  if (latest != nullptr) {
    auto it = std::find(settings.alternate.begin(), settings.alternate.end(), latest->scenario);
    if (it != settings.alternate.end()) {
      ++it;
      next.scenario = it == settings.alternate.end() ? settings.alternate.front() : *it;
    }
  }
  next.overdue = next.due_at <= now;
  return next;
}

bool DrillsAlternate(std::vector<DrillRecord> drills) {
  std::sort(drills.begin(), drills.end(),
            [](const DrillRecord& a, const DrillRecord& b) { return a.started_at < b.started_at; });
  for (size_t i = 1; i < drills.size(); ++i) {
    if (drills[i].scenario == drills[i - 1].scenario) return false;
  }
  return true;
}

}  // namespace loom
