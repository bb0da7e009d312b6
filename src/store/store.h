// Store: the durable state of loom-oncall behind one interface (SQLite or PostgreSQL).
//
// Writes are asynchronous: they are queued to the back end's writer, applied in one transaction
// per command (one state change = one transaction with its timeline event), committed durably
// (fsync) together with other queued commands (group commit), and only then is `done` called —
// on the writer's thread (SQLite: on the thread that syncs its commits), so `done` must be quick
// and must not call back into the Store synchronously (post to your own executor instead). A full
// queue fails fast with kUnavailable (the caller answers 503), it never blocks the caller.
//
// Reads are synchronous, safe from any thread, and see every write whose `done` has run.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/alert.h"
#include "core/alert_event.h"
#include "core/credentials.h"
#include "core/deadline.h"
#include "core/drill_plan.h"
#include "core/followup.h"
#include "core/incident.h"
#include "core/incident_command.h"
#include "core/incident_query.h"
#include "core/outbox.h"
#include "core/review.h"
#include "core/schedule_override.h"
#include "core/security_playbook.h"
#include "core/service.h"
#include "core/timeline.h"
#include "core/user.h"

namespace loom {

template <typename T>
using Callback = std::function<void(Result<T>)>;

struct StoreStats {
  int64_t open_incidents_by_severity[4] = {0, 0, 0, 0};  // index = sev - 1
  int64_t outbox_depth = 0;
  int64_t pending_deadlines = 0;
  int64_t writer_queue_depth = 0;
  int64_t commits = 0;
  int64_t committed_commands = 0;
  // Histogram of commands per group commit: buckets le 1,2,4,...,1024,+Inf (12 buckets).
  int64_t batch_size_buckets[12] = {};
  int64_t batch_size_sum = 0;
};

// Called after each commit that created deadlines, on the writer's thread: must be quick.
using DeadlineListener = std::function<void(const std::vector<Deadline>&)>;

// Outbox rows for the incident channels of a change: called inside the writer's transaction with
// the incident as it is after the change and the timeline events the change wrote (seq set). Must
// be quick and must not call the Store.
using OutboxFanout = std::function<std::vector<OutboxEntry>(
    const Incident& incident, const std::vector<TimelineEvent>& events)>;
// Called after each commit that inserted outbox rows (ids set), on the writer's thread: must be
// quick.
using OutboxListener = std::function<void(const std::vector<OutboxEntry>&)>;

struct AuditReport {
  int64_t incidents_checked = 0;
  int64_t events_checked = 0;
  struct Broken {
    int64_t incident_number = 0;
    int64_t seq = 0;
    std::string reason;  // "hash mismatch", "prev_hash does not match event N", "gap before seq N"
  };
  std::optional<Broken> first_broken;
};

// An evidence artifact with its content (filled only when asked for).
struct StoredEvidence {
  EvidenceArtifact artifact;
  std::string content;
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- writes (asynchronous, group-committed) ----

  // Applies one ingest request atomically: opens an incident for a new dedup key, or adds to the
  // open incident that has it; updates member alerts; writes timeline events. An acknowledge or
  // resolve for a dedup key with no open incident succeeds with incident_number == 0 (PagerDuty
  // answers 202 for it too). kUnavailable when the writer queue is full or the store is failing.
  virtual void Ingest(IngestRequest request, Callback<IngestOutcome> done) = 0;

  // Applies a responder's command; kNotFound for an unknown incident, kConflict (with the reason)
  // for an illegal transition. Returns the incident as it is after the command.
  virtual void Execute(IncidentCommand command, Callback<Incident> done) = 0;

  // Creates a service with one integration key (its hash). kConflict when the id exists.
  virtual void CreateService(Service service, std::string key_hash,
                             Callback<IntegrationKey> done) = 0;

  // Start-up seeding from the configuration: creates or updates the service (name, settings) and
  // adds each key hash not yet present. Synchronous because it runs before serving.
  virtual Status UpsertConfiguredService(const Service& service,
                                         const std::vector<std::string>& key_hashes) = 0;

  virtual void CreateToken(std::string name, Role role, std::string token_hash,
                           Callback<ApiToken> done) = 0;

  virtual void RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) = 0;

  // Fires deadline `id` once: when it is still pending, runs `handler` and applies its effects
  // with the deadline marked fired, in one transaction. Firing it again does nothing.
  virtual void FireDeadline(int64_t id, DeadlineHandler handler, Callback<DeadlineFiring> done) = 0;

  // ---- availability playbook (src/engine/probe_runner.h) ----
  // Appends one system event (e.g. "probe.result", "recovery.verified") to incident
  // `incident_number`'s timeline in its own transaction, whatever the incident's state; it
  // changes nothing else and goes to no incident channel. Answers the event (seq, hash set);
  // kNotFound for an unknown incident, kInvalidArgument for an empty type or a data_json that is
  // not a JSON object.
  virtual void RecordIncidentEvent(int64_t incident_number, std::string type, std::string actor,
                                   std::string data_json, Callback<TimelineEvent> done) = 0;

