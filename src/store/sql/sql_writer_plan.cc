// SqlWriter, a change to one incident as a Plan: the reads inside the transaction, the events
// appended to the chain, and WritePlan, which writes it all in foreign-key order.
#include "core/timeline.h"
#include "store/sql/read_rows.h"
#include "store/sql/sql_writer.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {

Result<std::optional<IncidentRow>> SqlWriter::FindOpenIncident(int64_t integration_key_id,
                                                               const std::string& dedup_key) {
  if (const IncidentHead* head = pending_.FindByGroup(integration_key_id, dedup_key)) {
    LOOM_RETURN_IF_ERROR(FlushPendingHead(head->number));
  }
  Query q(st_->find_open);
  q.Bind(1, integration_key_id);
  q.BindRef(2, dedup_key);
  return ReadOne<IncidentRow>(q, ReadIncidentRow);
}

Result<std::optional<IncidentRow>> SqlWriter::FindOpenIncidentHead(int64_t integration_key_id,
                                                                   const std::string& dedup_key) {
  IncidentRow r;
  r.integration_key_id = integration_key_id;
  r.incident.dedup_key = dedup_key;
  r.group_open = true;
  if (const IncidentHead* head = pending_.FindByGroup(integration_key_id, dedup_key)) {
    r.incident.number = head->number;
    r.incident.alert_count = head->alert_count;
    r.incident.firing_alert_count = head->firing_alert_count;
    r.incident.updated_at = head->updated_at;
    r.last_seq = head->last_seq;
    r.last_hash = head->last_hash;
    return std::optional<IncidentRow>(std::move(r));
  }
  Query q(st_->find_open_head);
  q.Bind(1, integration_key_id);
  q.BindRef(2, dedup_key);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<IncidentRow>();
  r.incident.number = q.Int(0);
  r.incident.alert_count = q.Int(1);
  r.incident.firing_alert_count = q.Int(2);
  r.last_seq = q.Int(3);
  r.last_hash = q.Text(4);
  return std::optional<IncidentRow>(std::move(r));
}

Status SqlWriter::FlushPendingHead(int64_t number) {
  std::optional<IncidentHead> head = pending_.Take(number);
  if (!head) return OkStatus();
  return WriteHead(*head);
}

Status SqlWriter::WriteHead(const IncidentHead& head) {
  Query q(st_->update_incident_counters);
  q.Bind(1, head.number);
  q.Bind(2, head.alert_count);
  q.Bind(3, head.firing_alert_count);
  q.Bind(4, head.updated_at);
  q.Bind(5, head.last_seq);
  q.BindRef(6, head.last_hash);
  return q.Send();
}

Result<std::optional<IncidentRow>> SqlWriter::LoadIncident(int64_t number) {
  LOOM_RETURN_IF_ERROR(FlushPendingHead(number));
  Query q(st_->load_incident);
  q.Bind(1, number);
  return ReadOne<IncidentRow>(q, ReadIncidentRow);
}

Result<SqlWriter::Plan> SqlWriter::PlanFor(int64_t number) {
  Result<std::optional<IncidentRow>> loaded = LoadIncident(number);
  if (!loaded.ok()) return std::move(loaded).error();
  if (!loaded->has_value()) return Error::NotFound(IncidentId(number) + " not found");
  Plan plan;
  plan.row = std::move(**loaded);
  return plan;
}

Result<std::optional<Alert>> SqlWriter::FindAlertByFingerprint(int64_t incident_number,
                                                               const std::string& fingerprint) {
  Query q(st_->find_alert);
  q.Bind(1, incident_number);
  q.Bind(2, fingerprint);
  return ReadOne<Alert>(q, ReadAlert);
}

void SqlWriter::AddEvent(Plan& plan, TimePoint at, const char* type, const std::string& actor,
                         std::string data_json) {
  TimelineEvent e;
  e.incident_number = plan.row.incident.number;
  e.seq = plan.row.last_seq + 1;
  e.at = at;
  e.type = type;
  e.actor = actor;
  e.data_json = std::move(data_json);
  e.prev_hash = std::move(plan.row.last_hash);
  e.hash = TimelineHash(e);
  plan.row.last_seq = e.seq;
  plan.row.last_hash = e.hash;
  plan.events.push_back(std::move(e));
}

