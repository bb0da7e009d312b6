#include "core/response_report.h"

#include <algorithm>
#include <cmath>

namespace loom {
namespace {

struct Values {
  std::vector<double> ack, resolve;
  int64_t acks_within = 0;
};

TimeStats Stats(std::vector<double> values) {
  TimeStats s;
  s.count = static_cast<int64_t>(values.size());
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.p50 = Percentile(values, 50);
  s.p90 = Percentile(values, 90);
  s.p99 = Percentile(values, 99);
  s.max = values.back();
  return s;
}

ResponseGroup Group(const Values& v) {
  ResponseGroup g;
  g.acknowledge = Stats(v.ack);
  if (!v.ack.empty()) {
    g.acknowledge.within_target_share =
        static_cast<double>(v.acks_within) / static_cast<double>(v.ack.size());
  }
  g.resolve = Stats(v.resolve);
  return g;
}

}  // namespace

bool ExcludedFromReports(const Incident& incident) { return incident.drill; }

double Percentile(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

ResponseReport BuildResponseReport(const std::vector<ResponseSample>& samples) {
  std::map<std::string, Values> severity, service, responder;
  ResponseReport report;
  for (const ResponseSample& s : samples) {
    if (ExcludedFromReports(s.incident)) continue;
    ++report.incidents;
    std::vector<Values*> groups = {&severity[SeverityName(s.incident.severity)],
                                   &service[s.incident.service_id]};
    if (!s.responder.empty()) groups.push_back(&responder[s.responder]);
    for (Values* v : groups) {
      if (s.ack_seconds) {
        v->ack.push_back(*s.ack_seconds);
        if (s.ack_within_target) ++v->acks_within;
      }
      if (s.resolve_seconds) v->resolve.push_back(*s.resolve_seconds);
    }
  }
  for (auto& [k, v] : severity) report.by_severity[k] = Group(v);
  for (auto& [k, v] : service) report.by_service[k] = Group(v);
  for (auto& [k, v] : responder) report.by_responder[k] = Group(v);
  return report;
}

}  // namespace loom
