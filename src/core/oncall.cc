#include "core/oncall.h"

#include <algorithm>

namespace loom {
namespace {

// The end of the turn of `holder` ("" = nobody), on call at `t`: the first instant after `t` with
// another holder, nullopt when there is none within the horizon (a one-person rotation). Read from
// the shift list, which names OnCallAt's holder for every instant: a day of it, then two, four...
std::optional<TimePoint> TurnEnd(const Schedule& schedule, TimePoint t, const std::string& holder) {
  const TimePoint limit = t + OnCallResolver::kHorizon;
  Duration step = std::chrono::hours(24);
  for (TimePoint from = t; from < limit; from += step, step *= 2) {
    for (const Shift& s : schedule.Shifts(from, std::min(from + step, limit))) {
      if (s.user != holder) return s.start;
    }
  }
  if (schedule.OnCallAt(limit).value_or("") != holder) return limit;  // ends at the horizon
  return std::nullopt;
}

}  // namespace

OnCallResolver::OnCallResolver(std::vector<Schedule> schedules, RoleMap roles)
    : schedules_(std::move(schedules)), roles_(std::move(roles)) {}

const Schedule* OnCallResolver::FindSchedule(const std::string& id) const {
  for (const auto& s : schedules_) {
    if (s.id() == id) return &s;
  }
  return nullptr;
}

RoleHolder OnCallResolver::Resolve(const std::string& service_id, OnCallRole role,
                                   TimePoint t) const {
  RoleHolder holder{role, "", std::nullopt, std::nullopt};
  auto service = roles_.find(service_id);
  if (service == roles_.end()) return holder;
  auto it = service->second.find(role);
  if (it == service->second.end()) return holder;
  holder.schedule_id = it->second;
  const Schedule* schedule = FindSchedule(it->second);
  if (schedule == nullptr) return holder;
  holder.user = schedule->OnCallAt(t);
  holder.until = TurnEnd(*schedule, t, holder.user.value_or(""));
  return holder;
}

std::optional<std::string> OnCallResolver::HolderAt(const std::string& service_id, OnCallRole role,
                                                    TimePoint t) const {
  auto service = roles_.find(service_id);
  if (service == roles_.end()) return std::nullopt;
  auto it = service->second.find(role);
  if (it == service->second.end()) return std::nullopt;
  const Schedule* schedule = FindSchedule(it->second);
  if (schedule == nullptr) return std::nullopt;
  return schedule->OnCallAt(t);
}

std::vector<RoleHolder> OnCallResolver::ResolveAll(const std::string& service_id,
                                                   TimePoint t) const {
  std::vector<RoleHolder> out;
  for (OnCallRole r : kAllRoles) out.push_back(Resolve(service_id, r, t));
  return out;
}

}  // namespace loom
