// Reports: response times (GET /v1/reports/response) and pages per responder with the off-hours
// ones (GET /v1/reports/pages), computed from the incidents created in a window.
// docs/followups.md is the contract.

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "common/time_format.h"
#include "core/response_report.h"
#include "core/review.h"
#include "core/schedule.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/query.h"

namespace loom::http {
namespace {

constexpr Duration kDefaultReportWindow = std::chrono::hours(24 * 30);

double SecondsBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

Json StatsToJson(const TimeStats& s) {
  Json j = Json::object();
  j["count"] = s.count;
  j["p50_seconds"] = s.p50;
  j["p90_seconds"] = s.p90;
  j["p99_seconds"] = s.p99;
  j["max_seconds"] = s.max;
  if (s.within_target_share) j["within_target_share"] = *s.within_target_share;
  return j;
}

Json GroupsToJson(const std::map<std::string, ResponseGroup>& groups) {
  Json out = Json::object();
  for (const auto& [key, g] : groups) {
    out[key] = {{"acknowledge", StatsToJson(g.acknowledge)}, {"resolve", StatsToJson(g.resolve)}};
  }
  return out;
}

// The first fields of a report: its window and service.
Json WindowToJson(const ReportWindow& window) {
  Json j = Json::object();
  j["from"] = FormatRfc3339(window.from);
  j["to"] = FormatRfc3339(window.to);
  j["service"] = window.service_id.empty() ? Json() : Json(window.service_id);
  return j;
}

}  // namespace

std::optional<Api::ReportScope> Api::LoadReportScope(const Request& req, const Reply& reply) {
  auto fail = [&](const Error& e) {
    reply->Send(ProblemFor(e, req));
    return std::optional<ReportScope>();
  };
  auto who = RouteCaller(req);
  if (!who.ok()) return fail(who.error());
  const TimePoint now = clock_.Now();
  auto window = WindowParams(req, now - kDefaultReportWindow, now);
  if (!window.ok()) return fail(window.error());
  ReportScope scope;
  scope.window.from = window->from;
  scope.window.to = window->to;
  scope.window.service_id = QueryParams(req.query).Get("service").value_or("");
  auto incidents = store_.ListReportIncidents(scope.window);
  if (!incidents.ok()) return fail(incidents.error());
  scope.incidents = std::move(*incidents);
  // A hidden team's incidents are left out of the figures (and their pages).
  std::erase_if(scope.incidents, [&](const ReportIncident& ri) {
    const bool hidden = !SeesService(*who, ri.incident.service_id);
    if (hidden) scope.hidden.insert(ri.incident.number);
    return hidden;
  });
  scope.oncall = roster_ ? roster_->Current() : nullptr;
  return scope;
}

void Api::ResponseReport(const Request& req, const PathParams&, Reply reply) {
  // bucket=day|week: the figures by severity for each day or week of the window as well, so that
  // a chart needs one request (and one pass over the incidents), not one per point.
  std::optional<Duration> bucket;
  if (std::optional<std::string> b = QueryParams(req.query).Get("bucket"); b && !b->empty()) {
    if (*b == "day") {
      bucket = std::chrono::hours(24);
    } else if (*b == "week") {
      bucket = std::chrono::hours(24 * 7);
    } else {
      return reply->Send(
          ProblemFor(InvalidQuery({{"/query/bucket", "must be 'day' or 'week'"}}), req));
    }
  }
  std::optional<ReportScope> scope = LoadReportScope(req, reply);
  if (!scope) return;
  const std::shared_ptr<const OnCallSnapshot>& oncall = scope->oncall;

  std::vector<ResponseSample> samples;
  Json unpublished = Json::array();
  for (const ReportIncident& ri : scope->incidents) {
    const Incident& in = ri.incident;
    ResponseSample s;
    s.incident = in;
    if (ri.first_ack_at) {
      const TimePoint acked = *ri.first_ack_at;
      s.responder = ri.first_ack_actor;
      s.ack_seconds = SecondsBetween(in.created_at, acked);
      TimePoint target = in.created_at;
      if (policy_) {
        const PolicyDuration& ack = policy_->For(in.severity).ack_target;
        const BusinessCalendar* calendar =
            oncall != nullptr ? oncall->CalendarOf(in.service_id) : nullptr;
        target = calendar != nullptr && ack.basis != TimeBasis::kWall
                     ? calendar->AddBusinessTime(in.created_at, ack.amount)
                     : in.created_at + ack.amount;
      }
      s.ack_within_target = policy_ == nullptr || acked <= target;
    }
    if (in.resolved_at) s.resolve_seconds = SecondsBetween(in.created_at, *in.resolved_at);
    samples.push_back(std::move(s));
    if (in.state == IncidentState::kClosed && ReviewRequired(in.severity)) {
      auto review = store_.GetReview(in.number);
      if (!review.ok()) return reply->Send(ProblemFor(review.error(), req));
      if (!review->has_value() || !(*review)->published()) unpublished.push_back(in.id());
    }
  }
  const loom::ResponseReport report = BuildResponseReport(samples);
  const ReportWindow& window = scope->window;
  Json body = WindowToJson(window);
  body["incidents"] = report.incidents;
  body["by_severity"] = GroupsToJson(report.by_severity);
  body["by_service"] = GroupsToJson(report.by_service);
  body["by_responder"] = GroupsToJson(report.by_responder);
  body["unpublished_reviews"] = {{"count", unpublished.size()}, {"incidents", unpublished}};
  if (bucket) {
    // Consecutive windows from `from`; the last one ends at `to`.
    std::vector<std::vector<ResponseSample>> by_bucket(
        static_cast<size_t>((window.to - window.from + *bucket - Duration(1)) / *bucket));
    for (ResponseSample& s : samples) {
      by_bucket[static_cast<size_t>((s.incident.created_at - window.from) / *bucket)].push_back(
          std::move(s));
    }
    Json buckets = Json::array();
    for (size_t i = 0; i < by_bucket.size(); ++i) {
      const TimePoint from = window.from + *bucket * static_cast<int64_t>(i);
      const loom::ResponseReport part = BuildResponseReport(by_bucket[i]);
      buckets.push_back({{"from", FormatRfc3339(from)},
                         {"to", FormatRfc3339(std::min(from + *bucket, window.to))},
                         {"incidents", part.incidents},
                         {"by_severity", GroupsToJson(part.by_severity)}});
    }
    body["buckets"] = std::move(buckets);
  }
  reply->Send(JsonResponse(200, body));
}

void Api::PagesReport(const Request& req, const PathParams&, Reply reply) {
  std::optional<ReportScope> scope = LoadReportScope(req, reply);
  if (!scope) return;
  const std::shared_ptr<const OnCallSnapshot>& oncall = scope->oncall;

  struct Count {
    int64_t pages = 0, off_hours = 0;
  };
  std::map<std::string, Count> by_user;
  Count total;
  std::set<std::string> without_hours;
  std::map<int64_t, const BusinessCalendar*> calendars;  // by incident number; null: no hours
  for (const ReportIncident& ri : scope->incidents) {
    const BusinessCalendar* calendar =
        oncall != nullptr ? oncall->CalendarOf(ri.incident.service_id) : nullptr;
    if (calendar == nullptr) without_hours.insert(ri.incident.service_id);
    calendars[ri.incident.number] = calendar;
  }
  auto pages = store_.ListReportPages(scope->window);
  if (!pages.ok()) return reply->Send(ProblemFor(pages.error(), req));
  // One page per (incident, step, recipient), however many contact methods carried it.
  std::set<std::string> seen;
  for (const OutboxEntry& row : *pages) {
    const std::string page = row.unique_key.substr(0, row.unique_key.rfind('/'));
    if (scope->hidden.count(row.incident_number) != 0) continue;
    if (!seen.insert(row.recipient + " " + page).second) continue;
    auto calendar = calendars.find(row.incident_number);
    const bool off = calendar != calendars.end() && calendar->second != nullptr &&
                     !calendar->second->IsOpen(row.created_at);
    Count& c = by_user[row.recipient];
    ++c.pages;
    ++total.pages;
    if (off) {
      ++c.off_hours;
      ++total.off_hours;
    }
  }
  Json responders = Json::object();
  for (const auto& [user, c] : by_user) {
    responders[user] = {{"pages", c.pages}, {"off_hours", c.off_hours}};
  }
  Json body = WindowToJson(scope->window);
  body["responders"] = std::move(responders);
  body["total"] = {{"pages", total.pages}, {"off_hours", total.off_hours}};
  body["services_without_business_hours"] = Json(without_hours);
  reply->Send(JsonResponse(200, body));
}

}  // namespace loom::http
