// Drills (docs/drills.md): start a drill incident, finish it (notes Markdown written into the
// configured drill folder), list past drills with the next one due.
//
// Starting and finishing take several store writes in order; they run on a short-lived worker
// thread (AwaitWrite blocks), never on an I/O thread, and answer through the Reply at the end.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/crypto.h"
#include "common/time_format.h"
#include "core/drill.h"
#include "core/drill_notes.h"
#include "core/followup.h"
#include "engine/drill_deadline.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "ingest/json_input.h"

namespace loom::http {
namespace {

constexpr char kParticipantsNote[] = "Drill participants: ";

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

// Participants named at the start (a timeline note), then the ones named at the finish.
std::vector<std::string> Participants(const std::vector<TimelineEvent>& timeline,
                                      const std::vector<std::string>& at_finish) {
  std::vector<std::string> out;
  auto add = [&](const std::string& who) {
    if (!who.empty() && std::find(out.begin(), out.end(), who) == out.end()) out.push_back(who);
  };
  for (const TimelineEvent& e : timeline) {
    if (e.type != "incident.note") continue;
    const Json d = Json::parse(e.data_json, nullptr, false);
    if (!d.is_object() || !d.contains("note") || !d["note"].is_string()) continue;
    const std::string note = d["note"].get<std::string>();
    if (note.rfind(kParticipantsNote, 0) != 0) continue;
    std::string rest = note.substr(sizeof(kParticipantsNote) - 1);
    size_t start = 0;
    while (start <= rest.size()) {
      size_t comma = rest.find(", ", start);
      add(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
  }
  for (const std::string& p : at_finish) add(p);
  return out;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

IncidentCommand Command(IncidentCommand::Type type, int64_t number, const std::string& actor) {
  IncidentCommand c;
  c.type = type;
  c.incident_number = number;
  c.actor = actor;
  return c;
}

// Runs one command and waits for it (worker threads only).
Result<Incident> Run(Store& store, IncidentCommand command) {
  return AwaitWrite<Incident>(
      [&](Callback<Incident> done) { store.Execute(std::move(command), std::move(done)); });
}

}  // namespace

TimePoint Api::DrillAnchor() const {
  return options_.drill_anchor == TimePoint{} ? started_at_ : options_.drill_anchor;
}

void Api::RescheduleDrillDue() {
  Result<NextDrill> next =
      loom::RescheduleDrillDue(store_, options_.drills, DrillAnchor(), clock_.Now());
  if (!next.ok()) spdlog::error("cannot schedule the next drill: {}", next.error().message);
}

void Api::StartDrill(const Request& req, const PathParams&, Reply reply) {
  auto who = Authorize(req, Role::kResponder);
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
  IngestRequest ingest;
  ingest.format = "drill";
  ingest.drill = true;
  ingest.actor = who->actor();
  auto service = OptionalStringField(*body, "service");
  auto title = OptionalStringField(*body, "title");
  auto commander = OptionalStringField(*body, "commander");
  auto severity_text = OptionalStringField(*body, "severity");
  auto participants = StringList(*body, "participants");
  for (const auto* r : {&service, &title, &commander, &severity_text}) {
    if (!r->ok()) return reply->Send(ProblemFor(r->error(), req));
  }
  if (!participants.ok()) return reply->Send(ProblemFor(participants.error(), req));
  if (!commander->empty() && *commander != ingest.actor && !IsConfiguredUser(*commander)) {
    return reply->Send(ProblemFor(Error::Invalid("unknown user '" + *commander + "'",
                                                 {{"/commander", "is not a configured user"}}),
                                  req));
  }
  ingest.service_id = service->empty() ? options_.drills.service : *service;
  Severity severity = Severity::kSev1;
  if (!severity_text->empty()) {
    auto parsed = ParseSeverity(*severity_text);
    if (!parsed) {
      return reply->Send(ProblemFor(
          Error::Invalid("severity must be one of sev1..sev4", {{"/severity", "sev1..sev4"}}),
          req));
    }
    severity = *parsed;
  }
  auto known = store_.GetService(ingest.service_id);
  if (!known.ok()) return reply->Send(ProblemFor(known.error(), req));
  if (!known->has_value()) {
    return reply->Send(ProblemFor(Error::Invalid("unknown service '" + ingest.service_id + "'",
                                                 {{"/service", "is not a service"}}),
                                  req));
  }
  std::string label = SeverityName(severity);
  ingest.title = title->empty() ? label + " " + IncidentKindName(*scenario) + " tabletop drill"
                                : ingest::CapTitle(*title);
  ingest.dedup_key = "drill-" + RandomHex(8);
  AlertUpdate alert;
  alert.summary = ingest.title;
  alert.source = "loom-oncall drill";
  alert.raw_severity = label;
  alert.severity = severity;
  alert.kind = *scenario;
  ingest.alerts.push_back(std::move(alert));

  blocking_.Post([this, reply, ingest = std::move(ingest), commander = std::move(*commander),
                  participants = std::move(*participants), actor = who->actor(),
                  instance = std::string(req.path)]() mutable {
    const Request where = RequestAt(Method::kPost, instance);
    Result<IngestOutcome> opened = AwaitWrite<IngestOutcome>(
        [&](Callback<IngestOutcome> done) { store_.Ingest(std::move(ingest), std::move(done)); });
    if (!opened.ok()) return reply->Send(ProblemFor(opened.error(), where));
    const int64_t number = opened->incident_number;
    if (!commander.empty()) {
      IncidentCommand c = Command(IncidentCommand::Type::kSetCommander, number, actor);
      c.commander = commander;
      Result<Incident> set = Run(store_, std::move(c));
      if (!set.ok()) return reply->Send(ProblemFor(set.error(), where));
    }
    if (!participants.empty()) {
      IncidentCommand c = Command(IncidentCommand::Type::kAddNote, number, actor);
      c.note = kParticipantsNote + Joined(participants);
      Result<Incident> noted = Run(store_, std::move(c));
      if (!noted.ok()) return reply->Send(ProblemFor(noted.error(), where));
    }
    RescheduleDrillDue();  // a drill started: the next one is due an interval from now
    auto detail = store_.GetIncident(number);
    if (!detail.ok()) return reply->Send(ProblemFor(detail.error(), where));
    if (!detail->has_value()) return reply->Send(ProblemFor(NotADrill(IncidentId(number)), where));
    Response r = JsonResponse(201, DrillToJson((*detail)->incident));
    r.headers.emplace_back("Location", "/v1/incidents/" + IncidentId(number));
    reply->Send(std::move(r));
  });
}

void Api::FinishDrill(const Request& req, const PathParams& params, Reply reply) {
  auto who = Authorize(req, Role::kResponder);
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

  auto detail = store_.GetIncident(*number);
  if (!detail.ok()) return reply->Send(ProblemFor(detail.error(), req));
  if (!detail->has_value() || !(*detail)->incident.drill) {
    return reply->Send(ProblemFor(NotADrill(id), req));
  }
  if ((*detail)->incident.state == IncidentState::kClosed) {
    return reply->Send(
        ProblemFor(Error::Conflict(std::string(id) + " is closed; the drill is finished"), req));
  }

  DrillNotes notes;
  notes.what_worked = std::move(*worked);
  notes.gaps = std::move(*gaps);
  notes.followups = std::move(*followups);
  blocking_.Post([this, reply, number = *number, notes = std::move(notes),
                  participants = std::move(*participants), actor = who->actor(),
                  instance = std::string(req.path)]() mutable {
    const Request where = RequestAt(Method::kPost, instance);
    auto load = [&]() -> Result<IncidentDetail> {
      auto d = store_.GetIncident(number);
      if (!d.ok()) return std::move(d).error();
      if (!d->has_value()) return NotADrill(IncidentId(number));
      return std::move(**d);
    };
    Result<IncidentDetail> now = load();
    if (!now.ok()) return reply->Send(ProblemFor(now.error(), where));
    // A Sev1/2 drill needs a commander to be resolved: whoever finishes it, when none was named.
    if (now->incident.commander.empty()) {
      IncidentCommand c = Command(IncidentCommand::Type::kSetCommander, number, actor);
      c.commander = actor;
      Result<Incident> set = Run(store_, std::move(c));
      if (!set.ok()) return reply->Send(ProblemFor(set.error(), where));
    }
    if (now->incident.open()) {
      IncidentCommand c = Command(IncidentCommand::Type::kResolve, number, actor);
      c.note = "drill finished";
      Result<Incident> resolved = Run(store_, std::move(c));
      if (!resolved.ok()) return reply->Send(ProblemFor(resolved.error(), where));
    }
    now = load();
    if (!now.ok()) return reply->Send(ProblemFor(now.error(), where));
    notes.incident = now->incident;
    notes.timeline = now->timeline;
    notes.participants = Participants(now->timeline, participants);

    // The notes first, then the close: a failed write leaves the drill resolved, and finishing
    // it again retries.
    const std::filesystem::path dir(options_.drills.dir);
    std::filesystem::path file = dir / DrillNotesFileName(notes.incident);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (std::filesystem::exists(file, ec)) {
      std::string name = file.stem().string() + "-" + notes.incident.id() + ".md";
      file = dir / name;
    }
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << RenderDrillNotes(notes);
      out.close();
      if (!out) {
        return reply->Send(
            ProblemFor(Error::Internal("cannot write the drill notes to " + file.string()), where));
      }
    }
    IncidentCommand close = Command(IncidentCommand::Type::kClose, number, actor);
    close.note = "drill notes: " + file.string();
    Result<Incident> closed = Run(store_, std::move(close));
    if (!closed.ok()) return reply->Send(ProblemFor(closed.error(), where));
    // The follow-ups whose owner is a configured user are tracked like any other (reminders,
    // overdue notices, /v1/followups); the others live in the notes file only.
    Json tracked = Json::array();
    Json untracked = Json::array();
    const std::shared_ptr<const OnCallSnapshot> oncall = roster_ ? roster_->Current() : nullptr;
    for (const DrillFollowUp& item : notes.followups) {
      Result<TimePoint> due = ParseDue(item.due);
      if (oncall == nullptr || oncall->FindUser(item.owner) == nullptr || !due.ok()) {
        untracked.push_back(item.title);
        continue;
      }
      Followup f;
      f.title = item.title;
      f.owner = item.owner;
      f.due_at = *due;
      f.source_kind = "drill";
      f.source_ref = closed->id();
      f.service_id = closed->service_id;
      f.created_by = actor;
      Result<Followup> created = AwaitWrite<Followup>(
          [&](Callback<Followup> done) { store_.CreateFollowup(std::move(f), std::move(done)); });
      if (!created.ok()) return reply->Send(ProblemFor(created.error(), where));
      tracked.push_back(created->id());
    }
    Json body = Json::object();
    body["drill"] = DrillToJson(*closed);
    body["notes_path"] = file.string();
    body["notes_file"] = file.filename().string();
    body["followups"] = std::move(tracked);
    body["followups_not_tracked"] = std::move(untracked);
    reply->Send(JsonResponse(200, body));
  });
}

void Api::ListDrills(const Request& req, const PathParams&, Reply reply) {
  auto who = Authorize(req, Role::kViewer);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  Result<std::vector<Incident>> drills = ListDrillIncidents(store_);
  if (!drills.ok()) return reply->Send(ProblemFor(drills.error(), req));
  const TimePoint anchor = DrillAnchor();
  const NextDrill next =
      PlanNextDrill(DrillRecordsOf(*drills), options_.drills, anchor, clock_.Now());
  Json list = Json::array();
  for (const Incident& inc : *drills) list.push_back(DrillToJson(inc));
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
