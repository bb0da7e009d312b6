#include "core/incident.h"

#include <charconv>

namespace loom {

const char* IncidentStateName(IncidentState s) {
  switch (s) {
    case IncidentState::kTriggered: return "triggered";
    case IncidentState::kAcknowledged: return "acknowledged";
    case IncidentState::kMitigated: return "mitigated";
    case IncidentState::kResolved: return "resolved";
    case IncidentState::kClosed: return "closed";
  }
  return "triggered";
}

std::optional<IncidentState> ParseIncidentState(std::string_view t) {
  if (t == "triggered") return IncidentState::kTriggered;
  if (t == "acknowledged") return IncidentState::kAcknowledged;
  if (t == "mitigated") return IncidentState::kMitigated;
  if (t == "resolved") return IncidentState::kResolved;
  if (t == "closed") return IncidentState::kClosed;
  return std::nullopt;
}

const char* IncidentKindName(IncidentKind k) {
  switch (k) {
    case IncidentKind::kAvailability: return "availability";
    case IncidentKind::kSecurity: return "security";
    case IncidentKind::kOther: return "other";
  }
  return "availability";
}

std::optional<IncidentKind> ParseIncidentKind(std::string_view t) {
  if (t == "availability") return IncidentKind::kAvailability;
  if (t == "security") return IncidentKind::kSecurity;
  if (t == "other") return IncidentKind::kOther;
  return std::nullopt;
}

std::string IncidentId(int64_t number) { return "INC-" + std::to_string(number); }

std::optional<int64_t> ParseIncidentId(std::string_view id) {
  if (id.substr(0, 4) != "INC-" || id.size() == 4) return std::nullopt;
  int64_t n = 0;
  auto tail = id.substr(4);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), n);
  if (ec != std::errc() || p != tail.data() + tail.size() || n <= 0) return std::nullopt;
  return n;
}

const char* IncidentActionName(IncidentAction a) {
  switch (a) {
    case IncidentAction::kAcknowledge: return "acknowledge";
    case IncidentAction::kMitigate: return "mitigate";
    case IncidentAction::kResolve: return "resolve";
    case IncidentAction::kClose: return "close";
    case IncidentAction::kUnacknowledge: return "unacknowledge";
  }
  return "acknowledge";
}

Result<IncidentState> NextState(const Incident& inc, IncidentAction action) {
  const std::string where = inc.id() + " is " + IncidentStateName(inc.state);
  const bool needs_commander = IsHighUrgency(inc.severity) && inc.commander.empty();
  switch (action) {
    case IncidentAction::kAcknowledge:
      if (inc.state == IncidentState::kTriggered) return IncidentState::kAcknowledged;
      return Error::Conflict(where + "; only a triggered incident can be acknowledged");
    case IncidentAction::kMitigate:
      if (inc.state == IncidentState::kTriggered) {
        return Error::Conflict(where + "; acknowledge it before marking it mitigated");
      }
      if (inc.state != IncidentState::kAcknowledged) {
        return Error::Conflict(where + "; only an acknowledged incident can be mitigated");
      }
      if (needs_commander) {
        return Error::Conflict(where + "; a " + SeverityName(inc.severity) +
                               " incident needs an incident commander before it is mitigated");
      }
      return IncidentState::kMitigated;
    case IncidentAction::kResolve:
      if (!inc.open()) return Error::Conflict(where + "; it is already resolved");
      if (needs_commander && inc.state != IncidentState::kTriggered) {
        return Error::Conflict(where + "; a " + SeverityName(inc.severity) +
                               " incident needs an incident commander before it is resolved");
      }
      return IncidentState::kResolved;
    case IncidentAction::kClose:
      if (inc.state != IncidentState::kResolved) {
        return Error::Conflict(where + "; only a resolved incident can be closed");
      }
      return IncidentState::kClosed;
    case IncidentAction::kUnacknowledge:
      if (inc.state == IncidentState::kAcknowledged) return IncidentState::kTriggered;
      return Error::Conflict(where + "; only an acknowledged incident can be unacknowledged");
  }
  return Error::Internal("unknown action");
}

}  // namespace loom
