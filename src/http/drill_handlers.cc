// Drills (docs/drills.md): start a drill incident, finish it, list past drills with the next one
// due. Starting and finishing are the drill service's (engine/drill_service.h: one store write
// each, the notes written through its DrillNotesWriter); these handlers parse the request, call
// it on the Api's worker thread (it blocks until the write is done, never on an I/O thread) and
// render its answer.

#include <algorithm>
#include <filesystem>

#include "common/time_format.h"
#include "core/drill.h"
#include "core/drill_notes.h"
#include "core/drill_plan.h"
#include "engine/drill_deadline.h"
#include "engine/drill_service.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "ingest/json_input.h"

namespace loom::http {
namespace {

Error NotADrill(std::string_view id) { return Error::NotFound("no drill " + std::string(id)); }

// The optional array of strings `key`: each must be a non-empty string.
Result<std::vector<std::string>> StringList(const nlohmann::json& body, const char* key) {
  std::vector<std::string> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  const std::string pointer = std::string("/") + key;
  if (!it->is_array()) {
    return Error::Invalid(std::string(key) + " must be an array of strings",
                          {{pointer, "must be an array of strings"}});
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& item = (*it)[i];
    if (!item.is_string() || item.get<std::string>().empty()) {
      return Error::Invalid(std::string(key) + " must hold non-empty strings",
                            {{pointer + "/" + std::to_string(i), "must be a non-empty string"}});
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::vector<DrillFollowUp>> FollowUps(const nlohmann::json& body) {
  auto it = body.find("followups");
  if (it == body.end() || !it->is_array() || it->empty()) {
    return Error::Invalid("a drill needs at least one follow-up with an owner and a due date",
                          {{"/followups", "at least one {title, owner, due} is required"}});
  }
  std::vector<DrillFollowUp> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& item = (*it)[i];
    const std::string at = "/followups/" + std::to_string(i);
    if (!item.is_object()) {
      return Error::Invalid("each follow-up must be an object", {{at, "must be an object"}});
    }
    DrillFollowUp f;
    for (auto [key, slot] :
         {std::pair{"title", &f.title}, std::pair{"owner", &f.owner}, std::pair{"due", &f.due}}) {
      auto value = OptionalStringField(item, key);
      if (!value.ok() || value->empty()) {
        return Error::Invalid(std::string("follow-up ") + std::to_string(i) + " needs " + key,
                              {{at + "/" + key, "is required (a string)"}});
      }
      *slot = std::move(*value);
    }
    Status valid = ValidateFollowUp(f);
    if (!valid.ok()) return Error::Invalid(valid.error().message, {{at + "/due", "YYYY-MM-DD"}});
    out.push_back(std::move(f));
  }
  return out;
}

Json DrillToJson(const Incident& inc) {
  Json j = IncidentToJson(inc);
  j["scenario"] = IncidentKindName(inc.kind);
  j["started_at"] = FormatRfc3339(inc.created_at);
  j["finished_at"] = inc.closed_at ? Json(FormatRfc3339(*inc.closed_at)) : Json(nullptr);
  return j;
}

}  // namespace

TimePoint Api::DrillAnchor() const {
  return options_.drill_anchor == TimePoint{} ? started_at_ : options_.drill_anchor;
}

void Api::StartDrill(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto body = ParseObjectBody(req.body, false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));

  auto scenario_text = OptionalStringField(*body, "scenario");
  if (!scenario_text.ok()) return reply->Send(ProblemFor(scenario_text.error(), req));
  std::optional<IncidentKind> scenario = ParseIncidentKind(*scenario_text);
  if (!scenario || *scenario == IncidentKind::kOther) {
    return reply->Send(
        ProblemFor(Error::Invalid("scenario must be availability or security",
                                  {{"/scenario", "must be availability or security"}}),
                   req));
  }
  DrillStart start;
  start.scenario = *scenario;
  start.actor = who->actor();
  auto service = OptionalStringField(*body, "service");
  auto title = OptionalStringField(*body, "title");
  auto commander = OptionalStringField(*body, "commander");
  auto severity_text = OptionalStringField(*body, "severity");
  auto participants = StringList(*body, "participants");
  for (const auto* r : {&service, &title, &commander, &severity_text}) {
    if (!r->ok()) return reply->Send(ProblemFor(r->error(), req));
  }
  if (!participants.ok()) return reply->Send(ProblemFor(participants.error(), req));
  if (!commander->empty() && *commander != start.actor && !IsConfiguredUser(*commander)) {
    return reply->Send(ProblemFor(Error::Invalid("unknown user '" + *commander + "'",
                                                 {{"/commander", "is not a configured user"}}),
                                  req));
  }
  start.service = service->empty() ? options_.drills.service : *service;
  if (!severity_text->empty()) {
    auto parsed = ParseSeverity(*severity_text);
    if (!parsed) {
      return reply->Send(ProblemFor(
          Error::Invalid("severity must be one of sev1..sev4", {{"/severity", "sev1..sev4"}}),
          req));
    }
    start.severity = *parsed;
  }
  if (!title->empty()) start.title = ingest::CapTitle(*title);
  start.commander = std::move(*commander);
  start.participants = std::move(*participants);

  blocking_.Post([this, reply, start = std::move(start), instance = std::string(req.path)] {
    const Request where = RequestAt(Method::kPost, instance);
    Result<Incident> drill = drills_.Start(start);
    if (!drill.ok()) return reply->Send(ProblemFor(drill.error(), where));
    Response r = JsonResponse(201, DrillToJson(*drill));
    r.headers.emplace_back("Location", "/v1/incidents/" + drill->id());
    reply->Send(std::move(r));
  });
}

void Api::FinishDrill(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  std::string_view id = params.Get("id");
  std::optional<int64_t> number = ParseIncidentId(id);
  if (!number && !id.empty() &&
      std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    number = ParseIncidentId("INC-" + std::string(id));
  }
  if (!number) return reply->Send(ProblemFor(NotADrill(id), req));
  auto body = ParseObjectBody(req.body, false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  auto worked = StringList(*body, "what_worked");
  auto gaps = StringList(*body, "gaps");
  auto participants = StringList(*body, "participants");
  for (const auto* r : {&worked, &gaps, &participants}) {
    if (!r->ok()) return reply->Send(ProblemFor(r->error(), req));
  }
  auto followups = FollowUps(*body);
  if (!followups.ok()) return reply->Send(ProblemFor(followups.error(), req));

  DrillFinish finish;
  finish.number = *number;
  finish.name = std::string(id);
  finish.actor = who->actor();
  finish.what_worked = std::move(*worked);
  finish.gaps = std::move(*gaps);
  finish.participants = std::move(*participants);
  finish.followups = std::move(*followups);
  blocking_.Post([this, reply, finish = std::move(finish), instance = std::string(req.path)] {
    const Request where = RequestAt(Method::kPost, instance);
    Result<DrillFinishOutcome> done = drills_.Finish(finish);
    if (!done.ok()) return reply->Send(ProblemFor(done.error(), where));
    Json tracked = Json::array();
    for (const std::string& f : done->tracked) tracked.push_back(f);
    Json untracked = Json::array();
    for (const std::string& title : done->untracked) untracked.push_back(title);
    Json answer = Json::object();
    answer["drill"] = DrillToJson(done->drill);
    answer["notes_path"] = done->notes_path;
    answer["notes_file"] = std::filesystem::path(done->notes_path).filename().string();
    answer["followups"] = std::move(tracked);
    answer["followups_not_tracked"] = std::move(untracked);
    reply->Send(JsonResponse(200, answer));
  });
}

void Api::ListDrills(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  Result<std::vector<Incident>> drills = ListDrillIncidents(store_);
  if (!drills.ok()) return reply->Send(ProblemFor(drills.error(), req));
  const TimePoint anchor = DrillAnchor();
  const NextDrill next =
      PlanNextDrill(DrillRecordsOf(*drills), options_.drills, anchor, clock_.Now());
  // The schedule counts every drill; the list names only those on services the caller sees (a
  // hidden team's drill incident is left out, as GET /v1/incidents leaves it out).
  Json list = Json::array();
  for (const Incident& inc : *drills) {
    if (SeesService(*who, inc.service_id)) list.push_back(DrillToJson(inc));
  }
  Json alternate = Json::array();
  for (IncidentKind k : options_.drills.alternate) alternate.push_back(IncidentKindName(k));
  Json body = Json::object();
  body["drills"] = std::move(list);
  body["next"] = {{"due_at", FormatRfc3339(next.due_at)},
                  {"scenario", IncidentKindName(next.scenario)},
                  {"overdue", next.overdue}};
  body["schedule"] = {{"every", DrillIntervalText(options_.drills.every)},
                      {"alternate", std::move(alternate)},
                      {"service", options_.drills.service},
                      {"dir", options_.drills.dir}};
  reply->Send(JsonResponse(200, body));
}

}  // namespace loom::http
