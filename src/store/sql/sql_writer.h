// SqlWriter: the write side of the SQL store (SQLite and PostgreSQL). Owns the write connection
// and its prepared statements, implements the transaction steps for GroupCommitWriter, and applies
// each kind of write (ingest, responder command, service, token, change event) as SQL. What a
// write does to an incident's lifecycle is not decided here: core/incident_transition.h and
// core/integration_transition.h decide, from the incident and the facts read here, and the writer
// writes their plan. Its definitions are split by concern (see sql_writer.cc).
//
// Every Apply* method runs inside the caller's transaction and savepoint and leaves in-memory
// caches alone: what a command must publish after the commit it returns (see the store).
// The next incident number and the next alert id are kept in memory (this connection is the only
// writer; on PostgreSQL, the only one while it holds the cluster-wide write lock, and reloaded when
// it takes the lock at each batch). After a failure they are read again from the tables — after a
// failed command before the next one, after a failed batch at the next BEGIN — so that a stale
// value (another writer on the same SQLite file took the number) fails one write, not every one.
// Head updates of incidents that take repeat triggers are coalesced per batch (PendingHeads) and
// written before the COMMIT.
//
// Thread safety: not thread-safe. After Open, only the writer thread calls it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/incident_transition.h"
#include "core/security_playbook.h"
#include "store/sql/db.h"
#include "store/sql/deadline_writer.h"
#include "store/sql/group_commit.h"
#include "store/sql/pending_heads.h"
#include "store/sql/row_codec.h"
#include "store/sql/service_cache.h"
#include "store/store.h"

namespace loom::sql {

// What a service write changed, for the cache once committed.
struct ServiceWrite {
  Service service;
  std::vector<IntegrationKey> added_keys;
};

class SqlWriter final : public TransactionControl {
 public:
  // Takes the opened, migrated write connection. `services` answers auto_resolve lookups.
  // REQUIRES: `clock` and `services` outlive the writer.
  static Result<std::unique_ptr<SqlWriter>> Open(std::unique_ptr<Connection> db, Clock& clock,
                                                 const ServiceCache& services);
  ~SqlWriter() override;

  // TransactionControl
  Status BeginBatch() override;
  Status BeginCommand() override;
  Status FinishCommand() override;
  Status EndCommand(bool ok) override;
  Status CommitBatch() override;
  void AbortBatch() override;
  std::function<void()> TakeAfterDurable() override;

  Result<IngestOutcome> ApplyIngest(const IngestRequest& request);
  Result<Incident> ApplyExecute(const IncidentCommand& command);
  Result<ServiceWrite> ApplyCreateService(const Service& service, const std::string& key_hash);
  Result<ServiceWrite> ApplyUpsertService(const Service& service,
                                          const std::vector<std::string>& key_hashes);
  Result<ApiToken> ApplyCreateToken(const std::string& name, Role role,
                                    const std::string& token_hash);
  Result<int64_t> ApplyChangeEvent(const ChangeEvent& event);
  Result<TimelineEvent> ApplySystemEvent(int64_t incident_number, const std::string& type,
                                         const std::string& actor, const std::string& data_json);
  Result<DeadlineFiring> ApplyFireDeadline(int64_t id, const DeadlineHandler& handler);
  Result<Deadline> ApplyScheduleDrillDue(const Deadline& deadline);
  // Drills (sql_writer_drill.cc): the steps of each plan in this one command, composed from the
  // Apply* methods above; see Store::StartDrill and Store::FinishDrill.
  Result<Incident> ApplyStartDrill(const DrillStartPlan& plan);
  Result<DrillFinished> ApplyFinishDrill(const DrillFinishPlan& plan);
  // Heartbeats (sql_writer_heartbeats.cc): see store/heartbeat_store.h.
  Result<Heartbeat> ApplyCreateHeartbeat(Heartbeat heartbeat);
  Result<Heartbeat> ApplyUpdateHeartbeat(const HeartbeatPatch& patch);
  Result<Heartbeat> ApplyDeleteHeartbeat(const std::string& id);
  Result<HeartbeatPinged> ApplyPingHeartbeat(const HeartbeatPing& ping);
  Status ApplyConfiguredHeartbeats(const std::vector<Heartbeat>& configured);
  // Maintenance windows (sql_writer_maintenance.cc): see store/maintenance_store.h.
  Result<MaintenanceWindow> ApplyCreateMaintenance(MaintenanceWindow window);
  Result<MaintenanceEnded> ApplyEndMaintenance(int64_t id, const std::string& actor);
  Result<MaintenanceWindow> ApplyCancelMaintenance(int64_t id, const std::string& actor);
  Status ApplyConfiguredMaintenance(const std::vector<MaintenanceWindow>& configured);
  Result<int64_t> ApplyRecordDeliveries(const std::vector<DeliveryRecord>& records);
  Result<int64_t> ApplyClaimOutbox(const std::vector<OutboxClaim>& claims);
  Status ApplyDisableDestination(const std::string& key, const std::string& reason);

