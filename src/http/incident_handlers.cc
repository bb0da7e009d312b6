// Incidents and alerts: listing with validated filters, one incident with its timeline and
// alerts, and the responder actions (each one Store::Execute command). Listed and read
// incidents carry what the console shows of the policy (core/incident_view.h).

#include <charconv>
#include <optional>

#include "common/time_format.h"
#include "core/cadence.h"
#include "core/incident.h"
#include "core/incident_view.h"
#include "http/access.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/query.h"

namespace loom::http {

std::optional<int64_t> ParsePositiveInt(std::string_view text) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n <= 0) return std::nullopt;
  return n;
}

// "INC-42" or "42".
std::optional<int64_t> ParseIncidentRef(std::string_view text) {
  if (auto n = ParseIncidentId(text)) return n;
  return ParsePositiveInt(text);
}

Error InvalidQuery(std::vector<FieldError> errors) {
  std::string detail = "invalid query parameter";
  if (errors.size() == 1) {
    detail += " " + errors[0].pointer.substr(sizeof("/query/") - 1) + ": " + errors[0].detail;
  } else {
    detail += "s";
  }
  return Error::Invalid(std::move(detail), std::move(errors));
}

namespace {

constexpr int kMaxPageSize = 500;

// limit and cursor, shared by both listings; appends field errors.
void ParsePaging(const QueryParams& q, int* limit, int64_t* cursor,
                 std::vector<FieldError>& errors) {
  if (auto v = q.Get("limit")) {
    auto n = ParsePositiveInt(*v);
    if (!n || *n > kMaxPageSize) {
      errors.push_back({"/query/limit", "must be an integer from 1 to 500"});
    } else {
      *limit = static_cast<int>(*n);
    }
  }
  if (auto v = q.Get("cursor"); v && !v->empty()) {
    auto n = ParsePositiveInt(*v);
    if (!n) {
      errors.push_back({"/query/cursor", "must be the `next` value of a previous page"});
    } else {
      *cursor = *n;
    }
  }
}

// The query parameter `name` as true/1 or false/0; nullopt when absent or empty (a field error
// is appended for anything else).
std::optional<bool> BoolQuery(const QueryParams& q, const char* name,
                              std::vector<FieldError>& errors) {
  auto v = q.Get(name);
  if (!v || v->empty()) return std::nullopt;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  errors.push_back({std::string("/query/") + name, "must be true or false"});
  return std::nullopt;
}

Json NextCursor(const std::optional<int64_t>& next) {
  if (!next) return nullptr;
  return std::to_string(*next);
}

Error NoSuchIncident(std::string_view id) {
  return Error::NotFound("no incident " + std::string(id));
}

Json OptionalTime(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return FormatRfc3339(*t);
}

// ack_due_at, next_update_due_at and allowed_actions (docs/api.md "Incidents").
void AddView(const IncidentView& view, Json& incident) {
  incident["ack_due_at"] = OptionalTime(view.ack_due_at);
  incident["next_update_due_at"] = OptionalTime(view.next_update_due_at);
  incident["allowed_actions"] = view.allowed_actions;
}

}  // namespace

void Api::ListIncidents(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));

  QueryParams q(req.query);
  IncidentFilter filter;
  std::vector<FieldError> errors;
  if (auto v = q.Get("state"); v && !v->empty()) {
    filter.state = ParseIncidentState(*v);
    if (!filter.state) {
      errors.push_back(
          {"/query/state", "must be one of triggered, acknowledged, mitigated, resolved, closed"});
    }
  }
  if (auto v = q.Get("severity"); v && !v->empty()) {
    filter.severity = ParseSeverity(*v);
    if (!filter.severity) errors.push_back({"/query/severity", "must be one of sev1..sev4"});
  }
  if (auto v = q.Get("service")) filter.service_id = *v;
  if (auto open = BoolQuery(q, "open", errors)) filter.open_only = *open;
  filter.drill = BoolQuery(q, "drill", errors);  // drills are listed, marked, unless filtered
  ParsePaging(q, &filter.limit, &filter.before_number, errors);
  if (!errors.empty()) return reply->Send(ProblemFor(InvalidQuery(std::move(errors)), req));

  auto page = store_.ListIncidents(filter);
  if (!page.ok()) return reply->Send(ProblemFor(page.error(), req));
  Status marked = MarkMaintenance(page->incidents);  // maintenance_handlers.cc
  if (!marked.ok()) return reply->Send(ProblemFor(marked.error(), req));
  // The due times of this page only: the pending deadlines of its numbers (newest first, so
  // from the last to the first; an empty page reads nothing).
  const std::vector<Incident>& shown = page->incidents;
  auto pending = shown.empty()
                     ? Result<std::vector<Deadline>>(std::vector<Deadline>{})
                     : store_.PendingDeadlinesOf(shown.back().number, shown.front().number);
  if (!pending.ok()) return reply->Send(ProblemFor(pending.error(), req));
  Json incidents = Json::array();
  for (const Incident& in : page->incidents) {
    // A hidden team's incidents are left out (so a page may hold fewer than `limit`).
    if (!SeesService(*who, in.service_id)) continue;
    Json j = IncidentToJson(in);
    AddView(ViewIncident(in, *pending, RoleOnService(*who, in.service_id)), j);
    j["team"] = TeamJson(TeamOfService(in.service_id));
    auto security = SecuritySummary(in);
    if (!security.ok()) return reply->Send(ProblemFor(security.error(), req));
    j["security"] = std::move(*security);
    incidents.push_back(std::move(j));
  }
  Json body = Json::object();
  body["incidents"] = std::move(incidents);
  body["next"] = NextCursor(page->next_cursor);
  reply->Send(JsonResponse(200, body));
}

