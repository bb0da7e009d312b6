// SqlWriter, heartbeats (store/heartbeat_store.h, core/heartbeat.h): the definitions, the pings,
// and the heartbeat_expire deadlines, whose expiry opens the heartbeat's incident through the
// ingest path (ApplyIngest) in the firing's transaction.
#include <nlohmann/json.hpp>
#include <set>

#include "common/time_format.h"
#include "store/sql/heartbeat_tables.h"
#include "store/sql/sql_writer.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {
namespace {

Error UnknownHeartbeat(const std::string& id) {
  return Error::NotFound("heartbeat '" + id + "' not found");
}

}  // namespace

Status SqlWriter::ArmHeartbeat(Heartbeat& hb, TimePoint now) {
  LOOM_RETURN_IF_ERROR(CancelHeartbeatDeadline(*db_, hb.deadline_id, now));
  hb.deadline_id = 0;
  if (hb.state != HeartbeatState::kHealthy) return OkStatus();
  const std::optional<TimePoint> expires = HeartbeatExpiresAt(hb);
  if (!expires) return OkStatus();
  Deadline d;
  d.kind = DeadlineKind::kHeartbeatExpire;
  d.incident_number = 0;
  d.due_at = *expires;
  d.payload_json = nlohmann::json{{"heartbeat", hb.id}}.dump();
  Result<Deadline> inserted = deadlines_->Insert(std::move(d), now);
  if (!inserted.ok()) return std::move(inserted).error();
  hb.deadline_id = inserted->id;
  return OkStatus();
}

Result<Heartbeat> SqlWriter::ApplyCreateHeartbeat(Heartbeat hb) {
  LOOM_RETURN_IF_ERROR(ValidateHeartbeat(hb));
  if (!services_.GetService(hb.service_id)) {
    return Error::Invalid("unknown service '" + hb.service_id + "'",
                          {{"/service", "is not a service id"}});
  }
  Result<std::optional<Heartbeat>> same_id = ReadHeartbeat(*db_, hb.id);
  if (!same_id.ok()) return std::move(same_id).error();
  if (same_id->has_value()) return Error::Conflict("heartbeat '" + hb.id + "' exists");
  Result<std::optional<Heartbeat>> same_name = ReadHeartbeatByName(*db_, hb.service_id, hb.name);
  if (!same_name.ok()) return std::move(same_name).error();
  if (same_name->has_value()) {
    return Error::Conflict("service '" + hb.service_id + "' has a heartbeat named '" + hb.name +
                           "' (" + (*same_name)->id + ")");
  }
  const TimePoint now = clock_.Now();
  hb.source = kHeartbeatFromApi;
  hb.state = HeartbeatState::kInactive;
  hb.last_ping_at.reset();
  hb.resumed_at = now;
  hb.incident_number = 0;
  hb.deadline_id = 0;
  hb.created_at = now;
  hb.updated_at = now;
  LOOM_RETURN_IF_ERROR(InsertHeartbeat(*db_, hb));
  return hb;
}

Result<Heartbeat> SqlWriter::ApplyUpdateHeartbeat(const HeartbeatPatch& patch) {
  Result<std::optional<Heartbeat>> found = ReadHeartbeat(*db_, patch.id);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return UnknownHeartbeat(patch.id);
  Heartbeat hb = std::move(**found);
  const TimePoint now = clock_.Now();
  if (patch.name && *patch.name != hb.name) {
    Result<std::optional<Heartbeat>> same_name =
        ReadHeartbeatByName(*db_, hb.service_id, *patch.name);
    if (!same_name.ok()) return std::move(same_name).error();
    if (same_name->has_value()) {
      return Error::Conflict("service '" + hb.service_id + "' has a heartbeat named '" +
                             *patch.name + "' (" + (*same_name)->id + ")");
    }
    hb.name = *patch.name;
  }
  if (patch.interval) hb.interval = *patch.interval;
  if (patch.grace) hb.grace = *patch.grace;
  if (patch.severity) hb.severity = *patch.severity;
  if (patch.enabled) {
    // Enabled again: the expiry counts from now at the earliest.
    if (*patch.enabled && !hb.enabled) hb.resumed_at = now;
    hb.enabled = *patch.enabled;
  }
  LOOM_RETURN_IF_ERROR(ValidateHeartbeat(hb));
  hb.updated_at = now;
  LOOM_RETURN_IF_ERROR(ArmHeartbeat(hb, now));
  LOOM_RETURN_IF_ERROR(UpdateHeartbeat(*db_, hb));
  return hb;
}

