// On-call schedules: rotation layers in a named time zone, plus overrides, answering "who is on
// call at t" and "the shifts between t1 and t2". Pure computation over the system tz database
// (Howard Hinnant's date/tz); no I/O beyond the tzdb that the library reads once.
//
// Handoffs are computed in local time: a daily 09:00 Europe/Berlin handoff stays at 09:00 local
// across daylight-saving changes, so the shift spanning the March change lasts 23 h and the one
// spanning the October change 25 h. A handoff inside a skipped hour moves to the first instant
// after the gap; one inside a repeated hour takes the earlier instant.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace loom {

// Minutes after local midnight, 0..1439 ("09:00" → 540).
Result<int> ParseTimeOfDay(const std::string& text);

// A weekly window inside which a layer is active, e.g. mon-fri 09:00-17:00. A window whose end is
// not after its start runs past midnight (22:00-06:00).
struct Restriction {
  unsigned weekdays = 0x7f;  // bit 0 = Monday ... bit 6 = Sunday
  int from_minute = 0;
  int to_minute = 0;  // == from_minute means the whole day
};

// "mon-fri", "sat,sun", "mon" → weekday bit set.
Result<unsigned> ParseWeekdays(const std::string& text);

// OK when `name` is a zone of the system tzdb ("Europe/Berlin", "UTC"); kInvalidArgument naming
// it otherwise.
Status CheckTimeZone(const std::string& name);

// Wall-clock arithmetic in a zone of the system tzdb, with the handoffs' rules (see the file
// comment), for other weekly windows (core/maintenance.h). An unknown zone counts as UTC (check
// it with CheckTimeZone first).
// The instant of local date `days` (since 1970-01-01) at `minute` after local midnight.
TimePoint LocalTimeIn(const std::string& time_zone, int64_t days, int minute);
// The local date (days since 1970-01-01) of instant `t`.
int64_t LocalDayIn(const std::string& time_zone, TimePoint t);

// "2026-11-02" → days since 1970-01-01 (a local calendar date, no zone).
Result<int64_t> ParseCivilDate(const std::string& text);

// A wall-clock date and time in some zone: "2026-12-24T18:00" (also with a ' ' separator and
// ":SS" seconds, which must be 00).
struct LocalDateTime {
  int64_t days = 0;  // since 1970-01-01
  int minute = 0;    // 0..1439
};
Result<LocalDateTime> ParseLocalDateTime(const std::string& text);

struct RotationLayer {
  std::vector<std::string> participants;       // user ids, in rotation order
  int64_t shift_length_minutes = 7 * 24 * 60;  // a multiple of hours, days or weeks
  int handoff_minute = 9 * 60;
  int64_t start_days = 0;                 // local date of the first handoff, days since epoch
  std::vector<Restriction> restrictions;  // empty = always active
};

struct Override {
  std::string user;
  TimePoint from{}, to{};  // [from, to)
};

struct Shift {
  std::string user;  // empty = nobody on call
  TimePoint start{}, end{};
  bool is_override = false;
};

class Schedule {
 public:
  // REQUIRES: `time_zone` names a zone of the system tzdb (checked: error otherwise).
  static Result<Schedule> Create(std::string id, const std::string& time_zone,
                                 std::vector<RotationLayer> layers,
                                 std::vector<Override> overrides);

  const std::string& id() const { return id_; }
  const std::string& time_zone() const { return tz_name_; }
  const std::vector<RotationLayer>& layers() const { return layers_; }

  // The user on call at `t`, or nullopt when nobody is. Later layers win over earlier ones;
  // overrides win over layers.
  std::optional<std::string> OnCallAt(TimePoint t) const;

  // The merged shifts covering [from, to): consecutive periods with the same holder are one shift;
  // periods with nobody on call are included with an empty user (coverage gaps).
  std::vector<Shift> Shifts(TimePoint from, TimePoint to) const;

  // Converts a local date and minute of day in this schedule's zone to an instant.
  TimePoint LocalToInstant(int64_t days, int minute) const;

 private:
  Schedule() = default;
  std::optional<std::string> LayerAt(const RotationLayer& layer, TimePoint t) const;
  bool Active(const RotationLayer& layer, TimePoint t) const;
  void LayerBoundaries(const RotationLayer& layer, TimePoint from, TimePoint to,
                       std::vector<TimePoint>* out) const;

  std::string id_;
  std::string tz_name_;
  const void* zone_ =
      nullptr;  // const date::time_zone*, kept opaque to keep date/tz out of headers
  std::vector<RotationLayer> layers_;
  std::vector<Override> overrides_;
};

// Business hours of a service: weekly hours in a time zone plus holiday dates.
class BusinessCalendar {
 public:
  // days: "mon-fri"; from/to: "09:00"/"17:00"; holidays: "2026-12-25".
  static Result<BusinessCalendar> Create(const std::string& time_zone, const std::string& days,
                                         const std::string& from, const std::string& to,
                                         const std::vector<std::string>& holidays);

  bool IsOpen(TimePoint t) const;
  // The instant when `amount` of business time has passed after `start` (counting only open time).
  TimePoint AddBusinessTime(TimePoint start, Duration amount) const;
  // Length of one business day's window (to - from).
  Duration DayLength() const;

 private:
  BusinessCalendar() = default;
  bool OpenOn(int64_t local_days) const;

  const void* zone_ = nullptr;
  unsigned weekdays_ = 0;
  int from_minute_ = 0, to_minute_ = 0;
  std::vector<int64_t> holidays_;  // local days since epoch, sorted
};

}  // namespace loom
