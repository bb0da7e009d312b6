// A service (the thing alerts are about, e.g. the LOOM node) and its ingest settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/severity.h"

namespace loom {

// Content-based alert grouping (config `services[].grouping`, docs/configuration.md): an
// Alertmanager alert that would open a new incident joins instead the open incident of the same
// service and kind whose alerts carry the same values of every label in `match_labels`, when one
// of those alerts arrived within `window` (a rolling window) and the incident is at least as
// severe as the alert.
struct AlertGrouping {
  Duration window{0};  // zero: grouping is off
  std::vector<std::string> match_labels;
  bool enabled() const { return window > Duration::zero() && !match_labels.empty(); }
};

struct ServiceSettings {
  SeverityMapping severity_map;
  // When every member alert of an incident is resolved, resolve the incident too. Off by default:
  // the runbook makes resolving a responder's decision ("Resolve, validate recovery").
  bool auto_resolve = false;
  // Ingest events per minute per integration key; 0 = unlimited. Over the limit: 429.
  int64_t rate_limit_per_minute = 0;
  AlertGrouping grouping;
};

struct Service {
  std::string id;  // [a-z0-9][a-z0-9-]{0,62}
  std::string name;
  TimePoint created_at{};
  ServiceSettings settings;
};

// True when `id` is a valid service id.
bool IsValidServiceId(const std::string& id);

// Roles of API tokens and people, most privileged first. kOwner (a person's global role,
// `users[].role: owner`) does everything, also what only an owner may grant (an owner token).
// kCalendar reads only the iCalendar feeds (a token that is safe to paste into a calendar
// application's subscription URL). Team roles (core/authorization.h) are admin, responder, viewer.
enum class Role { kOwner, kAdmin, kResponder, kViewer, kCalendar };
const char* RoleName(Role r);
bool ParseRole(const std::string& text, Role* out);
// True when `have` may do what needs `need` (owner ⊇ admin ⊇ responder ⊇ viewer ⊇ calendar).
inline bool RoleAllows(Role have, Role need) {
  return static_cast<int>(have) <= static_cast<int>(need);
}

}  // namespace loom
