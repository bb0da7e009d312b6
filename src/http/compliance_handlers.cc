// GET /v1/reports/compliance (viewer): the live compliance figures of core/compliance.h as JSON,
// read by `loom-oncall check incident-response --server` (docs/drills.md defines each figure).

#include <charconv>

#include "common/time_format.h"
#include "core/compliance.h"
#include "core/followup.h"
#include "core/response_report.h"
#include "core/review.h"
#include "engine/drill_deadline.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/query.h"

namespace loom::http {
namespace {

Json OrNull(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

// The incidents opened since `from`, newest first, with their timelines.
Result<std::vector<IncidentHistory>> IncidentsSince(Store& store, TimePoint from) {
  std::vector<IncidentHistory> out;
  IncidentFilter filter;
  filter.limit = 500;
  while (true) {
    Result<IncidentPage> page = store.ListIncidents(filter);
    if (!page.ok()) return std::move(page).error();
    for (Incident& inc : page->incidents) {
      if (inc.created_at < from) return out;
      IncidentHistory h;
      if (inc.acknowledged_at && CountsInResponseStats(inc)) {  // the cadence needs its updates
        auto detail = store.GetIncident(inc.number);
        if (!detail.ok()) return std::move(detail).error();
        if (detail->has_value()) h.timeline = std::move((*detail)->timeline);
      }
      h.incident = std::move(inc);
      out.push_back(std::move(h));
    }
    if (!page->next_cursor) return out;
    filter.before_number = *page->next_cursor;
  }
}

// Open follow-ups past their due time (all of them, not only the window's), and the window's
// closed incidents that need a review (Sev1/Sev2, not drills) without a published one.
Status AddFollowUpAndReviewFigures(Store& store, TimePoint now,
                                   const std::vector<IncidentHistory>& incidents, Json& body) {
  FollowupFilter overdue;
  overdue.status = FollowupStatus::kOpen;
  overdue.overdue_only = true;
  overdue.now = now;
  Result<std::vector<Followup>> late = store.ListFollowups(overdue);
  if (!late.ok()) return std::move(late).error();
  Json late_ids = Json::array();
  for (const Followup& f : *late) late_ids.push_back(f.id());
  body["overdue_followups"] = late->size();
  body["overdue_followup_ids"] = std::move(late_ids);
  Json unpublished = Json::array();
  for (const IncidentHistory& h : incidents) {
    const Incident& in = h.incident;
    if (in.state != IncidentState::kClosed || !ReviewRequired(in.severity) ||
        ExcludedFromReports(in)) {
      continue;
    }
    Result<std::optional<Review>> review = store.GetReview(in.number);
    if (!review.ok()) return std::move(review).error();
    if (!review->has_value() || !(*review)->published()) unpublished.push_back(in.id());
  }
  body["unpublished_reviews"] = unpublished.size();
  body["unpublished_review_incidents"] = std::move(unpublished);
  return OkStatus();
}

Json ReportToJson(const ComplianceReport& r, const NextDrill& next, int window_days) {
  Json body = Json::object();
  body["generated_at"] = FormatRfc3339(r.generated_at);
  body["window"] = {{"from", FormatRfc3339(r.window_from)},
                    {"to", FormatRfc3339(r.generated_at)},
                    {"days", window_days}};
  body["incidents_counted"] = r.incidents_counted;
  body["drills_excluded"] = r.drills_excluded;
  Json ack = Json::object();
  for (const AckFigures& f : r.ack) {
    ack[SeverityName(f.severity)] = {
        {"count", f.count},
        {"unacknowledged", f.unacknowledged},
        {"median_seconds", OrNull(f.median_seconds)},
        {"p90_seconds", OrNull(f.p90_seconds)},
        {"share_within_target", OrNull(f.share_within_target)},
        {"target_seconds", f.target_seconds ? Json(*f.target_seconds) : Json(nullptr)}};
  }
  body["ack"] = std::move(ack);
  Json cadence = Json::object();
  for (const CadenceFigures& f : r.cadence) {
    cadence[SeverityName(f.severity)] = {{"cadence_seconds", f.cadence_seconds},
                                         {"intervals", f.intervals},
                                         {"within_cadence", f.within_cadence},
                                         {"share_within_cadence", OrNull(f.share_within_cadence)}};
  }
  body["update_cadence"] = std::move(cadence);
  body["drills"] = {{"last_30_days", r.drills.last_30_days},
                    {"last_60_days", r.drills.last_60_days},
                    {"alternating", r.drills.alternating},
                    {"next_due_at", FormatRfc3339(next.due_at)},
                    {"next_scenario", IncidentKindName(next.scenario)},
                    {"overdue", next.overdue}};
  Json gaps = Json::array();
  for (const CoverageGap& g : r.coverage_gaps) {
    gaps.push_back({{"service", g.service},
                    {"role", OnCallRoleName(g.role)},
                    {"from", FormatRfc3339(g.from)},
                    {"to", FormatRfc3339(g.to)},
                    {"reason", g.scheduled ? "nobody on call" : "no schedule for the role"}});
  }
  body["coverage"] = {{"from", FormatRfc3339(r.generated_at)},
                      {"until", FormatRfc3339(r.coverage_until)},
                      {"gaps", std::move(gaps)}};
  return body;
}

}  // namespace

void Api::GetComplianceReport(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  if (!policy_) {
    return reply->Send(ProblemFor(Error::Unavailable("no severity policy is loaded"), req));
  }
  int days = kComplianceWindowDays;
  QueryParams q(req.query);
  if (auto v = q.Get("days"); v && !v->empty()) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), days);
    if (ec != std::errc() || p != v->data() + v->size() || days < 1 || days > 366) {
      return reply->Send(ProblemFor(
          Error::Invalid("invalid query parameter days", {{"/query/days", "must be 1 to 366"}}),
          req));
    }
  }
  const TimePoint now = clock_.Now();
  Result<std::vector<IncidentHistory>> incidents =
      IncidentsSince(store_, now - std::chrono::days(days));
  if (!incidents.ok()) return reply->Send(ProblemFor(incidents.error(), req));
  Result<std::vector<Incident>> drills = ListDrillIncidents(store_);
  if (!drills.ok()) return reply->Send(ProblemFor(drills.error(), req));
  Result<std::vector<Service>> services = store_.ListServices();
  if (!services.ok()) return reply->Send(ProblemFor(services.error(), req));
  std::vector<std::string> service_ids;
  for (const Service& s : *services) service_ids.push_back(s.id);

  const std::shared_ptr<const OnCallSnapshot> oncall =
      roster_ ? roster_->Current() : EmptyOnCallSnapshot();
  const std::vector<DrillRecord> records = DrillRecordsOf(*drills);
  const ComplianceReport report =
      ComputeCompliance(*incidents, records, *policy_, oncall->resolver, service_ids, now, days);
  const TimePoint anchor = DrillAnchor();
  const NextDrill next = PlanNextDrill(records, options_.drills, anchor, now);
  Json body = ReportToJson(report, next, days);
  Status more = AddFollowUpAndReviewFigures(store_, now, *incidents, body);
  if (!more.ok()) return reply->Send(ProblemFor(more.error(), req));
  reply->Send(JsonResponse(200, body));
}

}  // namespace loom::http