  // ---- delivery ----
  // Applies delivery outcomes in one transaction: each row's state, attempts, next attempt,
  // last error, its timeline event and follow-up rows. Answers how many rows changed.
  virtual void RecordDeliveries(std::vector<DeliveryRecord> records, Callback<int64_t> done) = 0;
  // Records, in one transaction, which message each row goes out in, before that message is
  // first attempted: only pending rows that name no message yet are changed (a row stays in the
  // first message that claimed it). Answers how many rows changed.
  virtual void ClaimOutbox(std::vector<OutboxClaim> claims, Callback<int64_t> done) = 0;
  // Marks a destination disabled (it answered 410) — `key` identifies it (DestinationKey in
  // src/engine/delivery.h); later rows for it are dead-lettered without an attempt.
  virtual void DisableDestination(std::string key, std::string reason, Callback<bool> done) = 0;

  // ---- drills ----
  // Replaces the pending "drill_due" deadline (incident_number 0) with `deadline`: every pending
  // one is cancelled and this one inserted, in one transaction. Answers it with its id.
  virtual void ScheduleDrillDue(Deadline deadline, Callback<Deadline> done) = 0;

  // ---- on-call: users and overrides ----
  // Stores an override; answers it with its id and created_at set. kInvalidArgument when
  // from >= to. The caller checks that the schedule and the user exist.
  virtual void CreateOverride(ScheduleOverride override, Callback<ScheduleOverride> done) = 0;
  // Deletes override `id`: true when it existed; kNotFound otherwise.
  virtual void DeleteOverride(int64_t id, Callback<bool> done) = 0;
  // Every stored override, by id.
  virtual Result<std::vector<ScheduleOverride>> ListOverrides() = 0;
  // Start-up seeding from the configuration: creates or updates each user (name, email, time
  // zone, contact methods). Users missing from the file are kept (stored overrides may name
  // them). Synchronous because it runs before serving.
  virtual Status UpsertConfiguredUsers(const std::vector<User>& users) = 0;

  // ---- settings ----
  // The value of setting `name`; when there is none yet, stores `generate()` and answers it. The
  // first value stored wins and is never replaced, so every instance sharing the store and every
  // restart agree on it (e.g. the generated one-click link key). Synchronous: for start-up code.
  virtual Result<std::string> GetOrCreateSetting(const std::string& name,
                                                 const std::function<std::string()>& generate) = 0;

  // ---- security playbook (src/core/security_playbook.h) ----
  // Each write appends one timeline event to the incident in its transaction: "evidence.added",
  // "security.checklist_updated", "security.report_updated". kNotFound for an unknown incident.
  // Stores `content` (an upload's bytes, a reference's ReferenceContent) with the artifact;
  // answers it with id, sha256, size and at set. Any kind of incident, in any state.
  virtual void AddEvidence(EvidenceArtifact artifact, std::string content,
                           Callback<EvidenceArtifact> done) = 0;
  // Changes one checklist item of a security incident that is not closed; answers the new state.
  // kNotFound for an unknown item, kConflict for another kind of incident or a closed one.
  virtual void UpdateChecklistItem(int64_t number, std::string item_id, ChecklistChange change,
                                   std::string actor, Callback<SecurityPlaybookState> done) = 0;
  // Stores (replaces) the report of a security incident that is not closed, its revision one
  // more than the last; `report.updated_by` is the actor. Same errors as UpdateChecklistItem.
  virtual void PutSecurityReport(int64_t number, SecurityReport report,
                                 Callback<SecurityPlaybookState> done) = 0;
  // The checklist and report of a security incident; nullopt for another kind of incident.
  virtual Result<std::optional<SecurityPlaybookState>> GetSecurityPlaybook(int64_t number) = 0;
  // The incident's artifacts, oldest first (with contents when `with_content`).
  virtual Result<std::vector<StoredEvidence>> ListEvidence(int64_t number, bool with_content) = 0;
  // ---- final summaries, follow-ups, post-incident reviews (store/sql/followup_tables.h) ----
  // Saves the final summary of an incident that is not closed (kConflict when closed), adds its
  // follow-ups (source incident) and posts "incident.summary" to the timeline. Close is refused
  // (kConflict naming the missing parts) until the incident has a complete summary.
  virtual void SaveSummary(FinalSummary summary, Callback<FinalSummary> done) = 0;
  virtual Result<std::optional<FinalSummary>> GetSummary(int64_t incident_number) = 0;
  // Adds a follow-up with its reminder deadlines; answers it with its number set.
  virtual void CreateFollowup(Followup followup, Callback<Followup> done) = 0;
  // kNotFound for an unknown follow-up; done or cancelled cancels its reminders.
  virtual void UpdateFollowup(FollowupPatch patch, Callback<Followup> done) = 0;
  virtual Result<std::vector<Followup>> ListFollowups(const FollowupFilter& filter) = 0;
  // Stores the incident's review; posts `event_type` to its timeline unless empty.
  virtual void SaveReview(Review review, std::string event_type, Callback<Review> done) = 0;
  virtual Result<std::optional<Review>> GetReview(int64_t incident_number) = 0;

