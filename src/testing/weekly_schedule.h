// A one-participant weekly rotation for tests: shifts of one week, UTC, handoff at 09:00 from
// Monday 2026-11-02 (the FakeClock's start).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/roster.h"
#include "core/schedule.h"

namespace loom::testing {

inline Schedule WeeklySchedule(const std::string& id, const std::string& user) {
  RotationLayer layer;
  layer.participants = {user};
  layer.shift_length_minutes = 7 * 24 * 60;
  layer.handoff_minute = 9 * 60;
  layer.start_days = 20394;  // 2026-11-02
  Result<Schedule> s = Schedule::Create(id, "UTC", {layer}, {});
  EXPECT_TRUE(s.ok());
  return std::move(*s);
}

// A roster in which each of `service`'s roles is held all the time by one user (a weekly
// schedule of its own, named after the role): no users' contact rules, no business hours.
inline std::shared_ptr<const OnCallSnapshot> WeeklyRoster(
    const std::string& service, const std::map<OnCallRole, std::string>& holders) {
  std::vector<Schedule> schedules;
  std::map<OnCallRole, std::string> roles;
  for (const auto& [role, user] : holders) {
    schedules.push_back(WeeklySchedule(OnCallRoleName(role), user));
    roles[role] = OnCallRoleName(role);
  }
  return std::make_shared<const OnCallSnapshot>(
      OnCallResolver(std::move(schedules), {{service, roles}}), std::map<std::string, User>{},
      std::map<std::string, BusinessCalendar>{});
}

}  // namespace loom::testing
