// Who may do what on which team's resources: the Api's calls of core/authorization.h with the
// teams of the roster's snapshot (docs/authentication.md "Teams and roles").

#include "http/access.h"
#include "http/api.h"

namespace loom::http {

Caller CallerOf(const Principal& principal) {
  return Caller{principal.role, principal.user, principal.team_roles};
}

Json TeamJson(const ResourceTeam& team) { return team.team.empty() ? Json() : Json(team.team); }

std::shared_ptr<const OnCallSnapshot> Api::OnCallNow() const {
  return roster_ ? roster_->Current() : EmptyOnCallSnapshot();
}

ResourceTeam Api::TeamOfService(const std::string& service_id) const {
  if (!roster_) return {};
  return roster_->Current()->teams.OfService(service_id);
}

ResourceTeam Api::TeamOfSchedule(const std::string& schedule_id) const {
  if (!roster_) return {};
  return roster_->Current()->teams.OfSchedule(schedule_id);
}

Status Api::Permit(const Principal& who, Action action, const ResourceTeam& resource,
                   const Error& hidden) const {
  const Caller caller = CallerOf(who);
  if (!CanSee(caller, resource)) return hidden;
  if (!Allowed(caller, action, resource)) {
    return Error::PermissionDenied(RefusalDetail(caller, action, resource));
  }
  return OkStatus();
}

Role Api::RoleOnService(const Principal& who, const std::string& service_id) const {
  return EffectiveRole(CallerOf(who), TeamOfService(service_id).team);
}

bool Api::SeesService(const Principal& who, const std::string& service_id) const {
  return CanSee(CallerOf(who), TeamOfService(service_id));
}

Status Api::PermitIncident(const Principal& who, int64_t number, Action action) {
  ResourceTeam team;
  if (roster_ && !roster_->Current()->teams.empty()) {
    auto detail = store_.GetIncident(number);
    if (!detail.ok()) return std::move(detail).error();
    if (!detail->has_value()) return OkStatus();
    team = TeamOfService((*detail)->incident.service_id);
  }
  return Permit(who, action, team, Error::NotFound("no incident " + IncidentId(number)));
}

Status Api::PermitSchedule(const Principal& who, const std::string& id) const {
  if (CanSee(CallerOf(who), TeamOfSchedule(id))) return OkStatus();
  return Error::NotFound("no schedule " + id);
}

Result<const Schedule*> Api::ReadableSchedule(const Principal& who, const std::string& id,
                                              const Schedule* schedule) const {
  Status permitted = PermitSchedule(who, id);
  if (!permitted.ok()) return std::move(permitted).error();
  return schedule;
}

Status Api::PermitShiftChange(const Principal& who, const std::string& id,
                              const ShiftChange& change) const {
  const ResourceTeam team = TeamOfSchedule(id);
  const Caller caller = CallerOf(who);
  if (!CanSee(caller, team)) return Error::NotFound("no schedule " + id);
  if (MayChangeShift(caller, team, change)) return OkStatus();
  if (team.team.empty())
    return Error::PermissionDenied(RefusalDetail(caller, Action::kRespond, team));
  return Error::PermissionDenied(
      "changing the shifts of schedule " + id + " needs role admin on team " + team.team +
      ", or role responder and a shift of your own in it (taking it over or giving it away); you "
      "have " +
      RoleName(EffectiveRole(caller, team.team)));
}

Result<ResourceTeam> Api::FollowupTeam(int64_t number) {
  if (!roster_ || roster_->Current()->teams.empty()) return ResourceTeam{};
  // No lookup by number in the records role: the list is short (follow-ups are few).
  auto list = store_.ListFollowups(FollowupFilter{});
  if (!list.ok()) return std::move(list).error();
  for (const Followup& f : *list) {
    if (f.number == number) return TeamOfService(f.service_id);
  }
  return ResourceTeam{};
}

}  // namespace loom::http
