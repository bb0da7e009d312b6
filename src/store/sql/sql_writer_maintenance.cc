// SqlWriter, maintenance windows (store/maintenance_store.h, core/maintenance.h): the windows,
// the maintenance an incident's service is in when a deadline handler sees the incident, and the
// release of held escalations when a window ends early or its configuration changes.
#include <nlohmann/json.hpp>
#include <set>

#include "common/time_format.h"
#include "store/sql/heartbeat_tables.h"
#include "store/sql/maintenance_tables.h"
#include "store/sql/sql_writer.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {
namespace {

Error UnknownWindow(int64_t id) {
  return Error::NotFound("maintenance window " + std::to_string(id) + " not found");
}

// The window ids a held escalation's payload names under "held"; empty when it names none.
std::set<int64_t> HeldWindows(const nlohmann::json& payload) {
  std::set<int64_t> out;
  auto it = payload.find("held");
  if (it == payload.end() || !it->is_array()) return out;
  for (const auto& id : *it) {
    if (id.is_number_integer()) out.insert(id.get<int64_t>());
  }
  return out;
}

bool SameDefinition(const MaintenanceWindow& a, const MaintenanceWindow& b) {
  if (a.services != b.services || a.reason != b.reason) return false;
  if (a.weekly.has_value() != b.weekly.has_value()) return false;
  if (!a.weekly) return a.start == b.start && a.end == b.end;
  return a.weekly->weekdays == b.weekly->weekdays &&
         a.weekly->from_minute == b.weekly->from_minute &&
         a.weekly->to_minute == b.weekly->to_minute && a.weekly->time_zone == b.weekly->time_zone;
}

}  // namespace

Result<std::optional<MaintenanceHold>> SqlWriter::MaintenanceHoldOf(const std::string& service,
                                                                    TimePoint now) {
  Result<std::vector<MaintenanceWindow>> windows = ReadCurrentMaintenanceWindows(*db_, now);
  if (!windows.ok()) return std::move(windows).error();
  return MaintenanceHoldAt(*windows, service, now);
}

Status SqlWriter::FillMaintenance(Plan& plan, TimePoint now) {
  if (plan.head_only || plan.row.incident.maintenance) return OkStatus();
  for (const Deadline& d : plan.deadlines) {
    if (d.kind != DeadlineKind::kEscalate || d.due_at > now) continue;
    Result<std::optional<MaintenanceHold>> hold =
        MaintenanceHoldOf(plan.row.incident.service_id, now);
    if (!hold.ok()) return std::move(hold).error();
    plan.row.incident.maintenance = std::move(*hold);
    return OkStatus();
  }
  return OkStatus();
}

Result<std::vector<int64_t>> SqlWriter::ReleaseHeldEscalations(const MaintenanceWindow& window,
                                                               const std::string& actor,
                                                               TimePoint now) {
  std::vector<int64_t> released;
  for (const std::string& service : window.services) {
    Result<std::vector<HeldEscalation>> held = ReadHeldEscalations(*db_, service);
    if (!held.ok()) return std::move(held).error();
    for (const HeldEscalation& h : *held) {
      nlohmann::json payload;
      try {
        payload = nlohmann::json::parse(h.payload_json);
      } catch (const nlohmann::json::exception&) {
        continue;  // not one of ours
      }
      if (HeldWindows(payload).count(window.id) == 0) continue;
      Result<Plan> plan = PlanFor(h.incident_number);
      if (!plan.ok()) return std::move(plan).error();
      LOOM_RETURN_IF_ERROR(CancelHeartbeatDeadline(*db_, h.deadline_id, now));
      payload.erase("held");
      Deadline again;
      again.kind = DeadlineKind::kEscalate;
      again.incident_number = h.incident_number;
      again.due_at = now;  // fired in WritePlan, which asks core/maintenance.h again
      again.payload_json = payload.dump();
      plan->deadlines.push_back(std::move(again));
      AddEvent(
          *plan, now, "maintenance.ended", actor,
          nlohmann::json{{"window", window.id}, {"reason", window.reason}, {"early", true}}.dump());
      LOOM_RETURN_IF_ERROR(WritePlan(*plan));
      released.push_back(h.incident_number);
    }
  }
  // Heartbeats held by it count from now, as they would from the window's scheduled end.
  Result<std::vector<Heartbeat>> heartbeats = ReadHeartbeats(*db_);
  if (!heartbeats.ok()) return std::move(heartbeats).error();
  for (Heartbeat& hb : *heartbeats) {
    if (!MaintenanceCovers(window, hb.service_id) || hb.resumed_at <= now) continue;
    hb.resumed_at = now;
    hb.updated_at = now;
    LOOM_RETURN_IF_ERROR(ArmHeartbeat(hb, now));
    LOOM_RETURN_IF_ERROR(UpdateHeartbeat(*db_, hb));
  }
  return released;
}