  // ---- reads (synchronous, any thread) ----
  virtual Result<std::optional<IntegrationKey>> FindIntegrationKey(const std::string& key_hash) = 0;
  virtual Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) = 0;
  virtual Result<std::optional<Service>> GetService(const std::string& id) = 0;
  virtual Result<std::vector<Service>> ListServices() = 0;
  virtual Result<IncidentPage> ListIncidents(const IncidentFilter& filter) = 0;
  virtual Result<std::optional<IncidentDetail>> GetIncident(int64_t number) = 0;
  virtual Result<AlertPage> ListAlerts(const AlertFilter& filter) = 0;
  virtual Result<StoreStats> Stats() = 0;
  // Every deadline not yet fired or cancelled, by due time.
  virtual Result<std::vector<Deadline>> PendingDeadlines() = 0;
  // The incident's outbox entries, oldest first.
  virtual Result<std::vector<OutboxEntry>> ListNotifications(int64_t incident_number) = 0;
  // The reports' incidents, oldest first: one query, however many incidents the window holds.
  virtual Result<std::vector<ReportIncident>> ListReportIncidents(const ReportWindow& window) = 0;
  // The pages (outbox rows of channel "page", cancelled ones left out) of the reports'
  // incidents, by incident and id.
  virtual Result<std::vector<OutboxEntry>> ListReportPages(const ReportWindow& window) = 0;
  // Every pending outbox row, by next attempt.
  virtual Result<std::vector<OutboxEntry>> PendingOutbox() = 0;
  // The rows with these ids that are still pending (others are left out).
  virtual Result<std::vector<OutboxEntry>> PendingOutboxByIds(const std::vector<int64_t>& ids) = 0;
  // Keys of the destinations disabled by DisableDestination.
  virtual Result<std::vector<std::string>> DisabledDestinations() = 0;
  // Registers the delivery hooks, replacing earlier ones (null: none).
  virtual void SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) = 0;
  // Registers the engine's hooks, replacing earlier ones (null: none). `listener` is told about
  // each new deadline that is not yet due. `fire_now` decides deadlines that are due the moment
  // they are written (a new incident's first page, a re-armed escalation, a skipped empty role):
  // they are applied inside the transaction that creates them, with no row of their own.
  virtual void SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now) = 0;
  // ---- several instances ----
  // Which instance runs the escalation engine and the delivery workers: one at a time across the
  // instances sharing the store. `lead` runs when this instance becomes that one, `follow` when
  // it stops being it (its database session was lost); never both at once, on a thread of the
  // store. SQLite (one instance): `lead` runs at once, on the caller's thread. PostgreSQL: every
  // instance starts with `follow`, and `lead` runs again every second while it leads (so that
  // work it could not load is loaded once the database answers: it must do nothing more once it
  // has). While an instance
  // leads, the deadlines and outbox rows the other instances commit reach the hooks registered
  // with SetDeadlineHooks and SetOutboxHooks, as its own do. Null hooks: stop watching (returns
  // once no hook runs any more).
  virtual void SetLeadershipHooks(std::function<void()> lead, std::function<void()> follow) = 0;

  // Recomputes every incident's timeline hash chain.
  virtual Result<AuditReport> VerifyAudit() = 0;

  // ---- health and lifecycle ----
  // OK while the last commit succeeded and the writer is running.
  virtual Status Writable() = 0;
  // Stops accepting writes, commits everything queued, joins the writer. Idempotent.
  virtual void Shutdown() = 0;

  // ---- drills (engine/drill_service.h; issue 17: to be placed in their role) ----
  // Applies `plan` (core/drill_plan.h) in one transaction: the drill incident opened with its
  // first page, its commander and participants note, the next drill_due deadline replacing the
  // pending one. Any failure, of a step or of `plan.next_due`, leaves nothing. Answers the drill
  // as opened.
  virtual void StartDrill(DrillStartPlan plan, Callback<Incident> done) = 0;
  // Applies `plan` in one transaction: commander, resolve, notes (plan.write_notes), close,
  // follow-ups. kNotFound when plan.number is not a drill, kConflict when it is closed; any
  // failure, of a step or of `plan.write_notes`, leaves the drill as it was.
  virtual void FinishDrill(DrillFinishPlan plan, Callback<DrillFinished> done) = 0;
};

// Blocks until an asynchronous write completes. For start-up code, the CLI and tests only:
// never call it on an I/O thread.
template <typename T, typename F>
Result<T> AwaitWrite(F&& start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace loom
