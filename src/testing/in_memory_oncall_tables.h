// Test-only: the on-call part of the Store (overrides and configured users) in memory, for the
// fake Stores of the HTTP and CLI tests. Answers writes at once, on the caller's thread.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/schedule_override.h"
#include "core/user.h"
#include "store/callback.h"

namespace loom::testing {

class InMemoryOnCallTables {
 public:
  void CreateOverride(ScheduleOverride o, TimePoint now, const Callback<ScheduleOverride>& done) {
    if (!(o.from < o.to)) return done(Error::Invalid("the override must end after it starts"));
    o.id = next_id++;
    o.created_at = now;
    overrides.push_back(o);
    done(std::move(o));
  }

  void DeleteOverride(int64_t id, const Callback<bool>& done) {
    auto it = std::find_if(overrides.begin(), overrides.end(),
                           [id](const ScheduleOverride& o) { return o.id == id; });
    if (it == overrides.end()) {
      return done(Error::NotFound("override " + std::to_string(id) + " not found"));
    }
    overrides.erase(it);
    done(true);
  }

  Status UpsertUsers(const std::vector<User>& seeded) {
    for (const User& u : seeded) users[u.id] = u;
    return OkStatus();
  }

  std::vector<ScheduleOverride> overrides;
  std::map<std::string, User> users;
  int64_t next_id = 1;
};

}  // namespace loom::testing
