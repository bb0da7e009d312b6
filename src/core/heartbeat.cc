#include "core/heartbeat.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "core/service.h"

namespace loom {
namespace {

constexpr Duration kMaxHeartbeatDuration = std::chrono::hours(24 * 31);

// "02:00:04" or, on another UTC day than `now`, "2026-12-06 02:00:04".
std::string PingTimeText(TimePoint ping, TimePoint now) {
  const std::string at = FormatRfc3339(ping);    // 2026-12-07T02:00:04.123Z
  const std::string today = FormatRfc3339(now);  // the same shape
  const std::string clock = at.substr(11, 8);    // 02:00:04
  if (at.compare(0, 10, today, 0, 10) == 0) return clock;
  return at.substr(0, 10) + " " + clock;
}

}  // namespace

const char* HeartbeatStateName(HeartbeatState state) {
  switch (state) {
    case HeartbeatState::kInactive: return "inactive";
    case HeartbeatState::kHealthy: return "healthy";
    case HeartbeatState::kExpired: return "expired";
  }
  return "inactive";
}

std::optional<HeartbeatState> ParseHeartbeatState(std::string_view name) {
  for (HeartbeatState s :
       {HeartbeatState::kInactive, HeartbeatState::kHealthy, HeartbeatState::kExpired}) {
    if (name == HeartbeatStateName(s)) return s;
  }
  return std::nullopt;
}

bool IsValidHeartbeatId(std::string_view id) { return IsValidServiceId(std::string(id)); }

Status ValidateHeartbeat(const Heartbeat& hb) {
  std::vector<FieldError> errors;
  if (!IsValidHeartbeatId(hb.id)) {
    errors.push_back({"/id",
                      "must be 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter "
                      "or digit"});
  }
  if (hb.name.empty() || hb.name.size() > 200 || hb.name.find('/') != std::string::npos) {
    errors.push_back({"/name", "must be 1-200 characters without '/'"});
  }
  if (hb.interval < std::chrono::seconds(1) || hb.interval > kMaxHeartbeatDuration) {
    errors.push_back({"/interval", "must be between 1s and 31d (e.g. 10m, 1h)"});
  }
  if (hb.grace < Duration::zero() || hb.grace > kMaxHeartbeatDuration) {
    errors.push_back({"/grace", "must be between 0s and 31d (e.g. 5m)"});
  }
  if (errors.empty()) return OkStatus();
  std::string message = "invalid heartbeat";
  if (!hb.id.empty()) message += " '" + hb.id + "'";
  message += ": " + errors.front().pointer.substr(1) + " " + errors.front().detail;
  return Error::Invalid(std::move(message), std::move(errors));
}

std::optional<TimePoint> HeartbeatExpiresAt(const Heartbeat& hb) {
  if (!hb.enabled || !hb.last_ping_at) return std::nullopt;
  return std::max(*hb.last_ping_at, hb.resumed_at) + hb.interval + hb.grace;
}

HeartbeatCheck CheckHeartbeat(const Heartbeat& hb, int64_t deadline_id, TimePoint now) {
  HeartbeatCheck check;
  if (hb.deadline_id != deadline_id || hb.state != HeartbeatState::kHealthy) return check;
  const std::optional<TimePoint> expires = HeartbeatExpiresAt(hb);
  if (!expires) return check;
  if (*expires > now) {
    check.action = HeartbeatCheck::Action::kRearm;
    check.rearm_at = *expires;
  } else {
    check.action = HeartbeatCheck::Action::kExpire;
  }
  return check;
}

std::string HeartbeatDurationText(Duration d) {
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s <= 0) return "0s";
  static constexpr std::array<std::pair<int64_t, char>, 4> kUnits = {
      {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
  std::string out;
  for (const auto& [size, unit] : kUnits) {
    if (s >= size) {
      out += std::to_string(s / size);
      out += unit;
      s %= size;
    }
  }
  return out;
}

std::string HeartbeatExpiredTitle(const Heartbeat& hb, TimePoint now) {
  std::string title = "Heartbeat " + hb.name + " expired: ";
  if (hb.last_ping_at) {
    title += "last ping " + PingTimeText(*hb.last_ping_at, now) + " UTC";
  } else {
    title += "never pinged";
  }
  return title + ", expected every " + HeartbeatDurationText(hb.interval);
}

std::string HeartbeatDedupKey(const Heartbeat& hb) { return "heartbeat/" + hb.id; }

std::string HeartbeatActor(const Heartbeat& hb) { return "heartbeat:" + hb.id; }

namespace {

// A request in the heartbeat's own dedup scope with one alert of `action` (its first).
IngestRequest HeartbeatRequest(const Heartbeat& hb, AlertAction action, TimePoint now) {
  IngestRequest r;
  r.format = "heartbeat";
  r.service_id = hb.service_id;
  r.integration_key_id = 0;
  r.dedup_key = HeartbeatDedupKey(hb);
  r.actor = HeartbeatActor(hb);
  AlertUpdate& a = r.alerts.emplace_back();
  a.action = action;
  a.source = "heartbeat";
  a.severity = hb.severity;
  a.occurred_at = now;
  return r;
}

}  // namespace

IngestRequest HeartbeatExpiredAlert(const Heartbeat& hb, TimePoint now) {
  IngestRequest r = HeartbeatRequest(hb, AlertAction::kTrigger, now);
  r.title = HeartbeatExpiredTitle(hb, now);
  AlertUpdate* a = &r.alerts.front();
  a->summary = r.title;
  a->raw_severity = SeverityName(hb.severity);
  std::string details = R"({"heartbeat":")" + hb.id + R"(","interval":")" +
                        HeartbeatDurationText(hb.interval) + R"(","grace":")" +
                        HeartbeatDurationText(hb.grace) + "\"";
  if (hb.last_ping_at) details += ",\"last_ping_at\":\"" + FormatRfc3339(*hb.last_ping_at) + "\"";
  a->details_json = details + "}";
  return r;
}

IngestRequest HeartbeatRecoveredAlert(const Heartbeat& hb, TimePoint now) {
  IngestRequest r = HeartbeatRequest(hb, AlertAction::kResolve, now);
  r.alerts.front().summary = "Heartbeat " + hb.name + " pinged again";
  return r;
}

}  // namespace loom
