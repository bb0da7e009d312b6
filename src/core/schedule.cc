#include "core/schedule.h"

// date/tz's parser trips g++ 12's -Wmaybe-uninitialized inside its own code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <date/tz.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <cctype>
#include <sstream>
#include <utility>

namespace loom {
namespace {

using std::chrono::duration_cast;
using std::chrono::floor;
using std::chrono::microseconds;
using std::chrono::minutes;
using LocalMinutes = date::local_time<minutes>;

const date::time_zone* Zone(const void* z) { return static_cast<const date::time_zone*>(z); }

Result<const date::time_zone*> FindZone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return Error::Invalid("unknown time zone '" + name + "' (use an IANA name like Europe/Berlin)");
  }
}

// Local wall time → instant: the earlier instant of a repeated hour, the first instant after a
// skipped one.
TimePoint LocalToSys(const date::time_zone* z, LocalMinutes lt) {
  date::local_info info = z->get_info(lt);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
      return TimePoint(duration_cast<microseconds>(lt.time_since_epoch() - info.first.offset));
    case date::local_info::nonexistent:
      return std::chrono::time_point_cast<microseconds>(info.first.end);
  }
  return TimePoint{};
}

date::local_time<microseconds> SysToLocal(const date::time_zone* z, TimePoint t) {
  return z->to_local(t);
}

int64_t LocalDay(const date::time_zone* z, TimePoint t) {
  return floor<date::days>(SysToLocal(z, t)).time_since_epoch().count();
}

int MinuteOfDay(const date::time_zone* z, TimePoint t) {
  auto lt = SysToLocal(z, t);
  auto day = floor<date::days>(lt);
  return static_cast<int>(floor<minutes>(lt - day).count());
}

// Monday = 0 ... Sunday = 6.
int WeekdayIndex(int64_t local_days) {
  date::weekday wd{date::sys_days(date::days(local_days))};
  return static_cast<int>(wd.iso_encoding()) - 1;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// How many local days from an instant's own local day a handoff or window that contains it may
// belong to: a local time's instant lies less than a day from its wall-clock reading.
constexpr int64_t kDayMargin = 2;

// The window of `r` that opens on local day `day`, as the instants [open, close) of its local
// opening and closing times (LocalToSys: a skipped time is the first instant after the gap, a
// repeated one its first occurrence). A window is a span of instants, not of wall-clock readings:
// one that closes at 01:30 on a day 01:00-02:00 happens twice stays closed through the second
// 01:00-01:30, and one lying wholly inside a skipped hour is empty. Active and the boundaries of
// Shifts both use it, so paging, /v1/oncall, /shifts and the calendar feeds agree.
std::pair<TimePoint, TimePoint> WindowOn(const date::time_zone* z, const Restriction& r,
                                         int64_t day) {
  auto at = [z](int64_t d, int minute) {
    return LocalToSys(z, LocalMinutes(date::days(d)) + minutes(minute));
  };
  if (r.from_minute == r.to_minute) return {at(day, 0), at(day + 1, 0)};  // the whole day
  const int64_t end_day = r.to_minute < r.from_minute ? day + 1 : day;    // past midnight
  return {at(day, r.from_minute), at(end_day, r.to_minute)};
}

}  // namespace

Result<int> ParseTimeOfDay(const std::string& text) {
  int h = 0, m = 0;
  char colon = 0;
  std::istringstream in(text);
  if (text.size() != 5 || !(in >> h >> colon >> m) || colon != ':' || h < 0 || h > 23 || m < 0 ||
      m > 59) {
    return Error::Invalid("'" + text + "' is not a time of day HH:MM");
  }
  return h * 60 + m;
}

Result<unsigned> ParseWeekdays(const std::string& text) {
  static const char* kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto index = [](const std::string& name) -> int {
    for (int i = 0; i < 7; ++i) {
      if (name == kNames[i]) return i;
    }
    return -1;
  };
  unsigned bits = 0;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part.erase(std::remove_if(part.begin(), part.end(), ::isspace), part.end());
    std::transform(part.begin(), part.end(), part.begin(), ::tolower);
    auto dash = part.find('-');
    int a = index(part.substr(0, dash));
    int b = dash == std::string::npos ? a : index(part.substr(dash + 1));
    if (a < 0 || b < 0) {
      return Error::Invalid("'" + text + "' is not a list of weekdays like mon-fri or sat,sun");
    }
    for (int i = a;; i = (i + 1) % 7) {
      bits |= 1u << i;
      if (i == b) break;
    }
  }
  if (bits == 0) return Error::Invalid("no weekdays in '" + text + "'");
  return bits;
}

Status CheckTimeZone(const std::string& name) {
  auto zone = FindZone(name);
  if (!zone.ok()) return std::move(zone).error();
  return OkStatus();
}

