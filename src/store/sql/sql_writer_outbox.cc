// SqlWriter, deadlines and the outbox: a plan's deadlines (and those due at once, fired in the
// same transaction), the escalation engine's firings, the drill schedule, and delivery records.
#include <map>

#include "store/sql/drill_tables.h"
#include "store/sql/sql_writer.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {

Status SqlWriter::WriteDeadlines(const Plan& plan, TimePoint now) {
  const int64_t number = plan.row.incident.number;
  // Messages not yet sent go with the deadlines that would have sent them: an acknowledged
  // incident stops its pending pages (and their later contact methods) too.
  const std::string reason = std::string("incident ") + IncidentStateName(plan.row.incident.state);
  auto cancel = [&](DeadlineFamily family) -> Status {
    LOOM_RETURN_IF_ERROR(deadlines_->Cancel(number, family, now));
    return deadlines_->CancelOutbox(number, family, reason.c_str());
  };
  if (plan.cancel_all) {
    LOOM_RETURN_IF_ERROR(cancel(DeadlineFamily::kAll));
  } else {
    if (plan.cancel_escalation) LOOM_RETURN_IF_ERROR(cancel(DeadlineFamily::kEscalation));
    if (plan.cancel_cadence) LOOM_RETURN_IF_ERROR(cancel(DeadlineFamily::kCadence));
  }
  for (const Deadline& d : plan.deadlines) {
    Result<Deadline> inserted = deadlines_->Insert(d, now);
    if (!inserted.ok()) return std::move(inserted).error();
  }
  return OkStatus();
}

void SqlWriter::SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now) {
  deadlines_->SetListener(std::move(listener));
  std::lock_guard<std::mutex> lock(hooks_mu_);
  fire_now_ = std::move(fire_now);
}

void SqlWriter::SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) {
  deadlines_->SetOutboxListener(std::move(listener));
  std::lock_guard<std::mutex> lock(hooks_mu_);
  fanout_ = std::move(fanout);
}

void SqlWriter::AddEffects(Plan& plan, DeadlineEffects effects, TimePoint now) {
  for (DeadlineEffects::Event& e : effects.events) {
    AddEvent(plan, now, e.type.c_str(), "system", std::move(e.data_json));
  }
  for (OutboxEntry& entry : effects.outbox) {
    entry.incident_number = plan.row.incident.number;
    plan.outbox.push_back(std::move(entry));
  }
  for (Deadline& d : effects.deadlines) {
    d.incident_number = plan.row.incident.number;
    plan.deadlines.push_back(std::move(d));
  }
}

void SqlWriter::FireDueDeadlines(Plan& plan, TimePoint now) {
  if (!batch_fire_now_ || plan.head_only) return;
  // A bound on chains of due-now deadlines (every role of every step empty): far above any plan.
  constexpr int kMaxImmediate = 64;
  int fired = 0;
  for (size_t i = 0; i < plan.deadlines.size() && fired < kMaxImmediate;) {
    if (plan.deadlines[i].due_at > now) {
      ++i;
      continue;
    }
    Deadline due = std::move(plan.deadlines[i]);
    plan.deadlines.erase(plan.deadlines.begin() + static_cast<std::ptrdiff_t>(i));
    ++fired;
    std::optional<Incident> incident = plan.row.incident;
    AddEffects(plan, batch_fire_now_(due, incident, now), now);
  }
}

