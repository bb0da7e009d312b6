// GET /v1/teams and /v1/teams/{id}: the configured teams (`teams:` in the YAML; the API reads
// them, it does not change them), each with its members, services and schedules. A team with
// `visibility: team` is listed only to its members, global admins and owners, and tokens bound
// to nobody (core/authorization.h CanSee).

#include "http/access.h"
#include "http/api.h"
#include "http/handler_util.h"

namespace loom::http {
namespace {

Json TeamToJson(const Team& team, const OnCallSnapshot& snapshot) {
  Json members = Json::array();
  for (const TeamMember& m : team.members) {
    const User* user = snapshot.FindUser(m.user);
    members.push_back({{"user", m.user},
                       {"name", user != nullptr ? user->name : m.user},
                       {"role", RoleName(m.role)}});
  }
  Json j = Json::object();
  j["id"] = team.id;
  j["name"] = team.name;
  j["visibility"] = team.hidden ? "team" : "all";
  j["members"] = std::move(members);
  j["services"] = snapshot.teams.ServicesOf(team.id);
  j["schedules"] = snapshot.teams.SchedulesOf(team.id);
  return j;
}

}  // namespace

void Api::ListTeams(const Request& req, const PathParams&, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  const Caller caller = CallerOf(who);
  Json list = Json::array();
  for (const Team& team : (*snapshot)->teams.teams()) {
    if (CanSee(caller, ResourceTeam{team.id, team.hidden})) {
      list.push_back(TeamToJson(team, **snapshot));
    }
  }
  Json body = Json::object();
  body["teams"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

void Api::GetTeam(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  const std::string id(params.Get("id"));
  const Team* team = (*snapshot)->teams.Find(id);
  if (team == nullptr || !CanSee(CallerOf(who), ResourceTeam{team->id, team->hidden})) {
    return reply->Send(ProblemFor(Error::NotFound("no team " + id), req));
  }
  reply->Send(JsonResponse(200, TeamToJson(*team, **snapshot)));
}

}  // namespace loom::http