namespace {
const date::time_zone* ZoneOrUtc(const std::string& name) {
  auto zone = FindZone(name);
  return zone.ok() ? *zone : date::locate_zone("UTC");
}
}  // namespace

TimePoint LocalTimeIn(const std::string& time_zone, int64_t days, int minute) {
  return LocalToSys(ZoneOrUtc(time_zone), LocalMinutes(date::days(days)) + minutes(minute));
}

int64_t LocalDayIn(const std::string& time_zone, TimePoint t) {
  return LocalDay(ZoneOrUtc(time_zone), t);
}

Result<int64_t> ParseCivilDate(const std::string& text) {
  std::istringstream in(text);
  date::year_month_day ymd{};
  in >> date::parse("%F", ymd);
  if (text.size() != 10 || in.fail() || !ymd.ok() || in.peek() != std::char_traits<char>::eof()) {
    return Error::Invalid("'" + text + "' is not a date YYYY-MM-DD");
  }
  return static_cast<int64_t>(date::sys_days(ymd).time_since_epoch().count());
}

Result<LocalDateTime> ParseLocalDateTime(const std::string& text) {
  const std::string why = "'" + text + "' is not a local date and time like 2026-12-24T18:00";
  if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ')) return Error::Invalid(why);
  auto days = ParseCivilDate(text.substr(0, 10));
  auto minute = ParseTimeOfDay(text.substr(11, 5));
  const std::string rest = text.substr(16);
  if (!days.ok() || !minute.ok() || !(rest.empty() || rest == ":00")) return Error::Invalid(why);
  return LocalDateTime{*days, *minute};
}

Result<Schedule> Schedule::Create(std::string id, const std::string& time_zone,
                                  std::vector<RotationLayer> layers,
                                  std::vector<Override> overrides) {
  auto zone = FindZone(time_zone);
  if (!zone.ok()) return std::move(zone).error();
  for (const auto& layer : layers) {
    if (layer.participants.empty()) {
      return Error::Invalid("schedule " + id + ": a layer needs at least one participant");
    }
    if (layer.shift_length_minutes < 60 || layer.shift_length_minutes % 60 != 0) {
      return Error::Invalid("schedule " + id + ": shift length must be whole hours, days or weeks");
    }
  }
  for (const auto& o : overrides) {
    if (!(o.from < o.to)) {
      return Error::Invalid("schedule " + id + ": override for " + o.user +
                            " ends before it starts");
    }
  }
  Schedule s;
  s.id_ = std::move(id);
  s.tz_name_ = time_zone;
  s.zone_ = *zone;
  s.layers_ = std::move(layers);
  s.overrides_ = std::move(overrides);
  return s;
}

TimePoint Schedule::LocalToInstant(int64_t days, int minute) const {
  return LocalToSys(Zone(zone_), LocalMinutes(date::days(days)) + minutes(minute));
}

bool Schedule::Active(const RotationLayer& layer, TimePoint t) const {
  if (layer.restrictions.empty()) return true;
  const auto* z = Zone(zone_);
  const int64_t day = LocalDay(z, t);
  for (int64_t d = day - kDayMargin; d <= day + kDayMargin; ++d) {
    for (const auto& r : layer.restrictions) {
      if (!(r.weekdays & (1u << WeekdayIndex(d)))) continue;
      auto [open, close] = WindowOn(z, r, d);
      if (open <= t && t < close) return true;
    }
  }
  return false;
}

std::optional<std::string> Schedule::LayerAt(const RotationLayer& layer, TimePoint t) const {
  const auto* z = Zone(zone_);
  const int64_t len = layer.shift_length_minutes;
  const int64_t start_min = layer.start_days * 1440 + layer.handoff_minute;
  auto shift_start = [&](int64_t k) {
    return LocalToSys(z, LocalMinutes(minutes(start_min + k * len)));
  };
  int64_t local_min = floor<minutes>(SysToLocal(z, t)).time_since_epoch().count();
  int64_t k = FloorDiv(local_min - start_min, len);
  while (shift_start(k) > t) --k;
  while (shift_start(k + 1) <= t) ++k;
  if (k < 0 || !Active(layer, t)) return std::nullopt;
  return layer
      .participants[static_cast<size_t>(k % static_cast<int64_t>(layer.participants.size()))];
}

std::optional<std::string> Schedule::OnCallAt(TimePoint t) const {
  for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
    if (it->from <= t && t < it->to) return it->user;
  }
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (auto user = LayerAt(*it, t)) return user;
  }
  return std::nullopt;
}

