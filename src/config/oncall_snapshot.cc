#include "config/oncall_snapshot.h"

#include <map>
#include <utility>

namespace loom {

Result<std::shared_ptr<const OnCallSnapshot>> BuildOnCallSnapshot(
    const Config& config, const std::vector<ScheduleOverride>& stored_overrides,
    std::vector<std::string>* skipped) {
  std::map<std::string, std::vector<Override>> stored_by_schedule;
  for (const ScheduleOverride& o : stored_overrides) {
    stored_by_schedule[o.schedule_id].push_back(Override{o.user, o.from, o.to});
  }

  std::vector<Schedule> schedules;
  for (const ScheduleConfig& sc : config.schedules) {
    // Configured overrides are local times in the schedule's zone: convert with the schedule.
    auto zoned = Schedule::Create(sc.id, sc.time_zone, sc.layers, {});
    if (!zoned.ok()) return std::move(zoned).error();
    std::vector<Override> overrides;
    for (const OverrideConfig& o : sc.overrides) {
      overrides.push_back(Override{o.user, zoned->LocalToInstant(o.from.days, o.from.minute),
                                   zoned->LocalToInstant(o.to.days, o.to.minute)});
    }
    if (auto it = stored_by_schedule.find(sc.id); it != stored_by_schedule.end()) {
      overrides.insert(overrides.end(), it->second.begin(), it->second.end());
      stored_by_schedule.erase(it);
    }
    auto schedule = Schedule::Create(sc.id, sc.time_zone, sc.layers, std::move(overrides));
    if (!schedule.ok()) return std::move(schedule).error();
    schedules.push_back(std::move(schedule).value());
  }
  if (skipped != nullptr) {
    for (const auto& [schedule_id, overrides] : stored_by_schedule) {
      skipped->push_back(std::to_string(overrides.size()) + " stored override(s) of schedule '" +
                         schedule_id + "', which is no longer configured");
    }
  }

  OnCallResolver::RoleMap roles;
  std::map<std::string, BusinessCalendar> business_hours;
  for (const ServiceConfig& service : config.services) {
    if (!service.roles.empty()) roles[service.service.id] = service.roles;
    if (service.business_hours) {
      const BusinessHoursConfig& bh = *service.business_hours;
      auto calendar = BusinessCalendar::Create(bh.time_zone, bh.days, bh.from, bh.to, bh.holidays);
      if (!calendar.ok()) {
        return Error::Invalid("services." + service.service.id +
                              ".business_hours: " + calendar.error().message);
      }
      business_hours.emplace(service.service.id, std::move(calendar).value());
    }
  }

  std::map<std::string, User> users;
  for (const UserConfig& u : config.users) users.emplace(u.user.id, u.user);

  std::map<std::string, std::string> service_team, schedule_team;
  for (const ServiceConfig& s : config.services) {
    if (!s.team.empty()) service_team[s.service.id] = s.team;
  }
  for (const ScheduleConfig& s : config.schedules) {
    if (!s.team.empty()) schedule_team[s.id] = s.team;
  }
  auto snapshot =
      std::make_shared<OnCallSnapshot>(OnCallResolver(std::move(schedules), std::move(roles)),
                                       std::move(users), std::move(business_hours));
  snapshot->teams = TeamDirectory(config.teams, std::move(service_team), std::move(schedule_team));
  return std::shared_ptr<const OnCallSnapshot>(std::move(snapshot));
}

std::shared_ptr<const OnCallSnapshot> WithCreatedUsers(
    const std::shared_ptr<const OnCallSnapshot>& base, const std::vector<StoredAccount>& accounts) {
  auto merged = std::make_shared<OnCallSnapshot>(*base);
  for (const StoredAccount& account : accounts) {
    if (account.configured || merged->users.count(account.id) != 0) continue;
    User user;
    user.id = account.id;
    user.name = account.name.empty() ? account.id : account.name;
    user.email = account.email;
    user.role = account.role;
    merged->users.emplace(user.id, std::move(user));
  }
  return merged;
}

}  // namespace loom
