// A one-participant weekly rotation for tests: shifts of one week, UTC, handoff at 09:00 from
// Monday 2026-11-02 (the FakeClock's start).
#pragma once

#include <gtest/gtest.h>

#include <string>

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

}  // namespace loom::testing
