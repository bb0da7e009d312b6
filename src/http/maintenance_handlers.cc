// Maintenance windows (docs/maintenance.md, store/maintenance_store.h): /v1/maintenance — viewers
// list and read them, responders schedule, end early and delete (before the start) — and the
// incident JSON's "maintenance" (MarkMaintenance). Every write is logged with its actor and kept
// on the window (created_by, ended_by, cancelled_by).

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error_context.h"
#include "common/time_format.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"

namespace loom::http {
namespace {

constexpr size_t kMaxPastListed = 100;

Json OptionalTimeJson(const std::optional<TimePoint>& t) {
  return t ? Json(FormatRfc3339(*t)) : Json(nullptr);
}

Json WindowToJson(const MaintenanceWindow& w, TimePoint now) {
  Json j = Json::object();
  j["id"] = w.id;
  j["services"] = w.services;
  j["reason"] = w.reason;
  j["state"] = MaintenanceStateName(MaintenanceStateAt(w, now));
  // The occurrence in effect or next; a one-off window's own span once it is over.
  std::optional<TimeSpan> span = NextMaintenanceOccurrence(w, now);
  if (!span && !w.weekly) span = TimeSpan{w.start, w.end};
  j["start"] = span ? Json(FormatRfc3339(span->start)) : Json(nullptr);
  j["end"] = span ? Json(FormatRfc3339(span->end)) : Json(nullptr);
  if (w.weekly) {
    Json weekly = Json::object();
    weekly["days"] = WeekdaysText(w.weekly->weekdays);
    weekly["from"] = TimeOfDayText(w.weekly->from_minute);
    weekly["to"] = TimeOfDayText(w.weekly->to_minute);
    weekly["time_zone"] = w.weekly->time_zone;
    j["weekly"] = std::move(weekly);
  } else {
    j["weekly"] = nullptr;
  }
  j["source"] = w.source;
  j["config_id"] = w.config_id.empty() ? Json(nullptr) : Json(w.config_id);
  j["created_by"] = w.created_by;
  j["created_at"] = FormatRfc3339(w.created_at);
  j["ended_at"] = OptionalTimeJson(w.ended_at);
  j["ended_by"] = w.ended_by.empty() ? Json(nullptr) : Json(w.ended_by);
  j["cancelled_at"] = OptionalTimeJson(w.cancelled_at);
  j["cancelled_by"] = w.cancelled_by.empty() ? Json(nullptr) : Json(w.cancelled_by);
  return j;
}

// An RFC 3339 member; nullopt when absent or null; a field error otherwise.
Result<std::optional<TimePoint>> TimeField(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<TimePoint>();
  if (it->is_string()) {
    Result<TimePoint> t = ParseRfc3339(it->get<std::string>());
    if (t.ok()) return std::optional<TimePoint>(*t);
  }
  return Error::Invalid(std::string("invalid ") + key, {{std::string("/") + key,
                                                         "must be an RFC 3339 time such as "
                                                         "2026-12-24T18:00:00Z"}});
}

// `weekly`: {days ("sat,sun", "mon-fri" or a list), from, to, time_zone}.
void ParseWeeklyField(const nlohmann::json& body, MaintenanceWindow* w,
                      std::vector<FieldError>* errors) {
  const nlohmann::json& weekly = body["weekly"];
  if (!weekly.is_object()) {
    errors->push_back({"/weekly", "must be an object {days, from, to, time_zone}"});
    return;
  }
  std::string days;
  if (auto d = weekly.find("days"); d != weekly.end() && d->is_array()) {
    for (const auto& day : *d) {
      if (!day.is_string()) continue;
      if (!days.empty()) days += ',';
      days += day.get<std::string>();
    }
  } else if (d != weekly.end() && d->is_string()) {
    days = d->get<std::string>();
  }
  auto text = [&](const char* key) {
    auto it = weekly.find(key);
    return it != weekly.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Result<WeeklyMaintenance> parsed =
      ParseWeeklyMaintenance(days, text("from"), text("to"), text("time_zone"));
  if (!parsed.ok()) {
    for (const FieldError& f : parsed.error().fields) errors->push_back(f);
    return;
  }
  w->weekly = std::move(*parsed);
}

// The window a POST body describes (services, reason, and start/end, start/duration or weekly);
// `now` is the default start.
Result<MaintenanceWindow> ParseWindow(const nlohmann::json& body, TimePoint now) {
  MaintenanceWindow w;
  std::vector<FieldError> errors;
  auto services = body.find("services");
  if (services == body.end() || !services->is_array() || services->empty()) {
    errors.push_back({"/services", "is required (a list of service ids)"});
  } else {
    for (size_t i = 0; i < services->size(); ++i) {
      if (!(*services)[i].is_string()) {
        errors.push_back({"/services/" + std::to_string(i), "must be a service id"});
      } else {
        w.services.push_back((*services)[i].get<std::string>());
      }
    }
  }
  Result<std::string> reason = OptionalStringField(body, "reason");
  if (!reason.ok() || reason->empty()) {
    errors.push_back({"/reason", "is required (1-500 characters)"});
  } else {
    w.reason = *reason;
  }
  if (body.contains("weekly") && !body["weekly"].is_null()) {
    for (const char* key : {"start", "end", "duration"}) {
      if (body.contains(key)) {
        errors.push_back({std::string("/") + key, "cannot be combined with weekly"});
      }
    }
    ParseWeeklyField(body, &w, &errors);
  } else {
    Result<std::optional<TimePoint>> start = TimeField(body, "start");
    Result<std::optional<TimePoint>> end = TimeField(body, "end");
    if (!start.ok()) errors.push_back(start.error().fields.front());
    if (!end.ok()) errors.push_back(end.error().fields.front());
    std::optional<Duration> duration;
    const bool duration_given = body.contains("duration") && !body["duration"].is_null();
    if (auto d = body.find("duration"); duration_given) {
      Result<Duration> parsed = Error::Invalid("not a string");
      if (d->is_string()) parsed = ParseDuration(d->get<std::string>());
      if (!parsed.ok() || *parsed <= Duration::zero()) {
        errors.push_back({"/duration", "must be a duration such as 30m or 2h"});
      } else {
        duration = *parsed;
      }
    }
    if (start.ok() && end.ok()) {
      w.start = start->value_or(now);
      if (end->has_value() && duration) {
        errors.push_back({"/duration", "cannot be combined with end"});
      } else if (end->has_value()) {
        w.end = **end;
      } else if (duration) {
        w.end = w.start + *duration;
      } else if (!duration_given) {
        errors.push_back({"/end", "is required (or duration, or weekly)"});
      }
    }
  }
  if (!errors.empty()) {
    std::string message = "invalid maintenance window: " + errors.front().pointer.substr(1) + " " +
                          errors.front().detail;
    return Error::Invalid(std::move(message), std::move(errors));
  }
  LOOM_RETURN_IF_ERROR(ValidateMaintenanceWindow(w));
  return w;
}

std::optional<int64_t> WindowId(const PathParams& params) {
  return ParsePositiveInt(params.Get("id"));
}

Error NoSuchWindow(std::string_view id) {
  return Error::NotFound("maintenance window " + std::string(id) + " not found");
}

// `w` as a caller who sees the services `sees` admits is shown it: only those services, and
// nullopt when it sees none (a hidden team's service is not named to those who may not see it).
std::optional<MaintenanceWindow> VisiblePart(MaintenanceWindow w,
                                             const std::function<bool(const std::string&)>& sees) {
  std::erase_if(w.services, [&](const std::string& service) { return !sees(service); });
  if (w.services.empty()) return std::nullopt;
  return w;
}

}  // namespace

Status Api::MarkMaintenance(std::vector<Incident>& incidents) {
  if (std::none_of(incidents.begin(), incidents.end(),
                   [](const Incident& in) { return in.open(); })) {
    return OkStatus();
  }
  auto windows = store_.ListMaintenance();
  if (!windows.ok()) return std::move(windows).error();
  const TimePoint now = clock_.Now();
  for (Incident& in : incidents) {
    if (in.open()) in.maintenance = MaintenanceHoldAt(*windows, in.service_id, now);
  }
  return OkStatus();
}

Status Api::MarkMaintenance(Incident& incident) {
  std::vector<Incident> one = {incident};
  LOOM_RETURN_IF_ERROR(MarkMaintenance(one));
  incident.maintenance = std::move(one.front().maintenance);
  return OkStatus();
}

void Api::ListMaintenance(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto windows = store_.ListMaintenance();
  if (!windows.ok()) return reply->Send(ProblemFor(windows.error(), req));
  const TimePoint now = clock_.Now();
  std::vector<std::pair<TimePoint, Json>> active, scheduled, past;
  const auto sees = [&](const std::string& service) { return SeesService(*who, service); };
  for (const MaintenanceWindow& stored : *windows) {
    const std::optional<MaintenanceWindow> visible = VisiblePart(stored, sees);
    if (!visible) continue;
    const MaintenanceWindow& w = *visible;
    Json j = WindowToJson(w, now);
    const std::optional<TimeSpan> next = NextMaintenanceOccurrence(w, now);
    switch (MaintenanceStateAt(w, now)) {
      case MaintenanceState::kActive: active.emplace_back(next->end, std::move(j)); break;
      case MaintenanceState::kScheduled: scheduled.emplace_back(next->start, std::move(j)); break;
      case MaintenanceState::kPast:
      case MaintenanceState::kCancelled:
        past.emplace_back(w.cancelled_at.value_or(w.ended_at.value_or(w.end)), std::move(j));
        break;
    }
  }
  auto by_time = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::stable_sort(active.begin(), active.end(), by_time);        // ending soonest first
  std::stable_sort(scheduled.begin(), scheduled.end(), by_time);  // starting soonest first
  std::stable_sort(past.begin(), past.end(), [](const auto& a, const auto& b) {
    return a.first > b.first;  // most recent first
  });
  if (past.size() > kMaxPastListed) past.resize(kMaxPastListed);
  auto list = [](std::vector<std::pair<TimePoint, Json>>& items) {
    Json out = Json::array();
    for (auto& [at, j] : items) out.push_back(std::move(j));
    return out;
  };
  Json body = Json::object();
  body["active"] = list(active);
  body["scheduled"] = list(scheduled);
  body["past"] = list(past);
  reply->Send(JsonResponse(200, body));
}

void Api::GetMaintenance(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  const std::optional<int64_t> id = WindowId(params);
  if (!id) return reply->Send(ProblemFor(NoSuchWindow(params.Get("id")), req));
  auto w = store_.GetMaintenance(*id);
  if (!w.ok()) return reply->Send(ProblemFor(w.error(), req));
  if (!w->has_value()) return reply->Send(ProblemFor(NoSuchWindow(params.Get("id")), req));
  const std::optional<MaintenanceWindow> visible = VisiblePart(
      std::move(**w), [&](const std::string& service) { return SeesService(*who, service); });
  if (!visible) return reply->Send(ProblemFor(NoSuchWindow(params.Get("id")), req));
  reply->Send(JsonResponse(200, WindowToJson(*visible, clock_.Now())));
}

void Api::CreateMaintenance(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  Result<MaintenanceWindow> w = ParseWindow(*body, clock_.Now());
  if (!w.ok()) return reply->Send(ProblemFor(w.error(), req));
  w->created_by = who->actor();
  std::string instance(req.path);
  store_.CreateMaintenance(
      std::move(*w), [this, reply = std::move(reply),
                      instance = std::move(instance)](Result<MaintenanceWindow> out) {
        if (!out.ok()) {
          return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
        }
        spdlog::info("maintenance window {} ({}) scheduled by {}", out->id, out->reason,
                     out->created_by);
        reply->Send(JsonResponse(201, WindowToJson(*out, clock_.Now())));
      });
}

void Api::EndMaintenance(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  const std::optional<int64_t> id = WindowId(params);
  if (!id) return reply->Send(ProblemFor(NoSuchWindow(params.Get("id")), req));
  std::string instance(req.path);
  store_.EndMaintenance(
      *id, who->actor(),
      [this, reply = std::move(reply),
       instance = std::move(instance)](Result<MaintenanceEnded> out) {
        if (!out.ok()) {
          return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
        }
        spdlog::info("maintenance window {} ended early by {}", out->window.id,
                     out->window.ended_by);
        Json body = WindowToJson(out->window, clock_.Now());
        Json released = Json::array();
        for (int64_t n : out->released) released.push_back(IncidentId(n));
        body["released"] = std::move(released);
        reply->Send(JsonResponse(200, body));
      });
}

void Api::DeleteMaintenance(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  const std::optional<int64_t> id = WindowId(params);
  if (!id) return reply->Send(ProblemFor(NoSuchWindow(params.Get("id")), req));
  std::string instance(req.path);
  store_.CancelMaintenance(
      *id, who->actor(),
      [this, reply = std::move(reply),
       instance = std::move(instance)](Result<MaintenanceWindow> out) {
        if (!out.ok()) {
          return reply->Send(ProblemFor(out.error(), RequestAt(Method::kDelete, instance)));
        }
        spdlog::info("maintenance window {} cancelled by {}", out->id, out->cancelled_by);
        reply->Send(JsonResponse(200, WindowToJson(*out, clock_.Now())));
      });
}

}  // namespace loom::http