std::optional<IncidentDetail> Api::ReadableIncident(const Request& req, const PathParams& params,
                                                    const Reply& reply, Principal* caller,
                                                    Action action) {
  auto fail = [&](const Error& e) {
    reply->Send(ProblemFor(e, req));
    return std::optional<IncidentDetail>();
  };
  auto who = RouteCaller(req);
  if (!who.ok()) return fail(who.error());
  if (caller != nullptr) *caller = *who;
  std::string_view id = params.Get("id");
  auto number = ParseIncidentRef(id);
  if (!number) return fail(NoSuchIncident(id));
  auto detail = store_.GetIncident(*number);
  if (!detail.ok()) return fail(detail.error());
  if (!detail->has_value()) return fail(NoSuchIncident(id));
  Status permitted =
      Permit(*who, action, TeamOfService((*detail)->incident.service_id), NoSuchIncident(id));
  if (!permitted.ok()) return fail(permitted.error());
  return std::move(*detail);
}

void Api::GetIncident(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply, &who);
  if (!detail) return;
  const int64_t number = detail->incident.number;
  auto pending = store_.PendingDeadlinesOf(number, number);
  if (!pending.ok()) return reply->Send(ProblemFor(pending.error(), req));
  Status marked = MarkMaintenance(detail->incident);  // maintenance_handlers.cc
  if (!marked.ok()) return reply->Send(ProblemFor(marked.error(), req));
  Json body = IncidentDetailToJson(*detail);
  AddView(ViewIncident(detail->incident, *pending, RoleOnService(who, detail->incident.service_id)),
          body);
  body["team"] = TeamJson(TeamOfService(detail->incident.service_id));
  AddPlaybook(*detail, body);  // playbook_handlers.cc
  auto security = SecuritySummary(detail->incident);
  if (!security.ok()) return reply->Send(ProblemFor(security.error(), req));
  body["security"] = std::move(*security);
  reply->Send(JsonResponse(200, body));
}

void Api::Acknowledge(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kAcknowledge, req, params, std::move(reply));
}
void Api::Mitigate(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kMitigate, req, params, std::move(reply));
}
void Api::Close(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kClose, req, params, std::move(reply));
}
void Api::SetCommander(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kSetCommander, req, params, std::move(reply));
}
void Api::SetSeverity(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kSetSeverity, req, params, std::move(reply));
}
void Api::AddNote(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kAddNote, req, params, std::move(reply));
}

void Api::Unacknowledge(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kUnacknowledge, req, params, std::move(reply));
}
void Api::Reassign(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kReassign, req, params, std::move(reply));
}
void Api::Escalate(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kEscalate, req, params, std::move(reply));
}
void Api::PostStatusUpdate(const Request& req, const PathParams& params, Reply reply) {
  ExecuteCommand(IncidentCommand::Type::kStatusUpdate, req, params, std::move(reply));
}

