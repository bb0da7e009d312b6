// Teams (config `teams:`, docs/configuration.md): who is in a team with which role, and which
// services and schedules belong to it. The directory is part of the on-call snapshot
// (core/roster.h), built from the configuration; core/authorization.h decides with it.
//
// Thread safety: immutable once built.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/authorization.h"
#include "core/service.h"

namespace loom {

struct TeamMember {
  std::string user;              // a configured user id
  Role role = Role::kResponder;  // admin, responder or viewer
};

struct Team {
  std::string id;  // [a-z0-9][a-z0-9-]{0,62}
  std::string name;
  // `visibility: team`: the team's services, their incidents and its schedules are hidden from
  // people outside it; `all` (the default): readable by everyone who may read.
  bool hidden = false;
  std::vector<TeamMember> members;
};

class TeamDirectory {
 public:
  TeamDirectory() = default;
  // `service_team` and `schedule_team`: resource id → team id (every team id is in `teams`).
  TeamDirectory(std::vector<Team> teams, std::map<std::string, std::string> service_team,
                std::map<std::string, std::string> schedule_team);

  const std::vector<Team>& teams() const { return teams_; }
  bool empty() const { return teams_.empty(); }
  const Team* Find(const std::string& id) const;

  // The team of a service or schedule ("" for none), with its visibility.
  ResourceTeam OfService(const std::string& service_id) const;
  ResourceTeam OfSchedule(const std::string& schedule_id) const;
  // The ids of the services and schedules of a team, sorted.
  std::vector<std::string> ServicesOf(const std::string& team_id) const;
  std::vector<std::string> SchedulesOf(const std::string& team_id) const;
  // A user's role in each of their teams (what a sign-in puts in a principal's team_roles).
  std::map<std::string, Role, std::less<>> RolesOf(const std::string& user) const;
  // The global role of a person whose `users[].role` (or API role) is not given: responder when
  // no teams are configured (everybody responds, as before teams), viewer when teams exist (then
  // their rights come from their teams).
  Role DefaultPersonRole() const { return empty() ? Role::kResponder : Role::kViewer; }

 private:
  ResourceTeam Scope(const std::map<std::string, std::string>& index, const std::string& id) const;

  std::vector<Team> teams_;
  std::map<std::string, std::string> service_team_;
  std::map<std::string, std::string> schedule_team_;
};

}  // namespace loom
