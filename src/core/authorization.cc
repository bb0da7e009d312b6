#include "core/authorization.h"

#include <algorithm>

namespace loom {
namespace {

// The more privileged of two roles (lower enum value).
Role Higher(Role a, Role b) { return static_cast<int>(a) <= static_cast<int>(b) ? a : b; }

bool IsMember(const Caller& caller, std::string_view team) {
  return !caller.user.empty() && caller.team_roles.find(team) != caller.team_roles.end();
}

}  // namespace

const char* ActionName(Action action) {
  switch (action) {
    case Action::kRead: return "read";
    case Action::kRespond: return "respond";
    case Action::kManage: return "manage";
    case Action::kOwn: return "own";
  }
  return "read";
}

Role NeededRole(Action action) {
  switch (action) {
    case Action::kRead: return Role::kViewer;
    case Action::kRespond: return Role::kResponder;
    case Action::kManage: return Role::kAdmin;
    case Action::kOwn: return Role::kOwner;
  }
  return Role::kOwner;
}

Role EffectiveRole(const Caller& caller, std::string_view team) {
  if (team.empty() || caller.user.empty()) return caller.role;
  auto it = caller.team_roles.find(team);
  if (it == caller.team_roles.end()) return caller.role;
  // A team role is at most admin: owner is global only.
  const Role team_role = it->second == Role::kOwner ? Role::kAdmin : it->second;
  return Higher(caller.role, team_role);
}

bool CanSee(const Caller& caller, const ResourceTeam& resource) {
  if (resource.team.empty() || !resource.hidden) return true;
  if (caller.user.empty()) return true;  // a token bound to nobody: its role on everything
  if (RoleAllows(caller.role, Role::kAdmin)) return true;
  return IsMember(caller, resource.team);
}

bool Allowed(const Caller& caller, Action action, const ResourceTeam& resource) {
  if (!CanSee(caller, resource)) return false;
  return RoleAllows(EffectiveRole(caller, resource.team), NeededRole(action));
}

bool MayRespondSomewhere(const Caller& caller) {
  if (RoleAllows(caller.role, Role::kResponder)) return true;
  if (caller.user.empty()) return false;
  for (const auto& [team, role] : caller.team_roles) {
    if (RoleAllows(role, Role::kResponder)) return true;
  }
  return false;
}

bool MayChangeShift(const Caller& caller, const ResourceTeam& schedule, const ShiftChange& change) {
  if (!CanSee(caller, schedule)) return false;
  const Role role = EffectiveRole(caller, schedule.team);
  if (schedule.team.empty()) return RoleAllows(role, Role::kResponder);
  if (RoleAllows(role, Role::kAdmin)) return true;
  return !caller.user.empty() && change.caller_in_schedule && change.own &&
         RoleAllows(role, Role::kResponder);
}

bool InSchedule(const Schedule& schedule, const std::string& user) {
  for (const RotationLayer& layer : schedule.layers()) {
    if (std::find(layer.participants.begin(), layer.participants.end(), user) !=
        layer.participants.end()) {
      return true;
    }
  }
  return false;
}

ShiftChange DescribeNewOverride(const Schedule& schedule, const std::string& caller_user,
                                const std::string& override_user, TimePoint from, TimePoint to) {
  ShiftChange change;
  if (caller_user.empty()) return change;
  change.caller_in_schedule = InSchedule(schedule, caller_user);
  if (override_user == caller_user) {
    change.own = true;
    return change;
  }
  const std::vector<Shift> replaced = schedule.Shifts(from, to);
  change.own =
      !replaced.empty() && std::all_of(replaced.begin(), replaced.end(),
                                       [&](const Shift& s) { return s.user == caller_user; });
  return change;
}

std::string RefusalDetail(const Caller& caller, Action action, const ResourceTeam& resource) {
  std::string detail = std::string("this needs role ") + RoleName(NeededRole(action));
  if (!resource.team.empty()) detail += " on team " + resource.team;
  detail += std::string("; you have ") + RoleName(EffectiveRole(caller, resource.team));
  return detail;
}

}  // namespace loom