Result<Heartbeat> SqlWriter::ApplyDeleteHeartbeat(const std::string& id) {
  Result<std::optional<Heartbeat>> found = ReadHeartbeat(*db_, id);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return UnknownHeartbeat(id);
  LOOM_RETURN_IF_ERROR(CancelHeartbeatDeadline(*db_, (*found)->deadline_id, clock_.Now()));
  LOOM_RETURN_IF_ERROR(DeleteHeartbeatRow(*db_, id));
  return std::move(**found);
}

Result<HeartbeatPinged> SqlWriter::ApplyPingHeartbeat(const HeartbeatPing& ping) {
  Result<std::optional<Heartbeat>> found =
      ping.id.empty() ? ReadHeartbeatByName(*db_, ping.service_id, ping.name)
                      : ReadHeartbeat(*db_, ping.id);
  if (!found.ok()) return std::move(found).error();
  const std::string& named = ping.id.empty() ? ping.name : ping.id;
  if (!found->has_value() || (*found)->service_id != ping.service_id) {
    return Error::NotFound("no heartbeat '" + named + "' on the service of this integration key");
  }
  HeartbeatPinged out;
  Heartbeat& hb = out.heartbeat;
  hb = std::move(**found);
  const TimePoint now = clock_.Now();
  hb.last_ping_at = now;
  if (hb.state == HeartbeatState::kHealthy) {
    // The hot path: one row update; the pending expiry re-arms itself when it fires.
    LOOM_RETURN_IF_ERROR(UpdateHeartbeatPing(*db_, hb.id, now));
    return out;
  }
  const bool was_expired = hb.state == HeartbeatState::kExpired;
  hb.state = HeartbeatState::kHealthy;
  hb.updated_at = now;
  LOOM_RETURN_IF_ERROR(ArmHeartbeat(hb, now));
  if (was_expired && hb.incident_number != 0) {
    // The expiry's alert ends through the ingest path (the service's auto_resolve may resolve
    // the incident there); otherwise the heartbeat resolves its incident itself.
    Result<IngestOutcome> recovered = ApplyIngest(HeartbeatRecoveredAlert(hb, now));
    if (!recovered.ok()) return std::move(recovered).error();
    Result<std::optional<IncidentRow>> inc = LoadIncident(hb.incident_number);
    if (!inc.ok()) return std::move(inc).error();
    if (inc->has_value() && (*inc)->incident.open()) {
      IncidentCommand resolve;
      resolve.type = IncidentCommand::Type::kResolve;
      resolve.incident_number = hb.incident_number;
      resolve.actor = HeartbeatActor(hb);
      resolve.note = "Heartbeat " + hb.name + " pinged at " + FormatRfc3339(now);
      Result<Incident> resolved = ApplyExecute(resolve);
      if (!resolved.ok()) return std::move(resolved).error();
      out.resolved_incident = hb.incident_number;
    } else if (recovered->incident_number == hb.incident_number) {
      out.resolved_incident = hb.incident_number;  // auto_resolve did it
    }
  }
  LOOM_RETURN_IF_ERROR(UpdateHeartbeat(*db_, hb));
  return out;
}

