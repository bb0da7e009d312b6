// IncidentStore: the incidents role of the store — alerts in, responders' commands, timeline
// events, and the reads of incidents, alerts, an incident's notifications and the reports.
// Its users: the ingest and incident handlers, the probe runner (engine/probe_runner.h), the
// reports. Writes and reads follow store/callback.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/alert.h"
#include "core/alert_event.h"
#include "core/drill_plan.h"
#include "core/incident.h"
#include "core/incident_command.h"
#include "core/incident_query.h"
#include "core/outbox.h"
#include "core/timeline.h"
#include "store/callback.h"

namespace loom {

class IncidentStore {
 public:
  virtual ~IncidentStore() = default;

  // Applies one ingest request atomically: opens an incident for a new dedup key, or adds to the
  // open incident that has it; updates member alerts; writes timeline events. An acknowledge or
  // resolve for a dedup key with no open incident succeeds with incident_number == 0 (PagerDuty
  // answers 202 for it too). kUnavailable when the writer queue is full or the store is failing.
  virtual void Ingest(IngestRequest request, Callback<IngestOutcome> done) = 0;

  // Applies a responder's command; kNotFound for an unknown incident, kConflict (with the reason)
  // for an illegal transition. Returns the incident as it is after the command.
  virtual void Execute(IncidentCommand command, Callback<Incident> done) = 0;

  virtual void RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) = 0;

  // Appends one system event (e.g. "probe.result", "recovery.verified") to incident
  // `incident_number`'s timeline in its own transaction, whatever the incident's state; it
  // changes nothing else and goes to no incident channel. Answers the event (seq, hash set);
  // kNotFound for an unknown incident, kInvalidArgument for an empty type or a data_json that is
  // not a JSON object. (The availability playbook: src/engine/probe_runner.h.)
  virtual void RecordIncidentEvent(int64_t incident_number, std::string type, std::string actor,
                                   std::string data_json, Callback<TimelineEvent> done) = 0;

  // ---- drills (engine/drill_service.h) ----
  // Applies `plan` (core/drill_plan.h) in one transaction: the drill incident opened with its
  // first page, its commander and participants note, the next drill_due deadline replacing the
  // pending one. Any failure, of a step or of `plan.next_due`, leaves nothing. Answers the drill
  // as opened.
  virtual void StartDrill(DrillStartPlan plan, Callback<Incident> done) = 0;
  // Applies `plan` in one transaction: commander, resolve, notes (plan.write_notes), close,
  // follow-ups. kNotFound when plan.number is not a drill, kConflict when it is closed; any
  // failure, of a step or of `plan.write_notes`, leaves the drill as it was.
  virtual void FinishDrill(DrillFinishPlan plan, Callback<DrillFinished> done) = 0;

  // ---- reads (synchronous, any thread) ----
  virtual Result<IncidentPage> ListIncidents(const IncidentFilter& filter) = 0;
  virtual Result<std::optional<IncidentDetail>> GetIncident(int64_t number) = 0;
  virtual Result<AlertPage> ListAlerts(const AlertFilter& filter) = 0;
  // The incident's outbox entries, oldest first.
  virtual Result<std::vector<OutboxEntry>> ListNotifications(int64_t incident_number) = 0;
  // The reports' incidents, oldest first: one query, however many incidents the window holds.
  virtual Result<std::vector<ReportIncident>> ListReportIncidents(const ReportWindow& window) = 0;
  // The pages (outbox rows of kind page, cancelled ones left out) of the reports' incidents, by
  // incident and id.
  virtual Result<std::vector<OutboxEntry>> ListReportPages(const ReportWindow& window) = 0;
};

}  // namespace loom