  // Security playbook (security_tables.h). The checklist a security incident starts with; set
  // before the writer runs.
  void SetSecurityChecklist(std::vector<ChecklistItemSpec> checklist) {
    checklist_template_ = std::move(checklist);
  }
  const std::vector<ChecklistItemSpec>& security_checklist() const { return checklist_template_; }
  // Runs `apply` with incident `number` as it is, then appends one timeline event of `type` by
  // `actor` whose data is what `apply` answered (a JSON object), fanned out like any event.
  // kNotFound for an unknown incident; an error of `apply` rolls the command back.
  using IncidentWrite =
      std::function<Result<std::string>(Connection& db, const Incident& incident)>;
  Result<Incident> ApplyIncidentEvent(int64_t number, const char* type, const std::string& actor,
                                      const IncidentWrite& apply);

  // Safe from any thread.
  void SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now);
  void SetOutboxHooks(OutboxFanout fanout, OutboxListener listener);

  Connection& connection() { return *db_; }
  // This process's id in the cluster's notices (cluster_notice.h).
  const std::string& instance_id() const { return instance_id_; }

  // For the tables of other features (followup_tables.h), inside the current command: their
  // deadlines and outbox rows go through the writer's bookkeeping (the engine hears of them after
  // the commit), and AppendEvent adds one event to an incident's timeline (with its channel
  // fan-out) and answers the incident. kNotFound for an unknown incident.
  DeadlineWriter& deadlines() { return *deadlines_; }
  Result<Incident> AppendEvent(int64_t number, const std::string& type, const std::string& actor,
                               std::string data_json);

 private:
  struct Counters {
    int64_t next_incident_number = 1;
    int64_t next_alert_id = 1;
  };

  // An alert row this request inserts or changes.
  struct AlertWrite {
    Alert alert;
    bool insert = false;
    bool changed = false;   // an existing row whose status or updated_at changed
    std::string group_key;  // inserted rows: AlertUpdate::group_key
  };

  // Everything one command writes to one incident, assembled in memory, then written by
  // WritePlan in foreign-key order (incident, alerts, timeline).
  struct Plan {
    IncidentRow row;
    bool create = false;       // INSERT the incident
    bool full_update = false;  // UPDATE every mutable column (else only counters and chain)
    bool counters_changed = false;
    bool head_only = false;  // `row` holds only what FindOpenIncidentHead reads
    std::vector<AlertWrite> alerts;
    const char* bulk_alert_status = nullptr;  // set every unresolved alert to this status
    std::vector<TimelineEvent> events;
    // Pending deadlines of the incident this change cancels, then the ones it starts.
    bool cancel_escalation = false;
    bool cancel_cadence = false;
    bool cancel_all = false;
    std::vector<Deadline> deadlines;
    std::vector<OutboxEntry> outbox;  // inserted unless their unique_key exists
    int64_t outbox_inserted = 0;      // set by WritePlan
  };

  struct Statements;

  SqlWriter(std::unique_ptr<Connection> db, Clock& clock, const ServiceCache& services);
  Status PrepareAll();
  // Reads the next incident number, alert id, deadline id and outbox id from the tables.
  // `mid_batch`: between two commands of a batch (the ids the batch took stay its own).
  Status LoadCounters(bool mid_batch = false);
  // PostgreSQL: NOTIFY the other instances of the batch's new deadlines and outbox rows.
  Status NotifyOtherInstances();

  Result<std::optional<IncidentRow>> FindOpenIncident(int64_t integration_key_id,
                                                      const std::string& dedup_key);
  // Only the number, the counters and the chain's tail: enough for a head-only update. Answers
  // from the pending heads when the group has one.
  Result<std::optional<IncidentRow>> FindOpenIncidentHead(int64_t integration_key_id,
                                                          const std::string& dedup_key);
  // Writes the pending head of `number`, if any, so that the row can be read in full.
  Status FlushPendingHead(int64_t number);
  Status WriteHead(const IncidentHead& head);
  Result<std::optional<IncidentRow>> LoadIncident(int64_t number);
  // A plan for changing incident `number`, its row loaded; kNotFound when there is none.
  Result<Plan> PlanFor(int64_t number);
  Result<std::optional<Alert>> FindAlertByFingerprint(int64_t incident_number,
                                                      const std::string& fingerprint);

