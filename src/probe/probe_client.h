// Probing a LOOM node over HTTP: one round reads /ready, /v1/admin/status (admin token in
// `x-loom-admin-token`) and /metrics (the same header) into a LoomReading, then the triage and
// the recovery check of src/probe/loom_signals.h decide what the round means. ProbeRoundJson is
// the one encoding of a round: the `probe.result` timeline event's data, the answer of the probe
// routes and the source of an incident's `playbook` object (docs/playbook-availability.md).
//
// Thread safety: ProbeHttp implementations may be called from several threads at once;
// ProbeLoomNode keeps no state.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "notify/outbound_policy.h"
#include "probe/loom_signals.h"

namespace loom {

// The answer to one probe GET.
struct ProbeResponse {
  bool completed = false;  // a status line arrived; false: refused by policy, or network failure
  int status = 0;
  std::string body;
  std::string error;  // !completed: short, naming the URL's origin only
};

// The HTTP GET a probe needs, behind an interface so tests serve canned answers.
class ProbeHttp {
 public:
  virtual ~ProbeHttp() = default;
  // `headers` are "Name: value" lines.
  virtual ProbeResponse Get(const std::string& url, const std::vector<std::string>& headers,
                            Duration timeout) = 0;
};

// GET through libcurl under an OutboundPolicy (notify.allow_hosts): the same SSRF guard,
// no redirects, no proxies, TLS verified, as the notification channels.
class CurlProbeHttp final : public ProbeHttp {
 public:
  explicit CurlProbeHttp(OutboundPolicy policy) : policy_(std::move(policy)) {}
  ProbeResponse Get(const std::string& url, const std::vector<std::string>& headers,
                    Duration timeout) override;

 private:
  const OutboundPolicy policy_;
};

// Where and how to probe one node.
struct ProbeTarget {
  std::string base_url;     // http(s)://host:port, no trailing '/'
  std::string admin_token;  // "" = no header (then /v1/admin/status answers 403); never logged
  Duration timeout = std::chrono::seconds(5);  // per endpoint
};

// One round: the three GETs, in order, each bounded by target.timeout. An endpoint that could not
// be reached leaves its status unset and adds "<path>: <error>" to reading.problems.
LoomReading ProbeLoomNode(ProbeHttp& http, const ProbeTarget& target, TimePoint now);

// A round with its interpretation.
struct ProbeRound {
  LoomReading reading;
  Triage triage;
  RecoveryCheck recovery;
  int firing_critical_alerts = 0;
};

// True when the node answered /ready and passed the recovery gate (what `loom-oncall probe`
// exits 0 for).
bool NodeHealthy(const ProbeRound& round);

// The JSON of a round (docs/playbook-availability.md):
//   {"service","base_url","trigger","at","healthy","ready":{status,ok,postgres}|null,
//    "admin_status":{status,persistence:{...}}|null,"metrics":{status,samples}|null,
//    "outbox":[...],"errors":[...],"dominant_signal","dominant_signal_title","signals":[...],
//    "recovery":{passed,failures,failed_checks,notes,firing_critical_alerts,blocking_alerts:[
//      {incident,alert_id,alertname,labels,summary,status}]}}
nlohmann::json ProbeRoundJson(const ProbeRound& round, const std::string& service,
                              const std::string& base_url, const std::string& trigger);

}  // namespace loom
