// Response figures for the reports API: acknowledgement and resolution times grouped by
// severity, service and responder, as percentiles (nearest rank) and maxima, with the share of
// acknowledgements within the severity's target. Pure domain: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/incident.h"

namespace loom {

// Whether an incident is left out of the reports: drills are rehearsals, not responses.
// The one place the reports decide it, so the drill flag's owner can refine it.
bool ExcludedFromReports(const Incident& incident);

// The p-th percentile (0 < p <= 100) of `sorted` by the nearest-rank method: the smallest value
// with at least p% of the values at or below it. REQUIRES: `sorted` is ascending and not empty.
double Percentile(const std::vector<double>& sorted, double p);

struct TimeStats {
  int64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // seconds
  // Acknowledgements only: the share (0..1) within their severity's ack target.
  std::optional<double> within_target_share;
};

// One incident's figures.
struct ResponseSample {
  Incident incident;
  std::string responder;                  // who acknowledged it first; "" when nobody did
  std::optional<double> ack_seconds;      // triggered → first acknowledgement
  std::optional<double> resolve_seconds;  // triggered → resolved
  bool ack_within_target = false;
};

struct ResponseGroup {
  TimeStats acknowledge;
  TimeStats resolve;
};

struct ResponseReport {
  int64_t incidents = 0;
  std::map<std::string, ResponseGroup> by_severity, by_service, by_responder;
};

ResponseReport BuildResponseReport(const std::vector<ResponseSample>& samples);

}  // namespace loom
