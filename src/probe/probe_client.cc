#include "probe/probe_client.h"

#include "common/time_format.h"
#include "core/incident.h"
#include "notify/http_post.h"

namespace loom {
namespace {

using nlohmann::json;

// Bodies of a LOOM node are a few KiB; /metrics grows with routes and error codes.
constexpr size_t kMaxProbeBody = 1024 * 1024;

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

// One GET; the response, or the transport problem added to the reading.
std::optional<ProbeResponse> Fetch(ProbeHttp& http, const ProbeTarget& target, const char* path,
                                   bool with_token, LoomReading& r) {
  std::vector<std::string> headers = {"Accept: application/json, text/plain"};
  if (with_token && !target.admin_token.empty()) {
    headers.push_back("x-loom-admin-token: " + target.admin_token);
  }
  ProbeResponse response = http.Get(target.base_url + path, headers, target.timeout);
  if (!response.completed) {
    r.problems.push_back(std::string(path) + ": " + response.error);
    return std::nullopt;
  }
  return response;
}

json BlockingAlertsJson(const std::vector<BlockingAlert>& alerts) {
  json out = json::array();
  for (const BlockingAlert& a : alerts) {
    json labels = json::object();
    for (const auto& [name, value] : a.labels) labels[name] = value;
    out.push_back({{"incident", IncidentId(a.incident_number)},
                   {"alert_id", a.alert_id},
                   {"alertname", a.name},
                   {"labels", std::move(labels)},
                   {"summary", a.summary},
                   {"status", a.status}});
  }
  return out;
}

}  // namespace

ProbeResponse CurlProbeHttp::Get(const std::string& url, const std::vector<std::string>& headers,
                                 Duration timeout) {
  HttpRequest request;
  request.url = url;
  request.get = true;
  request.headers = headers;
  request.timeout = timeout;
  request.max_response_bytes = kMaxProbeBody;
  // Retry-After is irrelevant to a probe: the time it is measured from does not matter.
  HttpResponse response = HttpPost(policy_, request, TimePoint{});
  ProbeResponse out;
  out.completed = response.transport == HttpResponse::Transport::kCompleted;
  out.status = response.status;
  out.body = std::move(response.body);
  out.error = std::move(response.error);
  return out;
}

LoomReading ProbeLoomNode(ProbeHttp& http, const ProbeTarget& target, TimePoint now) {
  LoomReading r;
  r.at = now;
  if (auto ready = Fetch(http, target, "/ready", false, r)) {
    ReadReadyResponse(ready->status, ready->body, r);
  }
  if (auto admin = Fetch(http, target, "/v1/admin/status", true, r)) {
    ReadAdminStatusResponse(admin->status, admin->body, r);
  }
  if (auto metrics = Fetch(http, target, "/metrics", true, r)) {
    ReadMetricsResponse(metrics->status, metrics->body, r);
  }
  return r;
}

bool NodeHealthy(const ProbeRound& round) {
  return round.reading.ready_status.has_value() && round.recovery.passed;
}

json ProbeRoundJson(const ProbeRound& round, const std::string& service,
                    const std::string& base_url, const std::string& trigger) {
  const LoomReading& r = round.reading;
  json out = json::object();
  out["service"] = service;
  out["base_url"] = base_url;
  out["trigger"] = trigger;
  out["at"] = FormatRfc3339(r.at);
  out["healthy"] = NodeHealthy(round);

  json ready = nullptr;
  if (r.ready_status) {
    ready = {{"status", *r.ready_status},
             {"ok", OrNull(r.ready_ok)},
             {"postgres", r.postgres_check.empty() ? json(nullptr) : json(r.postgres_check)}};
  }
  out["ready"] = ready;

  json admin = nullptr;
  if (r.admin_status) {
    admin = {{"status", *r.admin_status},
             {"persistence",
              {{"enabled", OrNull(r.persistence_enabled)},
               {"writes_failed", OrNull(r.persistence_writes_failed)},
               {"queue_length", OrNull(r.persistence_queue_length)},
               {"last_error", r.persistence_last_error.empty() ? json(nullptr)
                                                               : json(r.persistence_last_error)}}}};
  }
  out["admin_status"] = admin;

  json metrics = nullptr;
  if (r.metrics_status) {
    metrics = {{"status", *r.metrics_status},
               {"samples", r.metrics ? json(r.metrics->samples.size()) : json(nullptr)}};
  }
  out["metrics"] = metrics;

  json outbox = json::array();
  for (const LoomOutbox& o : r.outboxes) {
    outbox.push_back({{"name", o.name},
                      {"queued", o.queued},
                      {"failed", o.failed},
                      {"retry_scheduled", o.retry_scheduled},
                      {"lag_ms", o.lag_ms}});
  }
  out["outbox"] = std::move(outbox);
  out["errors"] = r.problems;

  const Triage& t = round.triage;
  out["dominant_signal"] = t.dominant ? json(LoomSignalName(*t.dominant)) : json(nullptr);
  out["dominant_signal_title"] = t.dominant ? json(LoomSignalTitle(*t.dominant)) : json(nullptr);
  json signals = json::array();
  for (const SignalFinding& f : t.findings) {
    signals.push_back({{"signal", LoomSignalName(f.signal)},
                       {"title", LoomSignalTitle(f.signal)},
                       {"active", f.active},
                       {"evidence", f.evidence},
                       {"mitigations", f.mitigations}});
  }
  out["signals"] = std::move(signals);
  out["recovery"] = {{"passed", round.recovery.passed},
                     {"failures", round.recovery.failures},
                     {"failed_checks", round.recovery.failed_checks},
                     {"notes", round.recovery.notes},
                     {"firing_critical_alerts", round.firing_critical_alerts},
                     {"blocking_alerts", BlockingAlertsJson(round.recovery.blocking_alerts)}};
  return out;
}

}  // namespace loom
