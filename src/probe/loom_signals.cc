#include "probe/loom_signals.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/incident.h"

namespace loom {
namespace {

using nlohmann::json;

int64_t IntAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

json ParseObject(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  return j.is_object() ? j : json();
}

void ReadOutboxes(const json& outbox, LoomReading& r) {
  if (!outbox.is_object() || !r.outboxes.empty()) return;
  for (auto it = outbox.begin(); it != outbox.end(); ++it) {
    if (!it.value().is_object()) continue;
    r.outboxes.push_back({it.key(), IntAt(it.value(), "queued"), IntAt(it.value(), "failed"),
                          IntAt(it.value(), "retry_scheduled"), IntAt(it.value(), "lag_ms")});
  }
}

double AuthErrors(const PromScrape& m, const SignalThresholds& t) {
  double sum = 0;
  for (const auto& s : m.samples) {
    if (s.name == "loom_errors_total" && t.auth_codes.count(s.Label("code"))) sum += s.value;
  }
  return sum;
}

std::optional<int64_t> WritesFailed(const LoomReading& r) {
  if (r.persistence_writes_failed) return r.persistence_writes_failed;
  if (r.metrics) {
    if (auto v = r.metrics->Value("loom_persistence_writes_failed")) {
      return static_cast<int64_t>(*v);
    }
  }
  return std::nullopt;
}

bool LastErrorFlag(const LoomReading& r) {
  if (r.metrics) {
    if (auto v = r.metrics->Value("loom_persistence_last_error")) return *v > 0;
  }
  return !r.persistence_last_error.empty();
}

int64_t MaxLag(const LoomReading& r, std::string* which) {
  int64_t max = 0;
  for (const auto& o : r.outboxes) {
    if (o.lag_ms > max) {
      max = o.lag_ms;
      *which = o.name;
    }
  }
  return max;
}

}  // namespace

namespace {

struct SignalWords {
  const char* name;   // JSON
  const char* title;  // the runbook's words
};

SignalWords WordsOf(LoomSignal s) {
  switch (s) {
    case LoomSignal::kPersistenceFailures:
      return {"persistence_write_failures", "persistence write failures"};
    case LoomSignal::kQueueLag: return {"queue_lag", "queue lag"};
    case LoomSignal::kAuthErrorSpike: return {"auth_error_spike", "auth error spike"};
    case LoomSignal::kNodeUnreachable: return {"node_unreachable", "node unreachable"};
  }
  return {"queue_lag", "queue lag"};
}

// The runbook's mitigations of each signal (an unreachable node is not in the runbook: the
// first things to do).
std::vector<std::string> MitigationsOf(LoomSignal s) {
  switch (s) {
    case LoomSignal::kNodeUnreachable:
      return {"check the node's process, host and network path",
              "restart the node or fail over to another node"};
    case LoomSignal::kPersistenceFailures: return {"fail over or repair the database path"};
    case LoomSignal::kQueueLag: return {"scale worker capacity or reduce batch intervals"};
    case LoomSignal::kAuthErrorSpike:
      return {"isolate abusive traffic patterns", "tighten allowlists"};
  }
  return {};
}

constexpr const char* kNotMeasured = "not measured: no endpoint of the node answered";

}  // namespace

const char* LoomSignalName(LoomSignal s) { return WordsOf(s).name; }
const SignalFinding& Triage::Of(LoomSignal s) const {
  for (const SignalFinding& f : findings) {
    if (f.signal == s) return f;
  }
  static const SignalFinding kNone{s, false, {}, {}};
  return kNone;
}

bool NodeUnreachable(const LoomReading& r) {
  return !r.ready_status && !r.admin_status && !r.metrics_status;
}

const char* LoomSignalTitle(LoomSignal s) { return WordsOf(s).title; }

void ReadReadyResponse(int status, std::string_view body, LoomReading& r) {
  r.ready_status = status;
  json j = ParseObject(body);
  if (j.is_null()) {
    r.problems.push_back("/ready answered " + std::to_string(status) + " without a JSON body");
    return;
  }
  if (auto ok = j.find("ok"); ok != j.end() && ok->is_boolean()) r.ready_ok = ok->get<bool>();
  if (auto checks = j.find("checks"); checks != j.end() && checks->is_object()) {
    auto pg = checks->find("postgres");
    if (pg != checks->end() && pg->is_string()) r.postgres_check = pg->get<std::string>();
  }
  if (auto outbox = j.find("outbox"); outbox != j.end()) ReadOutboxes(*outbox, r);
}

void ReadAdminStatusResponse(int status, std::string_view body, LoomReading& r) {
  r.admin_status = status;
  if (status == 401 || status == 403) {
    r.problems.push_back("/v1/admin/status refused the admin token (HTTP " +
                         std::to_string(status) + ")");
    return;
  }
  json j = ParseObject(body);
  if (j.is_null()) {
    r.problems.push_back("/v1/admin/status answered " + std::to_string(status) +
                         " without a JSON body");
    return;
  }
  if (auto outbox = j.find("outbox"); outbox != j.end()) ReadOutboxes(*outbox, r);
  auto runtime = j.find("runtime");
  if (runtime == j.end() || !runtime->is_object()) return;
  auto p = runtime->find("persistence");
  if (p == runtime->end() || !p->is_object()) return;
  if (auto e = p->find("enabled"); e != p->end() && e->is_boolean()) {
    r.persistence_enabled = e->get<bool>();
  }
  if (auto f = p->find("writes_failed"); f != p->end() && f->is_number()) {
    r.persistence_writes_failed = f->get<int64_t>();
  }
  if (auto q = p->find("queue_length"); q != p->end() && q->is_number()) {
    r.persistence_queue_length = q->get<int64_t>();
  }
  if (auto le = p->find("last_error"); le != p->end() && le->is_string()) {
    r.persistence_last_error = le->get<std::string>();
  }
}

void ReadMetricsResponse(int status, std::string_view body, LoomReading& r) {
  r.metrics_status = status;
  if (status != 200) {
    r.problems.push_back("/metrics answered HTTP " + std::to_string(status));
    return;
  }
  auto scrape = ParsePrometheusText(body);
  if (!scrape.ok()) {
    r.problems.push_back("/metrics: " + scrape.error().message);
    return;
  }
  r.metrics = std::move(*scrape);
  if (r.outboxes.empty()) {
    for (const char* name : {"federation", "email", "webhook"}) {
      std::string prefix = std::string("loom_") + name + "_outbox_";
      auto lag = r.metrics->Value(prefix + "lag_ms");
      if (!lag) continue;
      r.outboxes.push_back(
          {name, static_cast<int64_t>(r.metrics->Value(prefix + "queued").value_or(0)),
           static_cast<int64_t>(r.metrics->Value(prefix + "failed").value_or(0)),
           static_cast<int64_t>(r.metrics->Value(prefix + "retry_scheduled").value_or(0)),
           static_cast<int64_t>(*lag)});
    }
  }
}

Triage ClassifyLoomSignals(const LoomReading& cur, const LoomReading* prev,
                           const SignalThresholds& t) {
  Triage out;

  SignalFinding unreachable{
      LoomSignal::kNodeUnreachable, false, {}, MitigationsOf(LoomSignal::kNodeUnreachable)};
  if (NodeUnreachable(cur)) {
    // Nothing was read, so the other signals have no evidence, for or against.
    unreachable.active = true;
    unreachable.evidence = cur.problems;
    out.findings.push_back(std::move(unreachable));
    for (LoomSignal s :
         {LoomSignal::kPersistenceFailures, LoomSignal::kQueueLag, LoomSignal::kAuthErrorSpike}) {
      out.findings.push_back({s, false, {kNotMeasured}, MitigationsOf(s)});
    }
    out.dominant = LoomSignal::kNodeUnreachable;
    return out;
  }
  std::string answered;
  for (const auto& [path, status] :
       {std::pair{"/ready", cur.ready_status}, std::pair{"/v1/admin/status", cur.admin_status},
        std::pair{"/metrics", cur.metrics_status}}) {
    if (!status) continue;
    answered += (answered.empty() ? "" : ", ") + std::string(path) + " " + std::to_string(*status);
  }
  unreachable.evidence.push_back("the node answered: " + answered);
  out.findings.push_back(std::move(unreachable));

  SignalFinding persistence{
      LoomSignal::kPersistenceFailures, false, {}, MitigationsOf(LoomSignal::kPersistenceFailures)};
  if (cur.ready_status == 503 && cur.postgres_check == "error") {
    persistence.active = true;
    persistence.evidence.push_back("/ready answers 503 with checks.postgres = \"error\"");
  }
  auto failed_now = WritesFailed(cur);
  auto failed_before = prev ? WritesFailed(*prev) : std::nullopt;
  if (failed_now && failed_before && *failed_now > *failed_before) {
    persistence.active = true;
    persistence.evidence.push_back("persistence writes_failed rose from " +
                                   std::to_string(*failed_before) + " to " +
                                   std::to_string(*failed_now));
  }
  if (LastErrorFlag(cur)) {
    persistence.active = true;
    persistence.evidence.push_back(cur.persistence_last_error.empty()
                                       ? "loom_persistence_last_error is 1"
                                       : "persistence last_error: " + cur.persistence_last_error);
  }
  if (!persistence.active) {
    // Only what was read rules the signal out: /ready's checks, admin status or /metrics.
    const bool read = cur.ready_ok.has_value() || cur.persistence_enabled.has_value() ||
                      failed_now.has_value() || cur.metrics.has_value();
    persistence.evidence.push_back(read ? "no persistence failures reported"
                                        : "not measured: no persistence figures could be read");
  }
  out.findings.push_back(persistence);

  SignalFinding lag{LoomSignal::kQueueLag, false, {}, MitigationsOf(LoomSignal::kQueueLag)};
  std::string which;
  int64_t max_lag = MaxLag(cur, &which);
  if (max_lag > t.lag_ms) {
    lag.active = true;
    lag.evidence.push_back(which + " outbox lag " + std::to_string(max_lag) + " ms exceeds " +
                           std::to_string(t.lag_ms) + " ms");
  }
  if (prev) {
    for (const auto& o : cur.outboxes) {
      for (const auto& p : prev->outboxes) {
        if (p.name == o.name && o.queued > p.queued) {
          lag.active = true;
          lag.evidence.push_back(o.name + " outbox queued grew from " + std::to_string(p.queued) +
                                 " to " + std::to_string(o.queued));
        }
      }
    }
  }
  if (!lag.active && cur.outboxes.empty()) {
    lag.evidence.push_back("not measured: no outbox figures could be read");
  } else if (!lag.active) {
    lag.evidence.push_back("outbox lag " + std::to_string(max_lag) + " ms is under " +
                           std::to_string(t.lag_ms) + " ms");
  }
  out.findings.push_back(lag);

  SignalFinding auth{
      LoomSignal::kAuthErrorSpike, false, {}, MitigationsOf(LoomSignal::kAuthErrorSpike)};
  if (cur.metrics && prev && prev->metrics && cur.at > prev->at) {
    double delta = AuthErrors(*cur.metrics, t) - AuthErrors(*prev->metrics, t);
    double minutes = std::chrono::duration<double>(cur.at - prev->at).count() / 60.0;
    double rate = delta / minutes;
    if (rate > t.auth_errors_per_minute) {
      auth.active = true;
      auth.evidence.push_back("auth/capability errors at " +
                              std::to_string(static_cast<int>(rate)) + "/min (threshold " +
                              std::to_string(static_cast<int>(t.auth_errors_per_minute)) + "/min)");
    } else {
      auth.evidence.push_back("auth/capability errors at " +
                              std::to_string(static_cast<int>(std::max(0.0, rate))) + "/min");
    }
  } else {
    auth.evidence.push_back("needs two /metrics scrapes to measure the error rate");
  }
  out.findings.push_back(auth);

  for (const auto& f : out.findings) {
    if (f.active) {
      out.dominant = f.signal;
      break;
    }
  }
  return out;
}

std::string DescribeBlockingAlert(const BlockingAlert& alert) {
  std::string out = alert.name.empty() ? "alert " + std::to_string(alert.alert_id) : alert.name;
  if (!alert.labels.empty()) {
    out += " {";
    bool first = true;
    for (const auto& [name, value] : alert.labels) {
      if (name == "alertname") continue;
      if (!first) out += ", ";
      first = false;
      out += name + "=" + json(value).dump();
    }
    out += "}";
  }
  if (alert.incident_number > 0) out += " (" + IncidentId(alert.incident_number) + ")";
  return out;
}

RecoveryCheck CheckRecovery(const LoomReading& r, const SignalThresholds& t,
                            const std::vector<BlockingAlert>& critical_alerts) {
  RecoveryCheck out;
  if (NodeUnreachable(r)) {
    out.failures.push_back("the node is unreachable: no endpoint answered");
    out.failed_checks.push_back("readiness");
  } else if (r.ready_status != 200 || r.ready_ok == false) {
    out.failures.push_back("readiness is not healthy (/ready " +
                           (r.ready_status ? std::to_string(*r.ready_status) : "unreachable") +
                           ")");
    out.failed_checks.push_back("readiness");
  }
  std::string which;
  int64_t lag = MaxLag(r, &which);
  if (lag > t.lag_ms) {
    out.failures.push_back(which + " outbox lag " + std::to_string(lag) + " ms is over " +
                           std::to_string(t.lag_ms) + " ms");
    out.failed_checks.push_back("lag");
  }
  if (!critical_alerts.empty()) {
    // Named, so that the responder knows what to look at (at most kNamed; the JSON has all).
    constexpr size_t kNamed = 10;
    std::string text =
        std::to_string(critical_alerts.size()) + " critical alert(s) of the service still firing: ";
    for (size_t i = 0; i < critical_alerts.size() && i < kNamed; ++i) {
      text += (i ? "; " : "") + DescribeBlockingAlert(critical_alerts[i]);
    }
    if (critical_alerts.size() > kNamed) {
      text += "; and " + std::to_string(critical_alerts.size() - kNamed) + " more";
    }
    out.failures.push_back(std::move(text));
    out.failed_checks.push_back("critical_alerts");
    out.blocking_alerts = critical_alerts;
  }
  if (r.ready_status == 200 && LastErrorFlag(r)) {
    out.notes.push_back(
        "loom_persistence_last_error is still set although /ready is healthy: the node clears it "
        "only when its next write flushes the failed queue — make a write (or wait for traffic) "
        "and probe again");
  }
  out.passed = out.failures.empty();
  return out;
}

}  // namespace loom