Result<MaintenanceWindow> SqlWriter::ApplyCreateMaintenance(MaintenanceWindow w) {
  LOOM_RETURN_IF_ERROR(ValidateMaintenanceWindow(w));
  std::vector<FieldError> errors;
  std::string unknown;
  for (size_t i = 0; i < w.services.size(); ++i) {
    if (services_.GetService(w.services[i])) continue;
    if (unknown.empty()) unknown = w.services[i];
    errors.push_back({"/services/" + std::to_string(i), "is not a service id"});
  }
  if (!errors.empty())
    return Error::Invalid("unknown service '" + unknown + "'", std::move(errors));
  const TimePoint now = clock_.Now();
  if (!w.weekly && w.end <= now) {
    return Error::Invalid("invalid maintenance window: end is in the past",
                          {{"/end", "must be in the future"}});
  }
  w.source = kMaintenanceFromApi;
  w.config_id.clear();
  w.created_at = now;
  w.ended_at.reset();
  w.ended_by.clear();
  w.cancelled_at.reset();
  w.cancelled_by.clear();
  Result<int64_t> id = InsertMaintenanceWindow(*db_, w);
  if (!id.ok()) return std::move(id).error();
  w.id = *id;
  return w;
}

Result<MaintenanceEnded> SqlWriter::ApplyEndMaintenance(int64_t id, const std::string& actor) {
  Result<std::optional<MaintenanceWindow>> found = ReadMaintenanceWindow(*db_, id);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return UnknownWindow(id);
  MaintenanceWindow w = std::move(**found);
  const TimePoint now = clock_.Now();
  switch (MaintenanceStateAt(w, now)) {
    case MaintenanceState::kActive: break;
    case MaintenanceState::kScheduled:
      return Error::Conflict("maintenance window " + std::to_string(id) +
                             " has not started: delete it instead");
    case MaintenanceState::kPast:
      return Error::Conflict("maintenance window " + std::to_string(id) + " is over");
    case MaintenanceState::kCancelled:
      return Error::Conflict("maintenance window " + std::to_string(id) + " was cancelled");
  }
  w.ended_at = now;
  w.ended_by = actor;
  LOOM_RETURN_IF_ERROR(UpdateMaintenanceWindow(*db_, w));
  MaintenanceEnded ended;
  Result<std::vector<int64_t>> released = ReleaseHeldEscalations(w, actor, now);
  if (!released.ok()) return std::move(released).error();
  ended.released = std::move(*released);
  ended.window = std::move(w);
  return ended;
}

Result<MaintenanceWindow> SqlWriter::ApplyCancelMaintenance(int64_t id, const std::string& actor) {
  Result<std::optional<MaintenanceWindow>> found = ReadMaintenanceWindow(*db_, id);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return UnknownWindow(id);
  MaintenanceWindow w = std::move(**found);
  const std::string name = "maintenance window " + std::to_string(id);
  if (w.source == kMaintenanceFromConfig) {
    return Error::Conflict(name + " is defined in the configuration file ('" + w.config_id +
                           "'): remove it there");
  }
  const TimePoint now = clock_.Now();
  switch (MaintenanceStateAt(w, now)) {
    case MaintenanceState::kScheduled: break;
    case MaintenanceState::kActive:
      return Error::Conflict(name + " has started: end it instead (POST /v1/maintenance/" +
                             std::to_string(id) + "/end)");
    case MaintenanceState::kPast: return Error::Conflict(name + " is over");
    case MaintenanceState::kCancelled: return Error::Conflict(name + " was cancelled already");
  }
  w.cancelled_at = now;
  w.cancelled_by = actor;
  LOOM_RETURN_IF_ERROR(UpdateMaintenanceWindow(*db_, w));
  return w;
}

Status SqlWriter::ApplyConfiguredMaintenance(const std::vector<MaintenanceWindow>& configured) {
  const TimePoint now = clock_.Now();
  Result<std::vector<MaintenanceWindow>> stored = ReadMaintenanceWindows(*db_);
  if (!stored.ok()) return std::move(stored).error();
  std::set<std::string> kept;
  for (const MaintenanceWindow& c : configured) {
    kept.insert(c.config_id);
    const MaintenanceWindow* existing = nullptr;
    for (const MaintenanceWindow& s : *stored) {
      if (s.source == kMaintenanceFromConfig && s.config_id == c.config_id && !s.cancelled_at) {
        existing = &s;
      }
    }
    if (existing != nullptr && SameDefinition(*existing, c)) continue;
    MaintenanceWindow w = c;
    w.source = kMaintenanceFromConfig;
    w.created_by = "config";
    if (existing == nullptr) {
      w.created_at = now;
      Result<int64_t> id = InsertMaintenanceWindow(*db_, w);
      if (!id.ok()) return std::move(id).error();
      continue;
    }
    w.id = existing->id;
    w.created_at = existing->created_at;
    LOOM_RETURN_IF_ERROR(UpdateMaintenanceWindow(*db_, w));
    Result<std::vector<int64_t>> released = ReleaseHeldEscalations(*existing, "config", now);
    if (!released.ok()) return std::move(released).error();
  }
  for (MaintenanceWindow& s : *stored) {
    if (s.source != kMaintenanceFromConfig || s.cancelled_at || kept.count(s.config_id) != 0) {
      continue;
    }
    s.cancelled_at = now;
    s.cancelled_by = "config";
    LOOM_RETURN_IF_ERROR(UpdateMaintenanceWindow(*db_, s));
    Result<std::vector<int64_t>> released = ReleaseHeldEscalations(s, "config", now);
    if (!released.ok()) return std::move(released).error();
  }
  return OkStatus();
}

}  // namespace loom::sql
