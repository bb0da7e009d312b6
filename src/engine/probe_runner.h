// ProbeRunner: the availability playbook's probes (runbook "Availability Incident Playbook",
// docs/playbook-availability.md). For every service with a configured `probe:` it reads the LOOM
// node — on a schedule while an availability incident of the service is open (triggered,
// acknowledged or mitigated), on demand, and before a responder's resolve — and records the
// rounds on each open availability incident of the service (Store::RecordIncidentEvent).
//
// The timeline is append-only and hash-chained, so identical readings are folded forward, never by
// rewriting: a round is recorded as a `probe.result` event when its result (the round without its
// time and trigger) differs from the last `probe.result` recorded on the incident, or when it was
// asked for (on demand, the recovery gate, after an auto-resolve). A scheduled round with the same
// result is counted instead, and the count is written as one `probe.unchanged` event
// {"result_seq", "count", "total", "from", "through"} when the result changes, when the incident
// is no longer open or resolves through the gate, when this instance stops running the scheduled
// rounds or stops, and at the latest kUnchangedEvery after the streak's previous entry. A crash
// loses the counts not yet written (at most kUnchangedEvery of identical rounds).
//
// The recovery gate (VerifyForResolve) reuses a passing round younger than kFreshRound and
// otherwise probes live, so a refusal is always based on what the node says now.
//
// Threads: Start(loop) runs one worker thread that runs the jobs given to Post() and RunDue(),
// again a second (on the deadline loop's steady clock, engine/deadline_loop.h) after the last
// RunDue or at once after a job; every probe blocks that thread for at most three endpoint
// timeouts (never the loop's). The
// synchronous methods (RunDue, RunRound, VerifyForResolve) may also be called directly (tests,
// or a job on the worker); they must not run on an I/O thread (they wait for store writes).
// Per-service state is guarded by a mutex.
// REQUIRES: the Store and Clock outlive the runner.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "engine/deadline_loop.h"
#include "probe/probe_client.h"
#include "store/incident_store.h"

namespace loom {

// One service with a probe (config `services[].probe`).
struct ProbedService {
  std::string service_id;
  ProbeTarget target;
  Duration interval = std::chrono::minutes(1);
  SignalThresholds thresholds;
};

// A round and where it was recorded.
struct RecordedRound {
  ProbeRound round;
  nlohmann::json json;            // ProbeRoundJson: the event's data
  std::vector<int64_t> recorded;  // incident numbers that got the round: as a probe.result event,
                                  // or (those also in `folded`) counted as unchanged
  std::vector<int64_t> folded;
};

// The outcome of the recovery gate for one resolve.
struct RecoveryDecision {
  bool passed = false;      // the node passed the runbook's "Recover and verify"
  bool overridden = false;  // it did not, and the responder gave an override_reason
  RecoveryCheck recovery;
  nlohmann::json round;  // ProbeRoundJson of the round the decision used
};

class ProbeRunner {
 public:
  // A passing round younger than this is reused by the recovery gate.
  static constexpr Duration kFreshRound = std::chrono::seconds(30);
  // Incidents resolved by their monitoring source longer ago than this are not verified any more.
  static constexpr Duration kAutoResolveWindow = std::chrono::minutes(10);
  // The longest a streak of identical scheduled rounds goes without a `probe.unchanged` entry.
  static constexpr Duration kUnchangedEvery = std::chrono::minutes(10);

  ProbeRunner(IncidentStore& store, const Clock& clock, std::shared_ptr<ProbeHttp> http,
              std::vector<ProbedService> services);
  ProbeRunner(const ProbeRunner&) = delete;
  ProbeRunner& operator=(const ProbeRunner&) = delete;
  ~ProbeRunner();

  // True when `service_id` has a probe.
  bool Probes(const std::string& service_id) const;

  // Runs every scheduled round that is due now: a probed service with an open availability
  // incident whose last round (of any trigger) is at least `interval` old, or that has none, or
  // that has an open availability incident no round was recorded on yet (a new incident gets its
  // first reading at once, also while rounds run for another one).
  // Also records the verification of availability incidents its monitoring source resolved
  // (event `recovery.auto_resolve_checked`). Answers how many rounds ran (none while not
  // SetScheduled).
  int RunDue();