Result<DeadlineFiring> SqlWriter::ApplyFireDeadline(int64_t id, const DeadlineHandler& handler) {
  Result<std::optional<Deadline>> found = deadlines_->FindPending(id);
  if (!found.ok()) return std::move(found).error();
  DeadlineFiring firing;
  if (!found->has_value()) return firing;  // fired or cancelled already
  const Deadline& deadline = **found;
  const TimePoint now = clock_.Now();
  if (deadline.kind == DeadlineKind::kHeartbeatExpire) {  // decided here, not by `handler`
    LOOM_RETURN_IF_ERROR(deadlines_->MarkFired(id, now));
    LOOM_RETURN_IF_ERROR(FireHeartbeatDeadline(deadline, now));
    firing.fired = true;
    firing.fired_at = now;
    return firing;
  }

  Plan plan;
  std::optional<Incident> incident;
  if (deadline.incident_number != 0) {
    Result<std::optional<IncidentRow>> loaded = LoadIncident(deadline.incident_number);
    if (!loaded.ok()) return std::move(loaded).error();
    if (loaded->has_value()) {
      plan.row = std::move(**loaded);
      if (deadline.kind == DeadlineKind::kEscalate) {
        Result<std::optional<MaintenanceHold>> hold =
            MaintenanceHoldOf(plan.row.incident.service_id, now);
        if (!hold.ok()) return std::move(hold).error();
        plan.row.incident.maintenance = std::move(*hold);
      }
      incident = plan.row.incident;
    }
  }
  DeadlineEffects effects = handler(deadline, incident, now);
  LOOM_RETURN_IF_ERROR(deadlines_->MarkFired(id, now));
  firing.fired = true;
  firing.fired_at = now;
  if (incident) {
    AddEffects(plan, std::move(effects), now);
    LOOM_RETURN_IF_ERROR(WritePlan(plan));
    firing.outbox_inserted = plan.outbox_inserted;
  } else if (deadline.incident_number == 0) {
    // A deadline of no incident (a follow-up's reminder, drill_due): its messages and next
    // deadlines stand alone; timeline events have no incident to go to.
    for (OutboxEntry& entry : effects.outbox) {
      entry.incident_number = 0;
      Result<bool> inserted = deadlines_->InsertOutbox(entry, now);
      if (!inserted.ok()) return std::move(inserted).error();
      if (*inserted) ++firing.outbox_inserted;
    }
    for (Deadline& d : effects.deadlines) {
      d.incident_number = 0;
      Result<Deadline> inserted = deadlines_->Insert(std::move(d), now);
      if (!inserted.ok()) return std::move(inserted).error();
    }
  }
  return firing;
}

Result<Deadline> SqlWriter::ApplyScheduleDrillDue(const Deadline& deadline) {
  const TimePoint now = clock_.Now();
  LOOM_RETURN_IF_ERROR(CancelPendingDrillDue(*db_, now));
  Deadline d = deadline;
  d.incident_number = 0;
  d.kind = DeadlineKind::kDrillDue;
  return deadlines_->Insert(std::move(d), now);
}

Result<int64_t> SqlWriter::ApplyRecordDeliveries(const std::vector<DeliveryRecord>& records) {
  const TimePoint now = clock_.Now();
  int64_t changed = 0;
  // One plan per incident, so that its timeline events chain in order.
  std::map<int64_t, Plan> plans;
  for (const DeliveryRecord& r : records) {
    Result<bool> updated = deadlines_->RecordDelivery(r, now);
    if (!updated.ok()) return std::move(updated).error();
    if (!*updated) continue;  // cancelled or recorded meanwhile
    ++changed;
    if (r.incident_number == 0) continue;
    auto [it, fresh] = plans.try_emplace(r.incident_number);
    Plan& plan = it->second;
    if (fresh) {
      Result<std::optional<IncidentRow>> loaded = LoadIncident(r.incident_number);
      if (!loaded.ok()) return std::move(loaded).error();
      if (!loaded->has_value()) {
        plans.erase(it);
        continue;
      }
      plan.row = std::move(**loaded);
    }
    if (!r.event_type.empty()) {
      AddEvent(plan, now, r.event_type.c_str(), "system", r.event_data_json);
    }
    for (const OutboxEntry& follow : r.follow_up) {
      // Already planned for later (a rule's delay): bring it forward instead.
      Result<bool> moved = deadlines_->AdvanceOutbox(follow);
      if (!moved.ok()) return std::move(moved).error();
      if (*moved) continue;
      OutboxEntry e = follow;
      e.incident_number = r.incident_number;
      plan.outbox.push_back(std::move(e));
    }
  }
  for (auto& [number, plan] : plans) LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return changed;
}

Result<int64_t> SqlWriter::ApplyClaimOutbox(const std::vector<OutboxClaim>& claims) {
  int64_t changed = 0;
  for (const OutboxClaim& claim : claims) {
    Result<bool> claimed = deadlines_->ClaimOutbox(claim);
    if (!claimed.ok()) return std::move(claimed).error();
    if (*claimed) ++changed;
  }
  return changed;
}

Status SqlWriter::ApplyDisableDestination(const std::string& key, const std::string& reason) {
  return deadlines_->DisableDestination(key, reason, clock_.Now());
}

}  // namespace loom::sql
