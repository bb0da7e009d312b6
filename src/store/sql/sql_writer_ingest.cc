// SqlWriter, an integration's events: the open group an event joins (by dedup key, or by
// services[].grouping), and the writes of what core/integration_transition.h decides the event
// does to its member alerts (DecideMemberChange) and to the incident (GroupCloses, ...).
#include <algorithm>
#include <map>

#include "common/json_writer.h"
#include "core/integration_transition.h"
#include "store/sql/security_tables.h"
#include "store/sql/sql_writer.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {

void SqlWriter::StartIncident(Plan& plan, const IngestRequest& request, Severity severity,
                              IncidentKind kind, TimePoint now) {
  plan.create = true;
  IncidentRow& row = plan.row;
  Incident& inc = row.incident;
  inc.number = counters_.next_incident_number++;
  inc.service_id = request.service_id;
  inc.title = request.title.empty() ? request.dedup_key : request.title;
  inc.severity = severity;
  inc.kind = kind;
  inc.dedup_key = request.dedup_key;
  inc.created_at = now;
  inc.updated_at = now;
  inc.drill = request.drill;
  row.integration_key_id = request.integration_key_id;
  row.group_open = true;
  AddTransition(
      plan,
      DecideOpen(inc, request.actor.empty() ? IntegrationActor(request.service_id) : request.actor,
                 now),
      now);
}

void SqlWriter::AddAlert(Plan& plan, const IngestRequest& request, const AlertUpdate& update,
                         TimePoint now) {
  Incident& inc = plan.row.incident;
  AlertWrite w;
  w.insert = true;
  Alert& a = w.alert;
  a.id = counters_.next_alert_id++;
  a.incident_number = inc.number;
  a.service_id = request.service_id;
  a.dedup_key = request.dedup_key;
  a.fingerprint = update.fingerprint;
  a.status = kAlertFiring;
  a.summary = update.summary;
  a.source = update.source;
  a.raw_severity = update.raw_severity;
  a.severity = update.severity;
  a.created_at = now;
  a.updated_at = now;
  a.details_json = update.details_json.empty() ? "{}" : update.details_json;
  w.group_key = update.group_key;
  inc.alert_count += 1;
  inc.firing_alert_count += 1;
  inc.updated_at = now;
  plan.counters_changed = true;
  JsonObjectWriter data;
  data.Add("alert_id", a.id);
  if (!a.fingerprint.empty()) data.Add("fingerprint", a.fingerprint);
  data.Add("summary", a.summary).Add("severity", SeverityName(a.severity));
  if (!a.source.empty()) data.Add("source", a.source);
  // Joined an incident opened for another dedup key (services[].grouping).
  if (a.dedup_key != inc.dedup_key) data.Add("dedup_key", a.dedup_key).AddBool("grouped", true);
  AddEvent(plan, now, "alert.triggered", IntegrationActor(request.service_id), data.Finish());
  plan.alerts.push_back(std::move(w));
}

bool SqlWriter::AcknowledgeFromIntegration(Plan& plan, const std::string& actor, TimePoint now) {
  TransitionFacts facts;
  facts.last_seq = plan.row.last_seq;
  TransitionPlan decided = DecideIntegrationAcknowledge(plan.row.incident, actor, facts, now);
  if (!decided.changed) return false;
  AddTransition(plan, std::move(decided), now);
  return true;
}

Status SqlWriter::CloseGroup(Plan& plan, const std::string& actor, int64_t alerts_resolved,
                             TimePoint now) {
  const Incident& inc = plan.row.incident;
  const bool auto_resolve = services_.AutoResolve(inc.service_id);
  TransitionFacts facts;
  facts.last_seq = plan.row.last_seq;
  if (GroupCloseNeedsPlaybook(inc, auto_resolve)) {
    Result<SecurityPlaybookState> playbook =
        ReadPlaybookState(*db_, inc.number, checklist_template_);
    if (!playbook.ok()) return std::move(playbook).error();
    facts.playbook = std::move(*playbook);
  }
  AddTransition(plan, DecideGroupClosed(inc, actor, alerts_resolved, auto_resolve, facts, now),
                now);
  return OkStatus();
}