Status SqlWriter::WritePlan(Plan& plan) {
  const TimePoint now = clock_.Now();
  LOOM_RETURN_IF_ERROR(FillMaintenance(plan, now));
  FireDueDeadlines(plan, now);
  const IncidentRow& row = plan.row;
  const Incident& inc = row.incident;
  if (plan.full_update && plan.head_only) {
    return Error::Internal("a partially loaded incident cannot be rewritten in full");
  }
  if (plan.create) {
    Query q(st_->insert_incident);
    q.Bind(1, inc.number);
    q.BindRef(2, inc.service_id);
    q.BindRef(3, inc.title);
    q.Bind(4, static_cast<int64_t>(inc.severity));
    q.BindRef(5, IncidentKindName(inc.kind));
    q.BindRef(6, IncidentStateName(inc.state));
    q.BindRef(7, inc.commander);
    q.Bind(8, EncodeResponders(inc.responders));
    q.BindRef(9, inc.dedup_key);
    q.Bind(10, inc.alert_count);
    q.Bind(11, inc.firing_alert_count);
    q.Bind(12, inc.created_at);
    q.Bind(13, inc.updated_at);
    q.Bind(14, inc.acknowledged_at);
    q.Bind(15, inc.mitigated_at);
    q.Bind(16, inc.resolved_at);
    q.Bind(17, inc.closed_at);
    q.Bind(18, inc.alerts_resolved_at);
    q.Bind(19, static_cast<int64_t>(inc.drill ? 1 : 0));
    q.Bind(20, row.integration_key_id);
    q.Bind(21, static_cast<int64_t>(row.group_open ? 1 : 0));
    q.Bind(22, row.last_seq);
    q.BindRef(23, row.last_hash);
    LOOM_RETURN_IF_ERROR(q.Send());
  } else if (plan.full_update) {
    Query q(st_->update_incident);
    q.Bind(1, inc.number);
    q.BindRef(2, inc.title);
    q.Bind(3, static_cast<int64_t>(inc.severity));
    q.BindRef(4, IncidentKindName(inc.kind));
    q.BindRef(5, IncidentStateName(inc.state));
    q.BindRef(6, inc.commander);
    q.Bind(7, EncodeResponders(inc.responders));
    q.Bind(8, static_cast<int64_t>(row.group_open ? 1 : 0));
    q.Bind(9, inc.alert_count);
    q.Bind(10, inc.firing_alert_count);
    q.Bind(11, inc.updated_at);
    q.Bind(12, inc.acknowledged_at);
    q.Bind(13, inc.mitigated_at);
    q.Bind(14, inc.resolved_at);
    q.Bind(15, inc.closed_at);
    q.Bind(16, inc.alerts_resolved_at);
    q.Bind(17, row.last_seq);
    q.BindRef(18, row.last_hash);
    LOOM_RETURN_IF_ERROR(q.Send());
  } else if (plan.head_only) {
    // Written once per batch, before the COMMIT (see PendingHeads).
    IncidentHead head;
    head.number = inc.number;
    head.integration_key_id = row.integration_key_id;
    head.dedup_key = inc.dedup_key;
    head.alert_count = inc.alert_count;
    head.firing_alert_count = inc.firing_alert_count;
    head.updated_at = inc.updated_at;
    head.last_seq = row.last_seq;
    head.last_hash = row.last_hash;
    pending_.Put(std::move(head));
  } else if (plan.counters_changed || !plan.events.empty()) {
    Query q(st_->update_incident_counters);
    q.Bind(1, inc.number);
    q.Bind(2, inc.alert_count);
    q.Bind(3, inc.firing_alert_count);
    q.Bind(4, inc.updated_at);
    q.Bind(5, row.last_seq);
    q.BindRef(6, row.last_hash);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  if (plan.bulk_alert_status != nullptr) {
    Query q(st_->bulk_alert_status);
    q.Bind(1, inc.number);
    q.BindRef(2, plan.bulk_alert_status);
    q.Bind(3, inc.updated_at);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  for (const AlertWrite& w : plan.alerts) {
    const Alert& a = w.alert;
    if (w.insert) {
      Query q(st_->insert_alert);
      q.Bind(1, a.id);
      q.Bind(2, a.incident_number);
      q.BindRef(3, a.service_id);
      q.BindRef(4, a.dedup_key);
      q.BindRef(5, a.fingerprint);
      q.BindRef(6, a.status);
      q.BindRef(7, a.summary);
      q.BindRef(8, a.source);
      q.BindRef(9, a.raw_severity);
      q.Bind(10, static_cast<int64_t>(a.severity));
      q.Bind(11, a.created_at);
      q.Bind(12, a.updated_at);
      q.Bind(13, a.resolved_at);
      q.BindRef(14, a.details_json);
      q.BindRef(15, w.group_key);
      LOOM_RETURN_IF_ERROR(q.Send());
    } else if (w.changed) {
      Query q(st_->update_alert);
      q.Bind(1, a.id);
      q.BindRef(2, a.status);
      q.Bind(3, a.updated_at);
      q.Bind(4, a.resolved_at);
      LOOM_RETURN_IF_ERROR(q.Send());
    }
  }
  auto bind_event = [](Query& q, int first, const TimelineEvent& e) {
    q.Bind(first, e.incident_number);
    q.Bind(first + 1, e.seq);
    q.Bind(first + 2, e.at);
    q.BindRef(first + 3, e.type);
    q.BindRef(first + 4, e.actor);
    q.BindRef(first + 5, e.data_json);
    q.BindRef(first + 6, e.prev_hash);
    q.BindRef(first + 7, e.hash);
  };
  size_t i = 0;
  for (; i + 1 < plan.events.size(); i += 2) {
    Query q(st_->insert_two_events);
    bind_event(q, 1, plan.events[i]);
    bind_event(q, 9, plan.events[i + 1]);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  if (i < plan.events.size()) {
    Query q(st_->insert_event);
    bind_event(q, 1, plan.events[i]);
    LOOM_RETURN_IF_ERROR(q.Send());
  }
  if (!plan.deadlines.empty() || plan.cancel_all || plan.cancel_escalation || plan.cancel_cadence) {
    LOOM_RETURN_IF_ERROR(WriteDeadlines(plan, now));
  }
  if (batch_fanout_ && !plan.head_only && !plan.events.empty()) {
    for (OutboxEntry& entry : batch_fanout_(inc, plan.events)) {
      entry.incident_number = inc.number;
      plan.outbox.push_back(std::move(entry));
    }
  }
  for (const OutboxEntry& entry : plan.outbox) {
    Result<bool> inserted = deadlines_->InsertOutbox(entry, now, /*fresh=*/plan.create);
    if (!inserted.ok()) return std::move(inserted).error();
    if (*inserted) ++plan.outbox_inserted;
  }
  return OkStatus();
}

}  // namespace loom::sql
