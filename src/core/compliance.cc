#include "core/compliance.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace loom {
namespace {

constexpr Severity kSeverities[] = {Severity::kSev1, Severity::kSev2, Severity::kSev3,
                                    Severity::kSev4};

double Seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }

// Nearest rank: the smallest value with at least p of the values at or below it.
double Percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

AckFigures AckFor(Severity severity, const std::vector<const Incident*>& incidents,
                  const SeverityRule& rule) {
  AckFigures f;
  f.severity = severity;
  const bool wall = rule.ack_target.basis == TimeBasis::kWall && !rule.ack_target.async &&
                    rule.ack_target.amount.count() > 0;
  if (wall) {
    f.target_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(rule.ack_target.amount).count();
  }
  std::vector<double> times;
  int64_t within = 0;
  for (const Incident* inc : incidents) {
    if (inc->severity != severity) continue;
    if (!inc->acknowledged_at) {
      ++f.unacknowledged;
      continue;
    }
    const Duration took = *inc->acknowledged_at - inc->created_at;
    times.push_back(Seconds(took));
    if (wall && took <= rule.ack_target.amount) ++within;
  }
  f.count = static_cast<int64_t>(times.size());
  if (times.empty()) return f;
  std::sort(times.begin(), times.end());
  f.median_seconds = Percentile(times, 0.5);
  f.p90_seconds = Percentile(times, 0.9);
  if (wall) f.share_within_target = static_cast<double>(within) / static_cast<double>(f.count);
  return f;
}

void AddCadence(const IncidentHistory& h, Duration cadence, TimePoint now, CadenceFigures& f) {
  const Incident& inc = h.incident;
  if (!inc.acknowledged_at) return;
  std::vector<TimePoint> points = {*inc.acknowledged_at};
  for (const TimelineEvent& e : h.timeline) {
    if (e.type == "incident.status_update" && e.at > *inc.acknowledged_at) points.push_back(e.at);
  }
  const std::optional<TimePoint> end = inc.resolved_at ? inc.resolved_at : inc.closed_at;
  std::sort(points.begin(), points.end());
  for (size_t i = 1; i < points.size(); ++i) {
    ++f.intervals;
    if (points[i] - points[i - 1] <= cadence) ++f.within_cadence;
  }
  const TimePoint last = points.back();
  if (end) {
    if (*end > last) {
      ++f.intervals;
      if (*end - last <= cadence) ++f.within_cadence;
    }
  } else if (now - last > cadence) {
    ++f.intervals;  // still open and the update is overdue: a missed interval
  }
}

std::vector<CoverageGap> GapsOf(const OnCallResolver& oncall, const std::string& service,
                                TimePoint from, TimePoint to) {
  std::vector<CoverageGap> out;
  for (OnCallRole role : kAllRoles) {
    TimePoint t = from;
    while (t < to) {
      const RoleHolder h = oncall.Resolve(service, role, t);
      TimePoint next = h.until && *h.until > t ? std::min(*h.until, to) : to;
      if (!h.user) {
        if (!out.empty() && out.back().service == service && out.back().role == role &&
            out.back().to == t) {
          out.back().to = next;  // contiguous with the gap before
        } else {
          out.push_back({service, role, t, next, !h.schedule_id.empty()});
        }
      }
      t = next;
    }
  }
  return out;
}

}  // namespace

ComplianceReport ComputeCompliance(const std::vector<IncidentHistory>& incidents,
                                   const std::vector<DrillRecord>& drills,
                                   const SeverityPolicy& policy, const OnCallResolver& oncall,
                                   const std::vector<std::string>& services, TimePoint now,
                                   int window_days) {
  using std::chrono::days;
  ComplianceReport r;
  r.generated_at = now;
  r.window_from = now - days(window_days);
  std::vector<const IncidentHistory*> counted;
  for (const IncidentHistory& h : incidents) {
    if (h.incident.created_at < r.window_from) continue;
    if (!CountsInResponseStats(h.incident)) {
      ++r.drills_excluded;
      continue;
    }
    counted.push_back(&h);
  }
  r.incidents_counted = static_cast<int64_t>(counted.size());
  std::vector<const Incident*> counted_incidents;
  for (const IncidentHistory* h : counted) counted_incidents.push_back(&h->incident);
  for (Severity s : kSeverities) {
    r.ack.push_back(AckFor(s, counted_incidents, policy.For(s)));
    const PolicyDuration& cadence = policy.For(s).update_cadence;
    if (cadence.async || cadence.basis != TimeBasis::kWall || cadence.amount.count() <= 0) {
      continue;
    }
    CadenceFigures f;
    f.severity = s;
    f.cadence_seconds = std::chrono::duration_cast<std::chrono::seconds>(cadence.amount).count();
    for (const IncidentHistory* h : counted) {
      if (h->incident.severity == s) AddCadence(*h, cadence.amount, now, f);
    }
    if (f.intervals > 0) {
      f.share_within_cadence =
          static_cast<double>(f.within_cadence) / static_cast<double>(f.intervals);
    }
    r.cadence.push_back(f);
  }

  std::vector<DrillRecord> recent;
  for (const DrillRecord& d : drills) {
    if (d.started_at > now) continue;
    if (d.started_at >= now - days(30)) ++r.drills.last_30_days;
    if (d.started_at >= now - days(60)) {
      ++r.drills.last_60_days;
      recent.push_back(d);
    }
  }
  r.drills.alternating = DrillsAlternate(std::move(recent));

  r.coverage_until = now + days(kCoverageDays);
  for (const std::string& service : services) {
    std::vector<CoverageGap> gaps = GapsOf(oncall, service, now, r.coverage_until);
    r.coverage_gaps.insert(r.coverage_gaps.end(), gaps.begin(), gaps.end());
  }
  return r;
}

}  // namespace loom