IngestOutcome SqlWriter::OutcomeOf(const Plan& plan, const std::string& dedup_key) {
  IngestOutcome out;
  out.dedup_key = dedup_key;
  out.incident_number = plan.row.incident.number;
  out.incident_created = plan.create;
  out.alerts_firing = plan.row.incident.firing_alert_count;
  out.alerts_resolved = plan.row.incident.alert_count - plan.row.incident.firing_alert_count;
  return out;
}

Result<IngestOutcome> SqlWriter::ApplyIngest(const IngestRequest& request) {
  if (request.alerts.empty()) return Error::Invalid("the ingest request carries no alert");
  if (request.dedup_key.empty()) return Error::Invalid("the ingest request has no dedup key");
  if (request.service_id.empty()) return Error::Invalid("the ingest request has no service");
  const TimePoint now = clock_.Now();
  const bool keyed = std::any_of(request.alerts.begin(), request.alerts.end(),
                                 [](const AlertUpdate& a) { return !a.fingerprint.empty(); });
  if (keyed) return IngestKeyed(request, now);
  // PagerDuty-style: every alert is its own event on the dedup key, applied in order.
  Result<IngestOutcome> outcome = IngestOutcome{};
  for (const AlertUpdate& alert : request.alerts) {
    outcome = IngestUnkeyed(request, alert, now);
    if (!outcome.ok()) return outcome;
  }
  return outcome;
}

Result<IngestOutcome> SqlWriter::IngestUnkeyed(const IngestRequest& request,
                                               const AlertUpdate& alert, TimePoint now) {
  // A trigger into an open incident changes only its counters and chain (the hot path); the
  // other actions rewrite the whole row, so they load all of it.
  Result<std::optional<IncidentRow>> open =
      alert.action == AlertAction::kTrigger
          ? FindOpenIncidentHead(request.integration_key_id, request.dedup_key)
          : FindOpenIncident(request.integration_key_id, request.dedup_key);
  if (!open.ok()) return std::move(open).error();
  const std::string actor = IntegrationActor(request.service_id);
  Plan plan;
  switch (alert.action) {
    case AlertAction::kTrigger:
      if (open->has_value()) {
        plan.row = std::move(**open);
        plan.head_only = true;
      } else {
        StartIncident(plan, request, alert.severity, alert.kind, now);
      }
      AddAlert(plan, request, alert, now);
      break;
    case AlertAction::kAcknowledge:
      if (!open->has_value()) return IngestOutcome{request.dedup_key};
      plan.row = std::move(**open);
      if (!AcknowledgeFromIntegration(plan, actor, now)) {
        return OutcomeOf(plan, request.dedup_key);  // already acknowledged or later: no-op
      }
      break;
    case AlertAction::kResolve: {
      if (!open->has_value()) return IngestOutcome{request.dedup_key};
      plan.row = std::move(**open);
      const int64_t resolved = ResolveEveryMember(plan.row.incident);
      plan.bulk_alert_status = kAlertResolved;
      if (GroupCloses(plan.row.incident)) {
        LOOM_RETURN_IF_ERROR(CloseGroup(plan, actor, resolved, now));
      }
      break;
    }
  }
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  return OutcomeOf(plan, request.dedup_key);
}

