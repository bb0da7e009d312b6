// Who is on call, schedules and their shifts, overrides, users, and the iCalendar feeds. Every
// answer comes from the Roster's current snapshot (the same one the escalation engine reads).

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accounts/person_principal.h"
#include "common/time_format.h"
#include "core/ical.h"
#include "http/access.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/query.h"

namespace loom::http {
namespace {

using std::chrono::hours;

constexpr Duration kDefaultShiftsWindow = hours(24 * 14);
constexpr Duration kMaxWindow = hours(24 * 366);
constexpr Duration kCalendarBefore = hours(24 * 7);
constexpr Duration kCalendarAfter = hours(24 * 90);
// How far before its window a default calendar feed looks for the start of the shift in progress,
// so that the first event keeps its real start (and its UID) from one fetch to the next.
constexpr Duration kCalendarLookback = hours(24 * 35);
constexpr char kCalendarContentType[] = "text/calendar; charset=utf-8";

Error InvalidQuery(const std::string& name, const std::string& detail) {
  return Error::Invalid("invalid query parameter " + name + ": " + detail,
                        {{"/query/" + name, detail}});
}

// The RFC 3339 instant of query parameter `name`, or `fallback` when absent or empty.
Result<TimePoint> TimeParam(const QueryParams& q, const char* name, TimePoint fallback) {
  auto v = q.Get(name);
  if (!v || v->empty()) return fallback;
  auto t = ParseRfc3339(*v);
  if (!t.ok()) return InvalidQuery(name, "must be an RFC 3339 time like 2026-03-29T09:00:00Z");
  return *t;
}

Json NullableString(const std::string& s) { return s.empty() ? Json() : Json(s); }

std::string TwoDigits(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string TimeOfDayText(int minute) {
  return TwoDigits(minute / 60) + ":" + TwoDigits(minute % 60);
}

std::string ShiftLengthText(int64_t minutes) {
  if (minutes % (7 * 1440) == 0) return std::to_string(minutes / (7 * 1440)) + "w";
  if (minutes % 1440 == 0) return std::to_string(minutes / 1440) + "d";
  return std::to_string(minutes / 60) + "h";
}

std::string CivilDateText(int64_t days) {
  return FormatRfc3339(TimePoint(std::chrono::duration_cast<Duration>(hours(24 * days))))
      .substr(0, 10);
}

std::string WeekdaysText(unsigned bits) {
  static const char* kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  std::string out;
  for (int i = 0; i < 7; ++i) {
    if (bits & (1u << i)) out += (out.empty() ? "" : ",") + std::string(kNames[i]);
  }
  return out;
}

Json LayerToJson(const RotationLayer& layer) {
  Json restrictions = Json::array();
  for (const Restriction& r : layer.restrictions) {
    restrictions.push_back({{"days", WeekdaysText(r.weekdays)},
                            {"from", TimeOfDayText(r.from_minute)},
                            {"to", TimeOfDayText(r.to_minute)}});
  }
  Json j = Json::object();
  j["participants"] = layer.participants;
  j["shift"] = ShiftLengthText(layer.shift_length_minutes);
  j["handoff"] = TimeOfDayText(layer.handoff_minute);
  j["start"] = CivilDateText(layer.start_days);
  j["restrictions"] = std::move(restrictions);
  return j;
}

Json OverrideToJson(const ScheduleOverride& o) {
  Json j = Json::object();
  j["id"] = o.id;
  j["schedule"] = o.schedule_id;
  j["user"] = o.user;
  j["from"] = FormatRfc3339(o.from);
  j["to"] = FormatRfc3339(o.to);
  j["created_by"] = o.created_by;
  j["created_at"] = FormatRfc3339(o.created_at);
  return j;
}

CalendarShift ToCalendarShift(const OnCallSnapshot& snapshot, const std::string& schedule_id,
                              const Shift& shift) {
  CalendarShift c{schedule_id, shift.user, "", "", shift};
  if (const User* u = snapshot.FindUser(shift.user)) {
    c.user_name = u->name;
    c.email = u->email;
  }
  return c;
}

// The shifts of `schedule` in the feed's window. A default window starts with the real start of
// the shift in progress at its beginning.
std::vector<Shift> FeedShifts(const Schedule& schedule, const Window& window) {
  if (!window.defaulted) return schedule.Shifts(window.from, window.to);
  std::vector<Shift> shifts = schedule.Shifts(window.from - kCalendarLookback, window.to);
  std::erase_if(shifts, [&](const Shift& s) { return s.end <= window.from; });
  return shifts;
}

// The schedule `id` of `snapshot`, or kNotFound.
Result<const Schedule*> PathSchedule(const OnCallSnapshot& snapshot, const std::string& id) {
  const Schedule* schedule = snapshot.resolver.FindSchedule(id);
  if (schedule == nullptr) return Error::NotFound("no schedule " + id);
  return schedule;
}

Response CalendarResponse(std::string body) {
  Response r;
  r.content_type = kCalendarContentType;
  r.body = std::move(body);
  return r;
}

}  // namespace

Result<Window> WindowParams(const Request& req, TimePoint default_from, TimePoint default_to) {
  QueryParams q(req.query);
  auto from = TimeParam(q, "from", default_from);
  if (!from.ok()) return std::move(from).error();
  const bool has_to = q.Get("to") && !q.Get("to")->empty();
  const bool has_from = q.Get("from") && !q.Get("from")->empty();
  // Only `from` given: the default length after it.
  auto to = TimeParam(q, "to", has_from ? *from + (default_to - default_from) : default_to);
  if (!to.ok()) return std::move(to).error();
  if (!(*from < *to)) return InvalidQuery("to", "must be after from");
  if (*to - *from > kMaxWindow) return InvalidQuery("to", "the window is longer than 366 days");
  return Window{*from, *to, !has_from && !has_to};
}

Result<std::shared_ptr<const OnCallSnapshot>> Api::AuthorizedSnapshot(const Request& req, Role need,
                                                                      Principal* principal) {
  auto who = need == Role::kCalendar ? RequireCalendarReader(req) : Authorize(req, need);
  if (!who.ok()) return std::move(who).error();
  if (principal != nullptr) *principal = *who;
  if (roster_ == nullptr) return Error::Unavailable("no on-call roster is loaded");
  return roster_->Current();
}

Result<Principal> Api::RequireCalendarReader(const Request& req) {
  if (req.caller != nullptr && RoleAllows(req.caller->role, Role::kCalendar)) return *req.caller;
  if (!req.authorization.empty()) return Authorize(req, Role::kCalendar);
  // A calendar application cannot send headers: the token rides in the URL. It is never logged
  // (problem answers and logs name the path only).
  QueryParams q(req.query);
  std::string token = q.Get("token").value_or("");
  if (token.empty()) return Error::Unauthenticated("missing token (Authorization or ?token=)");
  auto who = auth_.AuthenticateToken(token);
  if (!who.ok()) return who;
  if (!RoleAllows(who->role, Role::kCalendar)) {
    return Error::PermissionDenied("this token cannot read calendar feeds");
  }
  return who;
}

void Api::GetOnCall(const Request& req, const PathParams&, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  QueryParams q(req.query);
  auto at = TimeParam(q, "at", clock_.Now());
  if (!at.ok()) return reply->Send(ProblemFor(at.error(), req));

  std::string service = q.Get("service").value_or("");
  if (service.empty()) {
    // One service with roles needs no name; with several the caller must pick.
    auto services = store_.ListServices();
    if (!services.ok()) return reply->Send(ProblemFor(services.error(), req));
    std::vector<std::string> with_roles;
    for (const Service& s : *services) {
      if ((*snapshot)->resolver.HasService(s.id) && SeesService(who, s.id)) {
        with_roles.push_back(s.id);
      }
    }
    if (with_roles.size() != 1) {
      return reply->Send(ProblemFor(InvalidQuery("service", "is required"), req));
    }
    service = with_roles.front();
  } else if (!SeesService(who, service)) {
    return reply->Send(ProblemFor(Error::NotFound("no service " + service), req));
  } else if (!(*snapshot)->resolver.HasService(service)) {
    auto known = store_.GetService(service);
    if (!known.ok()) return reply->Send(ProblemFor(known.error(), req));
    if (!known->has_value()) {
      return reply->Send(ProblemFor(Error::NotFound("no service " + service), req));
    }
  }

  Json roles = Json::object();
  for (const RoleHolder& h : (*snapshot)->resolver.ResolveAll(service, *at)) {
    Json role = Json::object();
    role["user"] = h.user ? Json(*h.user) : Json();
    const User* user = h.user ? (*snapshot)->FindUser(*h.user) : nullptr;
    role["name"] = user != nullptr ? Json(user->name) : Json();
    role["schedule"] = NullableString(h.schedule_id);
    role["until"] = h.until ? Json(FormatRfc3339(*h.until)) : Json();
    roles[OnCallRoleName(h.role)] = std::move(role);
  }
  Json body = Json::object();
  body["service"] = service;
  body["at"] = FormatRfc3339(*at);
  body["roles"] = std::move(roles);
  reply->Send(JsonResponse(200, body));
}

void Api::ListSchedules(const Request& req, const PathParams&, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  Json list = Json::array();
  for (const Schedule& s : (*snapshot)->resolver.schedules()) {
    if (!PermitSchedule(who, s.id()).ok()) continue;  // a hidden team's schedule
    Json layers = Json::array();
    for (const RotationLayer& layer : s.layers()) layers.push_back(LayerToJson(layer));
    Json j = Json::object();
    j["id"] = s.id();
    j["time_zone"] = s.time_zone();
    j["team"] = TeamJson((*snapshot)->teams.OfSchedule(s.id()));
    j["layers"] = std::move(layers);
    list.push_back(std::move(j));
  }
  Json body = Json::object();
  body["schedules"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

void Api::GetShifts(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  const std::string id(params.Get("id"));
  auto schedule = PathSchedule(**snapshot, id);
  if (schedule.ok()) schedule = ReadableSchedule(who, id, *schedule);
  if (!schedule.ok()) return reply->Send(ProblemFor(schedule.error(), req));
  const TimePoint now = clock_.Now();
  auto window = WindowParams(req, now, now + kDefaultShiftsWindow);
  if (!window.ok()) return reply->Send(ProblemFor(window.error(), req));

  Json shifts = Json::array();
  for (const Shift& s : (*schedule)->Shifts(window->from, window->to)) {
    Json j = Json::object();
    j["user"] = s.user.empty() ? Json() : Json(s.user);
    j["start"] = FormatRfc3339(s.start);
    j["end"] = FormatRfc3339(s.end);
    j["override"] = s.is_override;
    shifts.push_back(std::move(j));
  }
  Json body = Json::object();
  body["schedule"] = id;
  body["time_zone"] = (*schedule)->time_zone();
  body["from"] = FormatRfc3339(window->from);
  body["to"] = FormatRfc3339(window->to);
  body["shifts"] = std::move(shifts);
  reply->Send(JsonResponse(200, body));
}

void Api::ScheduleCalendar(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kCalendar, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  const std::string id(params.Get("id"));
  auto schedule = PathSchedule(**snapshot, id);
  if (schedule.ok()) schedule = ReadableSchedule(who, id, *schedule);
  if (!schedule.ok()) return reply->Send(ProblemFor(schedule.error(), req));
  const TimePoint now = clock_.Now();
  auto window = WindowParams(req, now - kCalendarBefore, now + kCalendarAfter);
  if (!window.ok()) return reply->Send(ProblemFor(window.error(), req));
  std::vector<CalendarShift> events;
  for (const Shift& s : FeedShifts(**schedule, *window)) {
    events.push_back(ToCalendarShift(**snapshot, id, s));
  }
  reply->Send(CalendarResponse(RenderICalendar("On call: " + id, events, now)));
}

void Api::UserCalendar(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kCalendar, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  const std::string id(params.Get("id"));
  const User* user = (*snapshot)->FindUser(id);
  if (user == nullptr) return reply->Send(ProblemFor(Error::NotFound("no user " + id), req));
  const TimePoint now = clock_.Now();
  auto window = WindowParams(req, now - kCalendarBefore, now + kCalendarAfter);
  if (!window.ok()) return reply->Send(ProblemFor(window.error(), req));
  std::vector<CalendarShift> events;
  for (const Schedule& schedule : (*snapshot)->resolver.schedules()) {
    // The shifts of a hidden team's schedule are left out for callers who may not see it.
    if (!PermitSchedule(who, schedule.id()).ok()) continue;
    for (const Shift& s : FeedShifts(schedule, *window)) {
      if (s.user == id) events.push_back(ToCalendarShift(**snapshot, schedule.id(), s));
    }
  }
  std::sort(events.begin(), events.end(), [](const CalendarShift& a, const CalendarShift& b) {
    return a.shift.start < b.shift.start;
  });
  reply->Send(CalendarResponse(RenderICalendar("On call: " + user->name, events, now)));
}

void Api::ListOverrides(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  const std::string id(params.Get("id"));
  auto schedule = PathSchedule(**snapshot, id);
  if (schedule.ok()) schedule = ReadableSchedule(who, id, *schedule);
  if (!schedule.ok()) return reply->Send(ProblemFor(schedule.error(), req));
  Json list = Json::array();
  {
    std::lock_guard<std::mutex> lock(overrides_mu_);
    for (const ScheduleOverride& o : stored_overrides_) {
      if (o.schedule_id == id) list.push_back(OverrideToJson(o));
    }
  }
  Json body = Json::object();
  body["schedule"] = id;
  body["overrides"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

void Api::CreateOverride(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  // Then the schedule's team decides (PermitShiftChange, below, once the override is known).
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer, &who);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  if (!rebuild_roster_) {
    return reply->Send(ProblemFor(Error::Unavailable("overrides cannot be changed here"), req));
  }
  const std::string id(params.Get("id"));
  auto schedule = PathSchedule(**snapshot, id);
  if (schedule.ok()) schedule = ReadableSchedule(who, id, *schedule);
  if (!schedule.ok()) return reply->Send(ProblemFor(schedule.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));

  std::vector<FieldError> errors;
  auto user = OptionalStringField(*body, "user");
  if (!user.ok()) {
    errors.push_back({"/user", "must be a string"});
  } else if (user->empty()) {
    errors.push_back({"/user", "is required"});
  } else if ((*snapshot)->FindUser(*user) == nullptr) {
    errors.push_back({"/user", "unknown user '" + *user + "'"});
  }
  TimePoint times[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto text = OptionalStringField(*body, names[i]);
    bool ok = text.ok() && !text->empty();
    if (ok) {
      auto parsed = ParseRfc3339(*text);
      ok = parsed.ok();
      if (ok) times[i] = *parsed;
    }
    if (!ok) {
      errors.push_back(
          {std::string("/") + names[i], "is required: an RFC 3339 time like 2026-03-29T09:00:00Z"});
    }
  }
  if (errors.empty() && !(times[0] < times[1])) errors.push_back({"/to", "must be after from"});
  if (errors.empty() && times[1] - times[0] > kMaxWindow) {
    errors.push_back({"/to", "an override lasts at most 366 days"});
  }
  if (!errors.empty()) {
    std::string detail =
        "invalid override: " + errors[0].pointer.substr(1) + " " + errors[0].detail;
    return reply->Send(ProblemFor(Error::Invalid(std::move(detail), std::move(errors)), req));
  }

  Status permitted = PermitShiftChange(
      who, id, DescribeNewOverride(**schedule, who.user, *user, times[0], times[1]));
  if (!permitted.ok()) return reply->Send(ProblemFor(permitted.error(), req));

  ScheduleOverride o;
  o.schedule_id = id;
  o.user = std::move(*user);
  o.from = times[0];
  o.to = times[1];
  o.created_by = who.actor();
  std::string instance(req.path);
  // The callback runs on the store's writer thread: it must not call back into the store.
  store_.CreateOverride(std::move(o),
                        [this, reply = std::move(reply),
                         instance = std::move(instance)](Result<ScheduleOverride> out) {
                          const Request where = RequestAt(Method::kPost, instance);
                          if (!out.ok()) return reply->Send(ProblemFor(out.error(), where));
                          Status applied = ApplyOverrideChange(&*out, 0);
                          if (!applied.ok()) return reply->Send(ProblemFor(applied.error(), where));
                          reply->Send(JsonResponse(201, OverrideToJson(*out)));
                        });
}

void Api::DeleteOverride(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);  // then the schedule's team decides
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  if (!rebuild_roster_ || roster_ == nullptr) {
    return reply->Send(ProblemFor(Error::Unavailable("overrides cannot be changed here"), req));
  }
  const std::string schedule_id(params.Get("id"));
  const std::string_view id_text = params.Get("override_id");
  int64_t override_id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), override_id);
  std::optional<ScheduleOverride> found;
  if (ec == std::errc() && end == id_text.data() + id_text.size()) {
    std::lock_guard<std::mutex> lock(overrides_mu_);
    for (const ScheduleOverride& o : stored_overrides_) {
      if (o.id == override_id && o.schedule_id == schedule_id) found = o;
    }
  }
  if (!found) {
    return reply->Send(ProblemFor(
        Error::NotFound("no override " + std::string(id_text) + " of schedule " + schedule_id),
        req));
  }
  // One's own: the override names the caller or the caller made it.
  const Schedule* schedule = roster_->Current()->resolver.FindSchedule(schedule_id);
  ShiftChange change;
  change.caller_in_schedule = schedule != nullptr && InSchedule(*schedule, who->user);
  change.own =
      !who->user.empty() && (found->user == who->user || found->created_by == who->actor());
  if (Status permitted = PermitShiftChange(*who, schedule_id, change); !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  std::string instance(req.path);
  store_.DeleteOverride(override_id, [this, override_id, reply = std::move(reply),
                                      instance = std::move(instance)](Result<bool> out) {
    const Request where = RequestAt(Method::kDelete, instance);
    if (!out.ok()) return reply->Send(ProblemFor(out.error(), where));
    Status applied = ApplyOverrideChange(nullptr, override_id);
    if (!applied.ok()) return reply->Send(ProblemFor(applied.error(), where));
    Json body = Json::object();
    body["deleted"] = override_id;
    reply->Send(JsonResponse(200, body));
  });
}

Status Api::ApplyOverrideChange(const ScheduleOverride* added, int64_t removed_id) {
  std::lock_guard<std::mutex> lock(overrides_mu_);
  if (added != nullptr) stored_overrides_.push_back(*added);
  if (removed_id != 0) {
    std::erase_if(stored_overrides_,
                  [removed_id](const ScheduleOverride& o) { return o.id == removed_id; });
  }
  // Rebuilt under the lock, so that two changes cannot swap in their snapshots out of order.
  auto rebuilt = rebuild_roster_(stored_overrides_);
  if (!rebuilt.ok()) {
    return Error::Internal("the override is stored but the roster was not rebuilt: " +
                           rebuilt.error().message);
  }
  roster_->Replace(std::move(rebuilt).value());
  return OkStatus();
}

void Api::ListUsers(const Request& req, const PathParams&, Reply reply) {
  auto snapshot = AuthorizedSnapshot(req, Role::kViewer);
  if (!snapshot.ok()) return reply->Send(ProblemFor(snapshot.error(), req));
  // The accounts: the configured users' roles and passwords, and the users created through the
  // API (account_handlers.cc), which no schedule names.
  auto accounts = store_.ListAccounts();
  if (!accounts.ok()) return reply->Send(ProblemFor(accounts.error(), req));
  std::map<std::string, const StoredAccount*> by_id;
  for (const StoredAccount& a : *accounts) by_id[a.id] = &a;
  Json list = Json::array();
  auto add = [&list, &snapshot](const std::string& id, const std::string& name,
                                const std::string& email, const std::string& time_zone,
                                std::optional<Role> role, bool configured, bool has_password) {
    Json j = Json::object();
    j["id"] = id;
    j["name"] = name;
    j["email"] = NullableString(email);
    j["time_zone"] = time_zone;
    j["role"] = RoleName(PersonPrincipal({id, role}, (*snapshot)->teams).role);
    j["source"] = configured ? "config" : "api";
    j["has_password"] = has_password;
    list.push_back(std::move(j));
  };
  for (const auto& [id, u] : (*snapshot)->users) {
    auto it = by_id.find(id);
    add(u.id, u.name, u.email, u.time_zone, u.role, true,
        it != by_id.end() && !it->second->password_hash.empty());
  }
  for (const StoredAccount& a : *accounts) {
    if (a.configured || (*snapshot)->users.count(a.id) > 0) continue;
    add(a.id, a.name, a.email, "UTC", a.role, false, !a.password_hash.empty());
  }
  Json body = Json::object();
  body["users"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

}  // namespace loom::http
