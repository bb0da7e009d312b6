// SqlWriter, a responder's command and the events other features append: the decision is
// core's (core/incident_transition.h); here the facts it needs are read and its plan written.
#include "core/incident_transition.h"
#include "store/sql/followup_tables.h"
#include "store/sql/link_tables.h"
#include "store/sql/security_tables.h"
#include "store/sql/sql_writer.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {

Result<Incident> SqlWriter::ApplyExecute(const IncidentCommand& command) {
  Result<std::optional<IncidentRow>> loaded = LoadIncident(command.incident_number);
  if (!loaded.ok()) return std::move(loaded).error();
  if (!loaded->has_value()) {
    return Error::NotFound(IncidentId(command.incident_number) + " not found");
  }
  const TimePoint now = clock_.Now();
  if ((command.type == IncidentCommand::Type::kAcknowledge ||
       command.type == IncidentCommand::Type::kEscalate) &&
      !command.link_nonce.empty()) {
    // First, so that a reused link says so whatever the incident's state; a later failure of the
    // command rolls this back with the savepoint and leaves the link unused.
    LOOM_RETURN_IF_ERROR(RecordUsedLink(*db_, command.link_nonce, command.incident_number, now));
  }
  Plan plan;
  plan.row = std::move(**loaded);
  // What the command does is core's decision (core/incident_transition.h); read here, in the
  // command's transaction, is only what it needs to know, so that no checklist or summary change
  // can slip in between the check and the state.
  const Incident& inc = plan.row.incident;
  const NeededFacts need = FactsFor(inc, command);
  TransitionFacts facts;
  facts.last_seq = plan.row.last_seq;
  if (need.last_status_update) {
    Result<std::optional<TimePoint>> last = deadlines_->LastStatusUpdate(inc.number);
    if (!last.ok()) return std::move(last).error();
    facts.last_status_update = *last;
  }
  if (need.summary) {
    Result<SummaryFacts> summary = ReadSummaryFacts(*db_, inc.number);
    if (!summary.ok()) return std::move(summary).error();
    facts.summary = std::move(summary->summary);
    facts.live_followups = summary->live_followups;
  }
  if (need.playbook) {
    Result<SecurityPlaybookState> playbook =
        ReadPlaybookState(*db_, inc.number, checklist_template_);
    if (!playbook.ok()) return std::move(playbook).error();
    facts.playbook = std::move(*playbook);
  }
  if (need.next_escalation) {
    Result<std::optional<Deadline>> next = deadlines_->NextEscalation(inc.number);
    if (!next.ok()) return std::move(next).error();
    facts.next_escalation = std::move(*next);
  }
  Result<TransitionPlan> decided = DecideCommand(inc, command, facts, now);
  if (!decided.ok()) return std::move(decided).error();
  if (!decided->changed) return std::move(decided->incident);
  AddTransition(plan, std::move(*decided), now);
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return plan.row.incident;
}

void SqlWriter::AddTransition(Plan& plan, TransitionPlan decided, TimePoint now) {
  const Incident& before = plan.row.incident;
  const Incident& after = decided.incident;
  // Columns beyond the counters and the chain changed: the full UPDATE.
  plan.full_update =
      plan.full_update || decided.end_group || after.state != before.state ||
      after.severity != before.severity || after.commander != before.commander ||
      after.acknowledged_at != before.acknowledged_at ||
      after.mitigated_at != before.mitigated_at || after.resolved_at != before.resolved_at ||
      after.closed_at != before.closed_at || after.alerts_resolved_at != before.alerts_resolved_at;
  plan.row.incident = std::move(decided.incident);
  if (decided.end_group) plan.row.group_open = false;
  if (decided.alert_status != nullptr) plan.bulk_alert_status = decided.alert_status;
  for (TransitionPlan::Event& e : decided.events) {
    AddEvent(plan, now, e.type.c_str(), e.actor, std::move(e.data_json));
  }
  plan.cancel_escalation = plan.cancel_escalation || decided.cancel_escalation;
  plan.cancel_cadence = plan.cancel_cadence || decided.cancel_cadence;
  plan.cancel_all = plan.cancel_all || decided.cancel_all;
  for (Deadline& d : decided.deadlines) plan.deadlines.push_back(std::move(d));
}

Result<TimelineEvent> SqlWriter::ApplySystemEvent(int64_t incident_number, const std::string& type,
                                                  const std::string& actor,
                                                  const std::string& data_json) {
  if (type.empty()) return Error::Invalid("the timeline event has no type");
  if (data_json.empty() || data_json.front() != '{' || data_json.back() != '}') {
    return Error::Invalid("the timeline event's data must be a JSON object");
  }
  Result<Plan> planned = PlanFor(incident_number);
  if (!planned.ok()) return std::move(planned).error();
  Plan& plan = *planned;
  AddEvent(plan, clock_.Now(), type.c_str(), actor, data_json);
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return plan.events.back();
}

Result<Incident> SqlWriter::ApplyIncidentEvent(int64_t number, const char* type,
                                               const std::string& actor,
                                               const IncidentWrite& apply) {
  Result<Plan> planned = PlanFor(number);
  if (!planned.ok()) return std::move(planned).error();
  Plan& plan = *planned;
  Result<std::string> data = apply(*db_, plan.row.incident);
  if (!data.ok()) return std::move(data).error();
  const TimePoint now = clock_.Now();
  plan.row.incident.updated_at = now;
  AddEvent(plan, now, type, actor, std::move(*data));
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return plan.row.incident;
}

Result<Incident> SqlWriter::AppendEvent(int64_t number, const std::string& type,
                                        const std::string& actor, std::string data_json) {
  return ApplyIncidentEvent(
      number, type.c_str(), actor,
      [&](Connection&, const Incident&) -> Result<std::string> { return std::move(data_json); });
}

}  // namespace loom::sql