Result<std::optional<IncidentRow>> SqlWriter::FindGroupedIncident(const IngestRequest& request,
                                                                  const AlertUpdate* lead,
                                                                  TimePoint now) {
  const Duration window = services_.GroupingWindow(request.service_id);
  if (window <= Duration::zero() || request.drill) return std::optional<IncidentRow>();
  int64_t number = 0;
  for (const AlertUpdate& a : request.alerts) {
    Query q(st_->find_grouped_member);
    q.BindRef(1, request.service_id);
    q.BindRef(2, a.fingerprint);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (*row) {
      number = q.Int(0);
      break;
    }
  }
  if (number == 0 && lead != nullptr && !lead->group_key.empty()) {
    Query q(st_->find_group);
    q.BindRef(1, request.service_id);
    q.BindRef(2, lead->group_key);
    q.Bind(3, now - window);
    q.Bind(4, static_cast<int64_t>(lead->severity));
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (*row) number = q.Int(0);
  }
  if (number == 0) return std::optional<IncidentRow>();
  return LoadIncident(number);
}

Result<int64_t> SqlWriter::ResolveElsewhere(const IngestRequest& request,
                                            const std::vector<const AlertUpdate*>& resolves,
                                            int64_t except, TimePoint now) {
  // By incident, so that each incident is written once with all of its alerts.
  std::map<int64_t, std::vector<Alert>> by_incident;
  for (const AlertUpdate* update : resolves) {
    Query q(st_->find_active_elsewhere);
    q.BindRef(1, request.service_id);
    q.BindRef(2, update->fingerprint);
    q.Bind(3, except);
    while (true) {
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) break;
      Alert a;
      ReadAlert(q, &a);
      by_incident[a.incident_number].push_back(std::move(a));
    }
  }
  const std::string actor = IntegrationActor(request.service_id);
  int64_t last = 0;
  for (auto& [number, alerts] : by_incident) {
    Result<Plan> planned = PlanFor(number);
    if (!planned.ok()) return std::move(planned).error();
    Plan& plan = *planned;
    Incident& inc = plan.row.incident;
    // Recorded on the incident whatever its state: its timeline shows when the alert ended.
    for (Alert& a : alerts) {
      plan.alerts.push_back(AlertWrite{std::move(a), false, false, {}});
      ResolveMember(plan, plan.alerts.back(), actor, now);
    }
    if (GroupCloses(inc)) {
      inc.firing_alert_count = 0;
      LOOM_RETURN_IF_ERROR(CloseGroup(plan, actor, static_cast<int64_t>(alerts.size()), now));
    }
    LOOM_RETURN_IF_ERROR(WritePlan(plan));
    last = number;
  }
  return last;
}

void SqlWriter::ResolveMember(Plan& plan, AlertWrite& w, const std::string& actor, TimePoint now) {
  Incident& inc = plan.row.incident;
  Alert& a = w.alert;
  a.status = kAlertResolved;
  a.resolved_at = now;
  a.updated_at = now;
  w.changed = true;
  inc.firing_alert_count -= 1;
  inc.updated_at = now;
  plan.counters_changed = true;
  JsonObjectWriter data;
  data.Add("alert_id", a.id).Add("fingerprint", a.fingerprint).Add("summary", a.summary);
  // After a responder resolved or closed the incident (its group closed while the alert fired).
  if (!inc.open()) data.Add("incident_state", IncidentStateName(inc.state));
  AddEvent(plan, now, "alert.resolved", actor, data.Finish());
}

void SqlWriter::RefireMember(Plan& plan, AlertWrite& w, const AlertUpdate& update,
                             const std::string& actor, TimePoint now) {
  Incident& inc = plan.row.incident;
  Alert& a = w.alert;
  a.status = kAlertFiring;
  a.resolved_at.reset();
  a.updated_at = now;
  w.changed = true;
  inc.firing_alert_count += 1;
  inc.updated_at = now;
  plan.counters_changed = true;
  AddEvent(plan, now, "alert.triggered", actor,
           JsonObjectWriter()
               .Add("alert_id", a.id)
               .Add("fingerprint", a.fingerprint)
               .Add("summary", update.summary)
               .Add("severity", SeverityName(update.severity))
               .AddBool("refire", true)
               .Finish());
}