void Schedule::LayerBoundaries(const RotationLayer& layer, TimePoint from, TimePoint to,
                               std::vector<TimePoint>* out) const {
  const auto* z = Zone(zone_);
  const int64_t len = layer.shift_length_minutes;
  const int64_t start_min = layer.start_days * 1440 + layer.handoff_minute;
  // Every handoff in [from, to]: its instant lies less than kDayMargin days from its local time.
  const int64_t margin = 1 + kDayMargin * 1440 / len;
  int64_t first =
      FloorDiv(floor<minutes>(SysToLocal(z, from)).time_since_epoch().count() - start_min, len) -
      margin;
  int64_t last =
      FloorDiv(floor<minutes>(SysToLocal(z, to)).time_since_epoch().count() - start_min, len) +
      margin;
  for (int64_t k = std::max<int64_t>(first, 0); k <= last; ++k) {
    out->push_back(LocalToSys(z, LocalMinutes(minutes(start_min + k * len))));
  }
  // Every opening and closing of a restriction window, the instants Active compares with.
  if (!layer.restrictions.empty()) {
    for (int64_t d = LocalDay(z, from) - kDayMargin; d <= LocalDay(z, to) + kDayMargin; ++d) {
      for (const auto& r : layer.restrictions) {
        if (!(r.weekdays & (1u << WeekdayIndex(d)))) continue;
        auto [open, close] = WindowOn(z, r, d);
        out->push_back(open);
        out->push_back(close);
      }
    }
  }
}

std::vector<Shift> Schedule::Shifts(TimePoint from, TimePoint to) const {
  std::vector<TimePoint> cuts = {from, to};
  for (const auto& layer : layers_) LayerBoundaries(layer, from, to, &cuts);
  for (const auto& o : overrides_) {
    cuts.push_back(o.from);
    cuts.push_back(o.to);
  }
  std::erase_if(cuts, [&](TimePoint c) { return c < from || c > to; });
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  // The holder changes only at the cuts (see Active), so each piece has its first instant's.
  std::vector<Shift> out;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    TimePoint t = cuts[i];
    bool is_override = false;
    for (const auto& o : overrides_) {
      if (o.from <= t && t < o.to) is_override = true;
    }
    std::string user = OnCallAt(t).value_or("");
    if (!out.empty() && out.back().user == user && out.back().is_override == is_override) {
      out.back().end = cuts[i + 1];
    } else {
      out.push_back(Shift{user, t, cuts[i + 1], is_override});
    }
  }
  return out;
}

Result<BusinessCalendar> BusinessCalendar::Create(const std::string& time_zone,
                                                  const std::string& days, const std::string& from,
                                                  const std::string& to,
                                                  const std::vector<std::string>& holidays) {
  auto zone = FindZone(time_zone);
  if (!zone.ok()) return std::move(zone).error();
  auto wd = ParseWeekdays(days);
  if (!wd.ok()) return std::move(wd).error();
  auto f = ParseTimeOfDay(from);
  if (!f.ok()) return std::move(f).error();
  auto t = ParseTimeOfDay(to);
  if (!t.ok()) return std::move(t).error();
  if (*t <= *f) return Error::Invalid("business hours must end after they start");
  BusinessCalendar cal;
  cal.zone_ = *zone;
  cal.weekdays_ = *wd;
  cal.from_minute_ = *f;
  cal.to_minute_ = *t;
  for (const auto& h : holidays) {
    std::istringstream in(h);
    date::year_month_day ymd{};
    in >> date::parse("%F", ymd);
    if (in.fail() || !ymd.ok())
      return Error::Invalid("holiday '" + h + "' is not a date YYYY-MM-DD");
    cal.holidays_.push_back(date::sys_days(ymd).time_since_epoch().count());
  }
  std::sort(cal.holidays_.begin(), cal.holidays_.end());
  return cal;
}

bool BusinessCalendar::OpenOn(int64_t local_days) const {
  if (!(weekdays_ & (1u << WeekdayIndex(local_days)))) return false;
  return !std::binary_search(holidays_.begin(), holidays_.end(), local_days);
}

bool BusinessCalendar::IsOpen(TimePoint t) const {
  const auto* z = Zone(zone_);
  int64_t day = LocalDay(z, t);
  int m = MinuteOfDay(z, t);
  return OpenOn(day) && m >= from_minute_ && m < to_minute_;
}

Duration BusinessCalendar::DayLength() const { return minutes(to_minute_ - from_minute_); }

TimePoint BusinessCalendar::AddBusinessTime(TimePoint start, Duration amount) const {
  const auto* z = Zone(zone_);
  TimePoint t = start;
  Duration remaining = amount;
  int64_t day = LocalDay(z, t);
  // Ten years of closed days would mean a calendar with no open time; stop rather than spin.
  for (int guard = 0; guard < 3660; ++guard, ++day) {
    if (!OpenOn(day)) continue;
    TimePoint open = LocalToSys(z, LocalMinutes(date::days(day)) + minutes(from_minute_));
    TimePoint close = LocalToSys(z, LocalMinutes(date::days(day)) + minutes(to_minute_));
    if (t < open) t = open;
    if (t >= close) continue;
    if (remaining <= close - t) return t + remaining;
    remaining -= close - t;
    t = close;
  }
  return start + amount;
}

}  // namespace loom
