// OnCallResolver: the one answer to "who holds role R of service S at instant t, and until when".
// Every surface (API, CLI, iCal, paging) asks this object, so they never disagree.
//
// Thread safety: immutable after construction; share a const instance (replace it whole when
// schedules change).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/escalation.h"
#include "core/schedule.h"

namespace loom {

struct RoleHolder {
  OnCallRole role;
  std::string schedule_id;          // empty when the service has no schedule for the role
  std::optional<std::string> user;  // nullopt: nobody on call (a coverage gap)
  // When the holder changes: the end of this person's turn (or of the gap), overrides and
  // consecutive shifts of the same person included; nullopt when that is beyond kHorizon.
  std::optional<TimePoint> until;
};

class OnCallResolver {
 public:
  // service id → role → schedule id
  using RoleMap = std::map<std::string, std::map<OnCallRole, std::string>>;

  OnCallResolver(std::vector<Schedule> schedules, RoleMap roles);

  const Schedule* FindSchedule(const std::string& id) const;
  const std::vector<Schedule>& schedules() const { return schedules_; }
  bool HasService(const std::string& service_id) const { return roles_.count(service_id) > 0; }

  RoleHolder Resolve(const std::string& service_id, OnCallRole role, TimePoint t) const;
  // Only who holds the role at `t` (nullopt: nobody) — without the end of the shift, which
  // Resolve looks up to kHorizon ahead. What paging needs, and much cheaper.
  std::optional<std::string> HolderAt(const std::string& service_id, OnCallRole role,
                                      TimePoint t) const;
  std::vector<RoleHolder> ResolveAll(const std::string& service_id, TimePoint t) const;

  // How far ahead `until` looks for the end of the current turn.
  static constexpr Duration kHorizon = std::chrono::hours(24 * 90);

 private:
  std::vector<Schedule> schedules_;
  RoleMap roles_;
};

}  // namespace loom