  Result<IngestOutcome> IngestUnkeyed(const IngestRequest& request, const AlertUpdate& alert,
                                      TimePoint now);
  Result<IngestOutcome> IngestKeyed(const IngestRequest& request, TimePoint now);
  // Marks member alert `w` of the plan's incident resolved, with its `alert.resolved` event.
  void ResolveMember(Plan& plan, AlertWrite& w, const std::string& actor, TimePoint now);
  // Marks resolved member alert `w` firing again (MemberChange::kRefire), with its
  // `alert.triggered` event.
  void RefireMember(Plan& plan, AlertWrite& w, const AlertUpdate& update, const std::string& actor,
                    TimePoint now);
  // A keyed request whose dedup key has no open group, of a service that groups alerts: the open
  // group that already holds one of its fingerprints (an earlier notification of it was grouped
  // there), else, when it opens an incident, the open incident its lead alert's group key joins
  // (one of that key's alerts arrived within the window; the incident as severe or more; no
  // drill). nullopt when there is none.
  Result<std::optional<IncidentRow>> FindGroupedIncident(const IngestRequest& request,
                                                         const AlertUpdate* lead, TimePoint now);
  // Resolves the alerts with these fingerprints that are still active on other incidents of the
  // service than `except` (their group closed while they fired, e.g. a responder resolved the
  // incident with an override): each gets its `alert.resolved` on its own incident's timeline.
  // Answers the last incident changed (0 = none).
  Result<int64_t> ResolveElsewhere(const IngestRequest& request,
                                   const std::vector<const AlertUpdate*>& resolves, int64_t except,
                                   TimePoint now);

  void StartIncident(Plan& plan, const IngestRequest& request, Severity severity, IncidentKind kind,
                     TimePoint now);
  void AddAlert(Plan& plan, const IngestRequest& request, const AlertUpdate& update, TimePoint now);
  // An integration's acknowledgement (core/integration_transition.h); false when the incident's
  // state ignores it (nothing was added).
  bool AcknowledgeFromIntegration(Plan& plan, const std::string& actor, TimePoint now);
  // Closes the group after its last alert resolved (and resolves the incident with auto_resolve,
  // as core/integration_transition.h decides).
  Status CloseGroup(Plan& plan, const std::string& actor, int64_t alerts_resolved, TimePoint now);
  void AddEvent(Plan& plan, TimePoint at, const char* type, const std::string& actor,
                std::string data_json);
  // Adds what core decided (core/incident_transition.h) to the plan, as it is.
  void AddTransition(Plan& plan, TransitionPlan decided, TimePoint now);
  Status WriteDeadlines(const Plan& plan, TimePoint now);
  // Applies the plan's deadlines that are already due through the fire-now hook, in this
  // transaction: their events, outbox entries and next deadlines join the plan.
  void FireDueDeadlines(Plan& plan, TimePoint now);
  // Adds a deadline's effects to the plan (events with actor "system").
  void AddEffects(Plan& plan, DeadlineEffects effects, TimePoint now);
  // Writes everything the plan holds, after firing its deadlines that are due now.
  Status WritePlan(Plan& plan);
  static IngestOutcome OutcomeOf(const Plan& plan, const std::string& dedup_key);
  // A heartbeat_expire deadline, marked fired (ApplyFireDeadline): CheckHeartbeat's re-arm, or
  // the expiry and its incident.
  Status FireHeartbeatDeadline(const Deadline& deadline, TimePoint now);
  // The maintenance service `service` is in at `now` (core/maintenance.h), read from the windows
  // table in this transaction.
  Result<std::optional<MaintenanceHold>> MaintenanceHoldOf(const std::string& service,
                                                           TimePoint now);
  // Sets plan.row.incident.maintenance when the plan holds an escalation step due now (the
  // deadline handler asks core/maintenance.h EscalationHeldBy about it).
  Status FillMaintenance(Plan& plan, TimePoint now);
  // Brings the held escalations of the incidents of `services` forward to now (each with a
  // "maintenance.ended" event by `actor` naming `window`), after `window` ended early or changed.
  // Answers the incidents released.
  Result<std::vector<int64_t>> ReleaseHeldEscalations(const MaintenanceWindow& window,
                                                      const std::string& actor, TimePoint now);
  // Cancels `hb`'s pending expiry and, when it is healthy and enabled, arms a new one at
  // HeartbeatExpiresAt (hb.deadline_id set; the row is not written).
  Status ArmHeartbeat(Heartbeat& hb, TimePoint now);

  std::unique_ptr<Connection> db_;
  Clock& clock_;
  const ServiceCache& services_;
  std::unique_ptr<Statements> st_;
  std::unique_ptr<DeadlineWriter> deadlines_;
  std::mutex hooks_mu_;
  DeadlineHandler fire_now_;        // GUARDED_BY(hooks_mu_)
  DeadlineHandler batch_fire_now_;  // fire_now_ as of BeginBatch; writer thread only
  OutboxFanout fanout_;             // GUARDED_BY(hooks_mu_)
  OutboxFanout batch_fanout_;       // fanout_ as of BeginBatch; writer thread only

  std::vector<ChecklistItemSpec> checklist_template_;
  const std::string instance_id_;
  PendingHeads pending_;
  std::function<void()> after_durable_;  // from the last CommitBatch, until taken
  Counters counters_;
  Counters batch_start_;          // restored by AbortBatch
  Counters command_start_;        // restored by EndCommand(false)
  bool reload_counters_ = false;  // a batch failed: LoadCounters at the next BeginBatch
};

}  // namespace loom::sql
