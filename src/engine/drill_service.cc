#include "engine/drill_service.h"

#include <utility>

#include "common/crypto.h"
#include "engine/drill_deadline.h"

namespace loom {

DrillService::DrillService(Store& store, const Clock& clock, DrillSettings settings,
                           TimePoint anchor, DrillNotesWriter& notes,
                           std::function<bool(const std::string&)> is_user)
    : store_(store),
      clock_(clock),
      settings_(std::move(settings)),
      anchor_(anchor),
      notes_(notes),
      is_user_(std::move(is_user)) {}

Result<Incident> DrillService::Start(const DrillStart& start) {
  Result<std::optional<Service>> known = store_.GetService(start.service);
  if (!known.ok()) return std::move(known).error();
  if (!known->has_value()) {
    return Error::Invalid("unknown service '" + start.service + "'",
                          {{"/service", "is not a service"}});
  }
  Result<std::vector<Incident>> earlier = ListDrillIncidents(store_);
  if (!earlier.ok()) return std::move(earlier).error();

  DrillStartPlan plan = PlanDrillStart(start, "drill-" + RandomHex(8));
  // The next drill is due an interval after the latest drill's start: this one's, as opened.
  plan.next_due = [records = DrillRecordsOf(*earlier), settings = settings_, anchor = anchor_,
                   now = clock_.Now()](const Incident& opened) mutable -> Result<Deadline> {
    records.push_back({opened.number, opened.kind, opened.created_at});
    return DrillDueDeadline(PlanNextDrill(records, settings, anchor, now), settings);
  };
  return AwaitWrite<Incident>(
      [&](Callback<Incident> done) { store_.StartDrill(std::move(plan), std::move(done)); });
}

Result<DrillFinishOutcome> DrillService::Finish(const DrillFinish& finish) {
  Result<std::optional<IncidentDetail>> detail = store_.GetIncident(finish.number);
  if (!detail.ok()) return std::move(detail).error();
  if (!detail->has_value() || !(*detail)->incident.drill) {
    return Error::NotFound("no drill " + finish.name);
  }
  const Incident& drill = (*detail)->incident;
  if (drill.state == IncidentState::kClosed) {
    return Error::Conflict(finish.name + " is closed; the drill is finished");
  }

  DrillFinishOutcome out;
  DrillFinishPlan plan;
  plan.number = finish.number;
  plan.actor = finish.actor;
  // The follow-ups whose owner is a configured user are tracked like any other (reminders,
  // overdue notices, /v1/followups); the others live in the notes file only.
  for (const DrillFollowUp& item : finish.followups) {
    Result<TimePoint> due = ParseDue(item.due);
    if (!is_user_ || !is_user_(item.owner) || !due.ok()) {
      out.untracked.push_back(item.title);
      continue;
    }
    Followup f;
    f.title = item.title;
    f.owner = item.owner;
    f.due_at = *due;
    f.source_kind = "drill";
    f.source_ref = drill.id();
    f.service_id = drill.service_id;
    f.created_by = finish.actor;
    plan.followups.push_back(std::move(f));
  }
  DrillNotes notes;
  notes.what_worked = finish.what_worked;
  notes.gaps = finish.gaps;
  notes.followups = finish.followups;
  plan.write_notes = [this, notes = std::move(notes), at_finish = finish.participants](
                         const Incident& resolved,
                         const std::vector<TimelineEvent>& timeline) -> Result<std::string> {
    DrillNotes n = notes;
    n.incident = resolved;
    n.timeline = timeline;
    n.participants = DrillParticipants(timeline, at_finish);
    return notes_.Write(resolved, RenderDrillNotes(n));
  };

  Result<DrillFinished> finished = AwaitWrite<DrillFinished>(
      [&](Callback<DrillFinished> done) { store_.FinishDrill(std::move(plan), std::move(done)); });
  if (!finished.ok()) return std::move(finished).error();
  out.drill = std::move(finished->drill);
  out.notes_path = std::move(finished->notes_path);
  for (const Followup& f : finished->followups) out.tracked.push_back(f.id());
  return out;
}

}  // namespace loom
