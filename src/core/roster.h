// Roster: the current on-call picture — users, schedules with their overrides, each service's
// role → schedule map and business hours, teams — as one immutable snapshot that every surface
// (API, CLI, iCal, the escalation engine) reads, so they never disagree.
//
// Thread safety: OnCallSnapshot is immutable. Roster::Current/Replace are safe from any thread; a
// reader keeps the snapshot it got alive for as long as it holds the pointer.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/oncall.h"
#include "core/schedule.h"
#include "core/team.h"
#include "core/user.h"

namespace loom {

struct OnCallSnapshot {
  OnCallSnapshot(OnCallResolver resolver, std::map<std::string, User> users,
                 std::map<std::string, BusinessCalendar> business_hours)
      : resolver(std::move(resolver)),
        users(std::move(users)),
        business_hours(std::move(business_hours)) {}

  OnCallResolver resolver;
  std::map<std::string, User> users;                       // by user id
  std::map<std::string, BusinessCalendar> business_hours;  // by service id
  // `teams:` and the team of each service and schedule (empty: no teams, the global role decides).
  TeamDirectory teams;

  const User* FindUser(const std::string& id) const;
  // The service's business hours, or nullptr (business time then counts as wall time).
  const BusinessCalendar* CalendarOf(const std::string& service_id) const;
};

// An empty snapshot: no users, no schedules (every role resolves to nobody).
std::shared_ptr<const OnCallSnapshot> EmptyOnCallSnapshot();

class Roster {
 public:
  explicit Roster(std::shared_ptr<const OnCallSnapshot> snapshot);

  std::shared_ptr<const OnCallSnapshot> Current() const;
  void Replace(std::shared_ptr<const OnCallSnapshot> snapshot);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const OnCallSnapshot> snapshot_;
};

}  // namespace loom