  // Probes `service_id` now and records the round on each of its open availability incidents
  // and on `incident_number` (0 = none). `trigger`: "schedule", "on_demand", "resolve",
  // "auto_resolve". kNotFound when the service has no probe; a store failure is returned after
  // the round (the round itself never fails: an unreachable node is a reading with errors).
  Result<RecordedRound> RunRound(const std::string& service_id, const std::string& trigger,
                                 const std::string& actor, int64_t incident_number);

  // The recovery gate of a responder's resolve of `incident_number` (of `service_id`):
  // records `recovery.verified` when the node passes, `recovery.override` (with the reason and
  // what failed) when it does not and `override_reason` is non-empty, nothing more otherwise.
  Result<RecoveryDecision> VerifyForResolve(int64_t incident_number, const std::string& service_id,
                                            const std::string& override_reason,
                                            const std::string& actor);

  // Whether RunDue runs anything: the scheduled rounds and the auto-resolve checks run on one
  // instance of several on one database (the leader, Store::SetLeadershipHooks), so each is
  // recorded once; on-demand rounds and the recovery gate run on the instance asked. True from
  // construction. Any thread.
  void SetScheduled(bool scheduled) { scheduled_ = scheduled; }

  // Runs `job` on the worker thread (after the jobs before it). Ignored once stopped.
  void Post(std::function<void()> job);

  // Starts the worker; its one-second tick comes from `loop`. No-op without probed services.
  // REQUIRES: `loop` outlives the next Stop() (the destructor's).
  void Start(DeadlineLoop& loop);
  // Finishes the jobs already posted, writes the counts of identical rounds not yet written, then
  // joins the worker. Idempotent.
  void Stop();

 private:
  struct ServiceState {
    std::optional<LoomReading> last_reading;
    std::optional<TimePoint> last_round_at;
    std::optional<ProbeRound> last_round;
  };
  // The last probe.result recorded on one incident and the identical scheduled rounds since.
  struct Streak {
    std::string service_id;
    std::string result;       // ResultKey of the probe.result
    int64_t result_seq = 0;   // its timeline seq
    TimePoint last_entry_at;  // when the streak's last event was written
    int64_t total = 0;        // identical rounds since the probe.result
    int64_t pending = 0;      // of those, not yet written in a probe.unchanged event
    TimePoint from, through;  // the pending rounds' first and last time
  };

  const ProbedService* Find(const std::string& service_id) const;
  Result<std::vector<int64_t>> OpenAvailabilityIncidents(const std::string& service_id);
  // The service's active critical alerts among its newest 500, oldest first.
  std::vector<BlockingAlert> ActiveCriticalAlerts(const std::string& service_id);
  Status Record(int64_t incident_number, const std::string& type, const std::string& actor,
                const nlohmann::json& data);
  // Records `round` on one incident: a probe.result, or counted into its streak (answers true).
  Result<bool> RecordRound(int64_t incident_number, const std::string& service_id,
                           const std::string& trigger, const std::string& actor,
                           const RecordedRound& round, TimePoint now);
  // Writes the pending count of `incident_number`'s streak as a probe.unchanged event.
  Status FlushUnchanged(int64_t incident_number);
  // Flushes and forgets the streaks of `service_id`'s incidents that are not in `open`.
  void FlushClosed(const std::string& service_id, const std::vector<int64_t>& open);
  // Flushes and forgets every streak.
  void FlushAll();
  void CheckAutoResolved(const ProbedService& service);
  void WorkerLoop();

  IncidentStore& store_;
  const Clock& clock_;
  const std::shared_ptr<ProbeHttp> http_;
  const std::vector<ProbedService> services_;

  std::mutex mu_;
  std::map<std::string, ServiceState> state_;  // guarded by mu_
  std::set<int64_t> auto_resolve_checked_;     // guarded by mu_
  std::map<int64_t, Streak> streaks_;          // by incident number; guarded by mu_
  std::atomic<bool> scheduled_{true};

  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;         // a job, a tick or the stop
  std::deque<std::function<void()>> jobs_;  // guarded by jobs_mu_
  bool stopping_ = false;                   // guarded by jobs_mu_
  bool tick_ = false;                       // guarded by jobs_mu_: RunDue is due again
  std::thread worker_;
  // Sets tick_ a second after the worker's last RunDue.
  LoopTimer timer_{[this] { return Tick(); }};  // last: detached before the rest goes
  std::optional<SteadyTime> Tick();
};

}  // namespace loom