Status SqlWriter::ApplyConfiguredHeartbeats(const std::vector<Heartbeat>& configured) {
  const TimePoint now = clock_.Now();
  std::set<std::string> ids;
  for (const Heartbeat& c : configured) {
    LOOM_RETURN_IF_ERROR(ValidateHeartbeat(c));
    ids.insert(c.id);
    Result<std::optional<Heartbeat>> found = ReadHeartbeat(*db_, c.id);
    if (!found.ok()) return std::move(found).error();
    if (!found->has_value()) {
      Heartbeat hb = c;
      hb.source = kHeartbeatFromConfig;
      hb.state = HeartbeatState::kInactive;
      hb.last_ping_at.reset();
      hb.incident_number = 0;
      hb.deadline_id = 0;
      hb.created_at = now;
      hb.updated_at = now;
      LOOM_RETURN_IF_ERROR(InsertHeartbeat(*db_, hb));
      continue;
    }
    Heartbeat hb = std::move(**found);
    if (hb.service_id != c.service_id) {
      // Moved to another service: its history (pings, incident) belongs to the old one.
      LOOM_RETURN_IF_ERROR(CancelHeartbeatDeadline(*db_, hb.deadline_id, now));
      hb.state = HeartbeatState::kInactive;
      hb.last_ping_at.reset();
      hb.incident_number = 0;
      hb.deadline_id = 0;
    }
    hb.service_id = c.service_id;
    hb.name = c.name;
    hb.interval = c.interval;
    hb.grace = c.grace;
    hb.severity = c.severity;
    hb.enabled = c.enabled;
    hb.source = kHeartbeatFromConfig;
    hb.updated_at = now;
    LOOM_RETURN_IF_ERROR(UpdateHeartbeat(*db_, hb));
  }
  Result<std::vector<Heartbeat>> all = ReadHeartbeats(*db_);
  if (!all.ok()) return std::move(all).error();
  for (Heartbeat& hb : *all) {
    if (hb.source == kHeartbeatFromConfig && ids.count(hb.id) == 0) {
      LOOM_RETURN_IF_ERROR(CancelHeartbeatDeadline(*db_, hb.deadline_id, now));
      LOOM_RETURN_IF_ERROR(DeleteHeartbeatRow(*db_, hb.id));
      continue;
    }
    // Resumed: no expiry before interval + grace from now.
    hb.resumed_at = now;
    LOOM_RETURN_IF_ERROR(ArmHeartbeat(hb, now));
    LOOM_RETURN_IF_ERROR(UpdateHeartbeat(*db_, hb));
  }
  return OkStatus();
}

Status SqlWriter::FireHeartbeatDeadline(const Deadline& deadline, TimePoint now) {
  std::string id;
  try {
    const nlohmann::json payload = nlohmann::json::parse(deadline.payload_json);
    id = payload.value("heartbeat", std::string());
  } catch (const nlohmann::json::exception&) {
    return OkStatus();  // not one of ours: nothing to do
  }
  Result<std::optional<Heartbeat>> found = ReadHeartbeat(*db_, id);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return OkStatus();  // deleted meanwhile
  Heartbeat hb = std::move(**found);
  HeartbeatCheck check = CheckHeartbeat(hb, deadline.id, now);
  if (check.action == HeartbeatCheck::Action::kExpire) {  // not while in maintenance
    Result<std::optional<MaintenanceHold>> hold = MaintenanceHoldOf(hb.service_id, now);
    if (!hold.ok()) return std::move(hold).error();
    if (std::optional<TimePoint> resume = HeartbeatResumesAfter(check, *hold)) {
      hb.resumed_at = *resume;
      check.action = HeartbeatCheck::Action::kRearm;
      check.rearm_at = HeartbeatExpiresAt(hb).value_or(*resume);
    }
  }
  switch (check.action) {
    case HeartbeatCheck::Action::kNothing: return OkStatus();
    case HeartbeatCheck::Action::kRearm: {
      Deadline next;
      next.kind = DeadlineKind::kHeartbeatExpire;
      next.incident_number = 0;
      next.due_at = check.rearm_at;
      next.payload_json = deadline.payload_json;
      Result<Deadline> inserted = deadlines_->Insert(std::move(next), now);
      if (!inserted.ok()) return std::move(inserted).error();
      hb.deadline_id = inserted->id;
      break;
    }
    case HeartbeatCheck::Action::kExpire: {
      hb.state = HeartbeatState::kExpired;
      hb.deadline_id = 0;
      Result<IngestOutcome> opened = ApplyIngest(HeartbeatExpiredAlert(hb, now));
      if (!opened.ok()) return std::move(opened).error();
      hb.incident_number = opened->incident_number;
      break;
    }
  }
  hb.updated_at = now;
  return UpdateHeartbeat(*db_, hb);
}

}  // namespace loom::sql
