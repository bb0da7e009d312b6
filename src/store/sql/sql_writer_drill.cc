// SqlWriter's drill writes (Store::StartDrill, Store::FinishDrill): each plan's steps run one
// after the other inside the one command's savepoint, through the same Apply* methods as the
// single writes, so a failing step (or a failing hook of the plan) rolls every earlier step back
// with the savepoint. What each step does to the incident (pages, deadlines, timeline events)
// is decided where it is for any incident; this file only orders the steps.
#include <string>
#include <vector>

#include "store/sql/followup_tables.h"
#include "store/sql/row_codec.h"
#include "store/sql/sql_writer.h"

namespace loom::sql {
namespace {

IncidentCommand Command(IncidentCommand::Type type, int64_t number, const std::string& actor) {
  IncidentCommand c;
  c.type = type;
  c.incident_number = number;
  c.actor = actor;
  return c;
}

// The incident's timeline as this transaction sees it, by seq.
Result<std::vector<TimelineEvent>> ReadTimeline(Connection& db, int64_t number) {
  Result<Statement*> stmt =
      db.Prepare(std::string("SELECT ") + kTimelineColumns +
                 " FROM timeline_events WHERE incident_number = ?1 ORDER BY seq");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, number);
  std::vector<TimelineEvent> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    ReadTimelineEvent(q, &out.emplace_back());
  }
}

}  // namespace

Result<Incident> SqlWriter::ApplyStartDrill(const DrillStartPlan& plan) {
  Result<IngestOutcome> opened = ApplyIngest(plan.ingest);
  if (!opened.ok()) return std::move(opened).error();
  if (!opened->incident_created) {
    return Error::Internal("the drill's alert did not open an incident");
  }
  const int64_t number = opened->incident_number;
  if (!plan.commander.empty()) {
    IncidentCommand c = Command(IncidentCommand::Type::kSetCommander, number, plan.actor);
    c.commander = plan.commander;
    Result<Incident> set = ApplyExecute(c);
    if (!set.ok()) return std::move(set).error();
  }
  if (!plan.participants_note.empty()) {
    IncidentCommand c = Command(IncidentCommand::Type::kAddNote, number, plan.actor);
    c.note = plan.participants_note;
    Result<Incident> noted = ApplyExecute(c);
    if (!noted.ok()) return std::move(noted).error();
  }
  Result<std::optional<IncidentRow>> row = LoadIncident(number);
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) return Error::Internal(IncidentId(number) + " vanished while opened");
  Incident drill = std::move((*row)->incident);
  if (plan.next_due) {
    Result<Deadline> next = plan.next_due(drill);
    if (!next.ok()) return std::move(next).error();
    Result<Deadline> scheduled = ApplyScheduleDrillDue(*next);
    if (!scheduled.ok()) return std::move(scheduled).error();
  }
  return drill;
}

Result<DrillFinished> SqlWriter::ApplyFinishDrill(const DrillFinishPlan& plan) {
  const int64_t number = plan.number;
  Result<std::optional<IncidentRow>> row = LoadIncident(number);
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value() || !(*row)->incident.drill) {
    return Error::NotFound("no drill " + IncidentId(number));
  }
  const Incident& drill = (*row)->incident;
  if (drill.state == IncidentState::kClosed) {
    return Error::Conflict(drill.id() + " is closed; the drill is finished");
  }
  // A Sev1/2 drill needs a commander to be resolved: whoever finishes it, when none was named.
  if (drill.commander.empty()) {
    IncidentCommand c = Command(IncidentCommand::Type::kSetCommander, number, plan.actor);
    c.commander = plan.actor;
    Result<Incident> set = ApplyExecute(c);
    if (!set.ok()) return std::move(set).error();
  }
  if (drill.open()) {
    IncidentCommand c = Command(IncidentCommand::Type::kResolve, number, plan.actor);
    c.note = "drill finished";
    Result<Incident> resolved = ApplyExecute(c);
    if (!resolved.ok()) return std::move(resolved).error();
  }
  DrillFinished out;
  if (plan.write_notes) {
    Result<std::optional<IncidentRow>> resolved = LoadIncident(number);
    if (!resolved.ok()) return std::move(resolved).error();
    if (!resolved->has_value()) return Error::Internal(IncidentId(number) + " vanished");
    Result<std::vector<TimelineEvent>> timeline = ReadTimeline(*db_, number);
    if (!timeline.ok()) return std::move(timeline).error();
    Result<std::string> path = plan.write_notes((*resolved)->incident, *timeline);
    if (!path.ok()) return std::move(path).error();
    out.notes_path = std::move(*path);
  }
  IncidentCommand close = Command(IncidentCommand::Type::kClose, number, plan.actor);
  close.note = "drill notes: " + out.notes_path;
  Result<Incident> closed = ApplyExecute(close);
  if (!closed.ok()) return std::move(closed).error();
  out.drill = std::move(*closed);
  const TimePoint now = clock_.Now();
  for (const Followup& f : plan.followups) {
    Result<Followup> created = InsertFollowup(*this, f, now);
    if (!created.ok()) return std::move(created).error();
    out.followups.push_back(std::move(*created));
  }
  return out;
}

}  // namespace loom::sql