Result<IngestOutcome> SqlWriter::IngestKeyed(const IngestRequest& request, TimePoint now) {
  Result<std::optional<IncidentRow>> open =
      FindOpenIncident(request.integration_key_id, request.dedup_key);
  if (!open.ok()) return std::move(open).error();
  const std::string actor = IntegrationActor(request.service_id);
  const AlertUpdate* lead = nullptr;  // the most severe firing alert leads a new incident
  std::vector<const AlertUpdate*> resolves;
  for (const AlertUpdate& a : request.alerts) {
    if (a.action == AlertAction::kResolve) resolves.push_back(&a);
    if (a.action != AlertAction::kTrigger) continue;
    if (lead == nullptr || static_cast<int>(a.severity) < static_cast<int>(lead->severity)) {
      lead = &a;
    }
  }
  if (!open->has_value()) {
    open = FindGroupedIncident(request, lead, now);
    if (!open.ok()) return std::move(open).error();
  }
  Plan plan;
  if (open->has_value()) {
    plan.row = std::move(**open);
  } else if (lead == nullptr) {
    // Only resolves (or acknowledgements) and no open group: the alerts may still be active on
    // an incident whose group a responder closed.
    Result<int64_t> changed = ResolveElsewhere(request, resolves, 0, now);
    if (!changed.ok()) return std::move(changed).error();
    IngestOutcome out;
    out.dedup_key = request.dedup_key;
    out.incident_number = *changed;
    return out;
  } else {
    StartIncident(plan, request, lead->severity, lead->kind, now);
  }
  Incident& inc = plan.row.incident;

  // The member alert with `fingerprint`: one this request already touched, else the stored one.
  auto member = [&](const std::string& fingerprint) -> Result<AlertWrite*> {
    for (AlertWrite& w : plan.alerts) {
      if (w.alert.fingerprint == fingerprint) return &w;
    }
    if (plan.create) return static_cast<AlertWrite*>(nullptr);
    Result<std::optional<Alert>> stored = FindAlertByFingerprint(inc.number, fingerprint);
    if (!stored.ok()) return std::move(stored).error();
    if (!stored->has_value()) return static_cast<AlertWrite*>(nullptr);
    plan.alerts.push_back(AlertWrite{std::move(**stored), false, false, {}});
    return &plan.alerts.back();
  };

  int64_t resolved_now = 0;
  bool acknowledge = false;
  for (const AlertUpdate& update : request.alerts) {
    if (update.action == AlertAction::kAcknowledge) {
      acknowledge = true;
      continue;
    }
    Result<AlertWrite*> found = member(update.fingerprint);
    if (!found.ok()) return std::move(found).error();
    AlertWrite* w = *found;
    switch (DecideMemberChange(update.action, w == nullptr ? nullptr : &w->alert)) {
      case MemberChange::kAdd: AddAlert(plan, request, update, now); break;
      case MemberChange::kRefire: RefireMember(plan, *w, update, actor, now); break;
      case MemberChange::kHeard:
        // Alertmanager repeats the group; note that we heard from it.
        w->alert.updated_at = now;
        w->changed = true;
        break;
      case MemberChange::kResolve:
        ResolveMember(plan, *w, actor, now);
        ++resolved_now;
        break;
      case MemberChange::kNone: break;
    }
  }
  if (acknowledge) AcknowledgeFromIntegration(plan, actor, now);
  if (GroupCloses(inc)) {
    inc.firing_alert_count = 0;
    LOOM_RETURN_IF_ERROR(CloseGroup(plan, actor, resolved_now, now));
  }
  LOOM_RETURN_IF_ERROR(WritePlan(plan));
  if (!resolves.empty()) {
    // The same alerts may also be active on an earlier incident whose group a responder closed
    // while they fired (a later trigger opened this one).
    Result<int64_t> changed = ResolveElsewhere(request, resolves, inc.number, now);
    if (!changed.ok()) return std::move(changed).error();
  }
  return OutcomeOf(plan, request.dedup_key);
}

}  // namespace loom::sql
