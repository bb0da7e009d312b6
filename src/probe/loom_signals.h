// Reading a LOOM node's health the way the runbook's Availability Incident Playbook does:
// "Confirm readiness/admin status" (/ready, /v1/admin/status, /metrics), "Triage dominant signal"
// (queue lag, auth error spike, persistence write failures) and "Recover and verify" (lag below
// threshold, readiness healthy, no active critical alerts). Pure: response bodies in, findings out.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "probe/prometheus_text.h"

namespace loom {

struct LoomOutbox {
  std::string name;  // federation, email, webhook
  int64_t queued = 0, failed = 0, retry_scheduled = 0, lag_ms = 0;
};

// One probe round of a node. A field stays unset when its endpoint failed or lacked it.
struct LoomReading {
  TimePoint at{};
  std::optional<int> ready_status;  // HTTP status of /ready
  std::optional<bool> ready_ok;     // body "ok"
  std::string postgres_check;       // checks.postgres: "ok", "error", "" (null)
  std::vector<LoomOutbox> outboxes;
  std::optional<int> admin_status;  // HTTP status of /v1/admin/status
  std::optional<bool> persistence_enabled;
  std::optional<int64_t> persistence_writes_failed;
  std::optional<int64_t> persistence_queue_length;
  std::string persistence_last_error;  // admin status runtime.persistence.last_error
  std::optional<int> metrics_status;
  std::optional<PromScrape> metrics;
  std::vector<std::string> problems;  // what could not be read, in words
};

// True when none of /ready, /v1/admin/status and /metrics answered (each failed to connect, timed
// out or was refused by the outbound policy): the round read nothing of the node.
bool NodeUnreachable(const LoomReading& r);

// Each reads one endpoint's answer into `r`; an unreadable body adds to r.problems.
void ReadReadyResponse(int status, std::string_view body, LoomReading& r);
void ReadAdminStatusResponse(int status, std::string_view body, LoomReading& r);
void ReadMetricsResponse(int status, std::string_view body, LoomReading& r);

struct SignalThresholds {
  int64_t lag_ms = 60'000;  // the node's own alert rule: lag > 60 s
  double auth_errors_per_minute = 30;
  // Error codes that count as auth failures. SIGNATURE_INVALID is how the node counts bearer-token
  // failures (the shipped alert rule misses it; we don't).
  std::set<std::string, std::less<>> auth_codes = {"CAPABILITY_DENIED", "SIGNATURE_INVALID",
                                                   "AUTH_REQUIRED",     "TOKEN_INVALID",
                                                   "TOKEN_EXPIRED",     "RATE_LIMITED"};
};

// kNodeUnreachable: no endpoint answered at all (the node crashed, or its host or network path is
// down); the runbook's three signals cannot be measured then.
enum class LoomSignal { kNodeUnreachable, kPersistenceFailures, kQueueLag, kAuthErrorSpike };
const char* LoomSignalName(LoomSignal s);  // "node_unreachable", "persistence_write_failures", ...
// The runbook's words: "persistence write failures", "queue lag", "auth error spike"; and
// "node unreachable".
const char* LoomSignalTitle(LoomSignal s);

struct SignalFinding {
  LoomSignal signal;
  bool active = false;
  std::vector<std::string> evidence;     // readings that support (or rule out) the signal
  std::vector<std::string> mitigations;  // the runbook's mitigations for it
};

struct Triage {
  std::vector<SignalFinding> findings;  // one per signal, in priority order
  std::optional<LoomSignal> dominant;   // the highest-priority active signal

  // The finding of `s` (every signal has one).
  const SignalFinding& Of(LoomSignal s) const;
};

// `previous` (the prior probe round, if any) enables rates and growth.
Triage ClassifyLoomSignals(const LoomReading& current, const LoomReading* previous,
                           const SignalThresholds& thresholds);

// An active (firing or acknowledged) critical alert of the service: what holds the gate.
struct BlockingAlert {
  int64_t incident_number = 0;
  int64_t alert_id = 0;
  std::string name;  // the alertname label; the summary when it has none
  std::vector<std::pair<std::string, std::string>> labels;  // by name (Alertmanager alerts)
  std::string summary;
  std::string status;  // "firing", "acknowledged"
};

// `alertname {label="value", ...} (INC-7)`: how a failure names a blocking alert.
std::string DescribeBlockingAlert(const BlockingAlert& alert);

struct RecoveryCheck {
  bool passed = false;
  std::vector<std::string> failures;  // each unmet condition, in words
  // The same conditions by name, in the same order: "readiness", "lag", "critical_alerts".
  std::vector<std::string> failed_checks;
  std::vector<std::string> notes;              // caveats, e.g. a stale persistence error flag
  std::vector<BlockingAlert> blocking_alerts;  // the critical alerts still active
};

// The runbook's "Recover and verify" gate.
// `critical_alerts`: the service's active critical alerts (each one fails the gate and is named).
RecoveryCheck CheckRecovery(const LoomReading& r, const SignalThresholds& thresholds,
                            const std::vector<BlockingAlert>& critical_alerts);

}  // namespace loom
