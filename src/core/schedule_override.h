// An on-call override made at run time (the API or the CLI).
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"

namespace loom {

// An on-call override created through the API or the CLI (configured overrides live in the
// config file and are never stored). `user` need not be a configured user any more when read back.
struct ScheduleOverride {
  int64_t id = 0;
  std::string schedule_id;
  std::string user;
  TimePoint from{}, to{};  // [from, to)
  std::string created_by;  // the actor, e.g. "token:ci"
  TimePoint created_at{};
};

}  // namespace loom