void Api::ListNotifications(const Request& req, const PathParams& params, Reply reply) {
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply);
  if (!detail) return;
  const int64_t number = detail->incident.number;
  auto entries = store_.ListNotifications(number);
  if (!entries.ok()) return reply->Send(ProblemFor(entries.error(), req));
  Json list = Json::array();
  for (const OutboxEntry& e : *entries) list.push_back(NotificationToJson(e));
  Json body = Json::object();
  body["incident"] = IncidentId(number);
  body["notifications"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

namespace {

// The fields of a status update: impact, scope, mitigation and next_update_at are each required
// (runbook "Communications"), and next_update_at must fit the incident's severity cadence. Every
// missing or invalid field is named in one 422.
Status ReadStatusUpdate(const nlohmann::json& body, int64_t number, Store& store,
                        const Clock& clock, const SeverityPolicy* policy,
                        IncidentCommand& command) {
  std::vector<FieldError> errors;
  std::string next;
  for (auto [key, slot] :
       {std::pair{"impact", &command.impact}, std::pair{"scope", &command.scope},
        std::pair{"mitigation", &command.mitigation}, std::pair{"next_update_at", &next}}) {
    auto value = OptionalStringField(body, key);
    if (!value.ok()) {
      errors.push_back({std::string("/") + key, "must be a string"});
    } else if (value->find_first_not_of(" \t\r\n") == std::string::npos) {
      errors.push_back({std::string("/") + key, "is required"});
    } else {
      *slot = std::move(*value);
    }
  }
  std::optional<TimePoint> at;
  if (!next.empty()) {
    Result<TimePoint> parsed = ParseRfc3339(next);
    if (parsed.ok()) {
      at = *parsed;
    } else {
      errors.push_back({"/next_update_at", "must be an RFC 3339 time"});
    }
  }
  if (at && policy != nullptr) {
    auto detail = store.GetIncident(number);
    if (!detail.ok()) return std::move(detail).error();
    if (detail->has_value()) {
      Status fits =
          CheckPromisedNextUpdate(clock.Now(), *at, policy->For((*detail)->incident.severity));
      if (!fits.ok()) {
        if (errors.empty()) return Error::Unprocessable(fits.error().message, fits.error().fields);
        errors.insert(errors.end(), fits.error().fields.begin(), fits.error().fields.end());
      }
    }
  }
  if (!errors.empty()) {
    std::string fields;
    for (const FieldError& e : errors) fields += (fields.empty() ? "" : ", ") + e.pointer.substr(1);
    return Error::Unprocessable("the status update is incomplete or invalid: " + fields,
                                std::move(errors));
  }
  command.next_update_at = at;
  return OkStatus();
}

}  // namespace

void Api::ExecuteCommand(IncidentCommand::Type type, const Request& req, const PathParams& params,
                         Reply reply) {
  using Type = IncidentCommand::Type;
  auto who = RouteCaller(req);  // then responder on the incident's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  std::string_view id = params.Get("id");
  auto number = ParseIncidentRef(id);
  if (!number) return reply->Send(ProblemFor(NoSuchIncident(id), req));
  if (Status permitted = PermitIncident(*who, *number, Action::kRespond); !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }

  const bool body_required = type == Type::kSetCommander || type == Type::kSetSeverity ||
                             type == Type::kAddNote || type == Type::kStatusUpdate ||
                             type == Type::kReassign;
  auto body = ParseObjectBody(req.body, !body_required);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));

  IncidentCommand command;
  command.type = type;
  command.incident_number = *number;
  command.actor = who->actor();
  auto note = OptionalStringField(*body, "note");
  if (!note.ok()) return reply->Send(ProblemFor(note.error(), req));
  command.note = std::move(*note);

  switch (type) {
    case Type::kSetCommander: {
      auto commander = OptionalStringField(*body, "commander");
      if (!commander.ok()) return reply->Send(ProblemFor(commander.error(), req));
      if (commander->empty()) {
        return reply->Send(ProblemFor(
            Error::Invalid("commander is required", {{"/commander", "is required"}}), req));
      }
      // As with reassign: a configured user, or the caller taking command themself (the
      // console's "Take command" sends its own actor, as acknowledging assigns it).
      if (*commander != command.actor && !IsConfiguredUser(*commander)) {
        return reply->Send(ProblemFor(Error::Invalid("unknown user '" + *commander + "'",
                                                     {{"/commander", "is not a configured user"}}),
                                      req));
      }
      command.commander = std::move(*commander);
      break;
    }
    case Type::kSetSeverity: {
      auto text = OptionalStringField(*body, "severity");
      if (!text.ok()) return reply->Send(ProblemFor(text.error(), req));
      auto severity = ParseSeverity(*text);
      if (!severity) {
        return reply->Send(ProblemFor(Error::Invalid("severity must be one of sev1..sev4",
                                                     {{"/severity", "must be one of sev1..sev4"}}),
                                      req));
      }
      command.severity = *severity;
      break;
    }
    case Type::kReassign: {
      auto user = OptionalStringField(*body, "user");
      if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
      if (user->empty()) {
        return reply->Send(
            ProblemFor(Error::Invalid("user is required", {{"/user", "is required"}}), req));
      }
      if (roster_ && roster_->Current()->FindUser(*user) == nullptr) {
        return reply->Send(ProblemFor(
            Error::Invalid("unknown user '" + *user + "'", {{"/user", "is not a configured user"}}),
            req));
      }
      command.assignee = std::move(*user);
      break;
    }
    case Type::kStatusUpdate: {
      Status read = ReadStatusUpdate(*body, *number, store_, clock_, policy_.get(), command);
      if (!read.ok()) return reply->Send(ProblemFor(read.error(), req));
      break;
    }
    case Type::kAddNote:
      if (command.note.empty()) {
        return reply->Send(
            ProblemFor(Error::Invalid("note is required", {{"/note", "is required"}}), req));
      }
      break;
    default: break;
  }

  std::string instance(req.path);
  incident_writes_.Execute(
      std::move(command),
      [reply = std::move(reply), instance = std::move(instance)](Result<Incident> out) {
        if (out.ok()) return reply->Send(JsonResponse(200, IncidentToJson(*out)));
        const Request where = RequestAt(Method::kPost, instance);
        reply->Send(ProblemFor(out.error(), where));
      });
}

