#include "core/oncall.h"

namespace loom {

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
  auto shifts = schedule->Shifts(t, t + kHorizon);
  if (!shifts.empty()) {
    if (!shifts.front().user.empty()) holder.user = shifts.front().user;
    holder.until = shifts.front().end;
  }
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
