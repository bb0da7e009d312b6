#include "core/team.h"

namespace loom {
namespace {

std::vector<std::string> KeysWith(const std::map<std::string, std::string>& index,
                                  const std::string& team_id) {
  std::vector<std::string> out;
  for (const auto& [id, team] : index) {
    if (team == team_id) out.push_back(id);
  }
  return out;
}

}  // namespace

TeamDirectory::TeamDirectory(std::vector<Team> teams,
                             std::map<std::string, std::string> service_team,
                             std::map<std::string, std::string> schedule_team)
    : teams_(std::move(teams)),
      service_team_(std::move(service_team)),
      schedule_team_(std::move(schedule_team)) {}

const Team* TeamDirectory::Find(const std::string& id) const {
  for (const Team& t : teams_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

ResourceTeam TeamDirectory::Scope(const std::map<std::string, std::string>& index,
                                  const std::string& id) const {
  auto it = index.find(id);
  if (it == index.end()) return {};
  const Team* team = Find(it->second);
  return ResourceTeam{it->second, team != nullptr && team->hidden};
}

ResourceTeam TeamDirectory::OfService(const std::string& service_id) const {
  return Scope(service_team_, service_id);
}

ResourceTeam TeamDirectory::OfSchedule(const std::string& schedule_id) const {
  return Scope(schedule_team_, schedule_id);
}

std::vector<std::string> TeamDirectory::ServicesOf(const std::string& team_id) const {
  return KeysWith(service_team_, team_id);
}

std::vector<std::string> TeamDirectory::SchedulesOf(const std::string& team_id) const {
  return KeysWith(schedule_team_, team_id);
}

std::map<std::string, Role, std::less<>> TeamDirectory::RolesOf(const std::string& user) const {
  std::map<std::string, Role, std::less<>> out;
  for (const Team& t : teams_) {
    for (const TeamMember& m : t.members) {
      if (m.user == user) out[t.id] = m.role;
    }
  }
  return out;
}

}  // namespace loom