void Api::ListAlerts(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));

  QueryParams q(req.query);
  AlertFilter filter;
  std::vector<FieldError> errors;
  if (auto v = q.Get("incident"); v && !v->empty()) {
    auto n = ParseIncidentRef(*v);
    if (!n) {
      errors.push_back({"/query/incident", "must be an incident id like INC-1"});
    } else {
      filter.incident_number = *n;
    }
  }
  if (auto v = q.Get("service")) filter.service_id = *v;
  if (auto v = q.Get("status"); v && !v->empty()) {
    if (*v == "firing" || *v == "acknowledged" || *v == "resolved") {
      filter.status = *v;
    } else {
      errors.push_back({"/query/status", "must be one of firing, acknowledged, resolved"});
    }
  }
  ParsePaging(q, &filter.limit, &filter.before_id, errors);
  if (!errors.empty()) return reply->Send(ProblemFor(InvalidQuery(std::move(errors)), req));

  auto page = store_.ListAlerts(filter);
  if (!page.ok()) return reply->Send(ProblemFor(page.error(), req));
  Json alerts = Json::array();
  for (const Alert& a : page->alerts) {
    if (SeesService(*who, a.service_id)) alerts.push_back(AlertToJson(a));
  }
  Json body = Json::object();
  body["alerts"] = std::move(alerts);
  body["next"] = NextCursor(page->next_cursor);
  reply->Send(JsonResponse(200, body));
}

void Api::ListIncidentAlerts(const Request& req, const PathParams& params, Reply reply) {
  QueryParams q(req.query);
  AlertFilter filter;
  filter.oldest_first = true;
  filter.limit = kIncidentDetailAlerts;
  std::vector<FieldError> errors;
  if (auto v = q.Get("limit")) {
    auto n = ParsePositiveInt(*v);
    if (!n || *n > kMaxPageSize) {
      errors.push_back({"/query/limit", "must be an integer from 1 to 500"});
    } else {
      filter.limit = static_cast<int>(*n);
    }
  }
  if (auto v = q.Get("after"); v && !v->empty()) {
    auto n = ParsePositiveInt(*v);
    if (!n) {
      errors.push_back(
          {"/query/after", "must be the `alerts_next` or `next` value of a previous page"});
    } else {
      filter.after_id = *n;
    }
  }
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply);
  if (!detail) return;
  if (!errors.empty()) return reply->Send(ProblemFor(InvalidQuery(std::move(errors)), req));
  filter.incident_number = detail->incident.number;

  auto page = store_.ListAlerts(filter);
  if (!page.ok()) return reply->Send(ProblemFor(page.error(), req));
  Json alerts = Json::array();
  for (const Alert& a : page->alerts) alerts.push_back(AlertToJson(a));
  Json body = Json::object();
  body["incident"] = IncidentId(filter.incident_number);
  body["alerts"] = std::move(alerts);
  body["next"] = NextCursor(page->next_cursor);
  reply->Send(JsonResponse(200, body));
}

}  // namespace loom::http
