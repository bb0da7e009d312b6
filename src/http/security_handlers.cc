// The security playbook's routes (docs/security-playbook.md): the evidence locker of any
// incident, and the checklist and report of security incidents. Thin: parse and validate the
// body, call the Store (which applies the playbook rules in its transaction), render.

#include <charconv>
#include <optional>

#include "common/crypto.h"
#include "common/time_format.h"
#include "core/security_playbook.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "notify/webhook/webhook_channel.h"

namespace loom::http {
namespace {

constexpr size_t kMaxEvidenceNameBytes = 200;
constexpr size_t kMaxEvidenceTextBytes = 4096;  // uri, request_id, note, media_type

// "INC-42" or "42".
std::optional<int64_t> IncidentNumberOf(std::string_view text) {
  if (auto n = ParseIncidentId(text)) return n;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n <= 0) return std::nullopt;
  return n;
}

Json OptionalText(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json ArtifactToJson(const EvidenceArtifact& a) {
  Json j = Json::object();
  j["id"] = a.id;
  j["incident"] = IncidentId(a.incident_number);
  j["kind"] = a.kind;
  j["name"] = a.name;
  j["media_type"] = OptionalText(a.media_type);
  j["uri"] = OptionalText(a.uri);
  j["request_id"] = OptionalText(a.request_id);
  j["note"] = OptionalText(a.note);
  j["sha256"] = a.sha256;
  j["size"] = a.size;
  j["actor"] = a.actor;
  j["at"] = FormatRfc3339(a.at);
  return j;
}

Json PlaybookToJson(int64_t number, const SecurityPlaybookState& state) {
  Json items = Json::array();
  for (const ChecklistItem& item : state.checklist) {
    Json j = Json::object();
    j["id"] = item.id;
    j["text"] = item.text;
    j["owner"] = OptionalText(item.owner);
    j["done"] = item.done();
    j["done_at"] = item.done_at ? Json(FormatRfc3339(*item.done_at)) : Json(nullptr);
    j["done_by"] = OptionalText(item.done_by);
    j["note"] = OptionalText(item.note);
    items.push_back(std::move(j));
  }
  Json j = Json::object();
  j["incident"] = IncidentId(number);
  j["items"] = std::move(items);
  j["done"] = state.done_count();
  j["total"] = static_cast<int64_t>(state.checklist.size());
  j["complete"] = state.open_items().empty();
  return j;
}

Json ReportToJson(int64_t number, const SecurityReport& r) {
  Json j = Json::object();
  j["incident"] = IncidentId(number);
  j["timeline"] = r.timeline;
  j["indicators"] = r.indicators;
  j["containment"] = r.containment;
  j["residual_risk"] = r.residual_risk;
  j["revision"] = r.revision;
  j["updated_by"] = r.updated_by;
  j["updated_at"] = FormatRfc3339(r.updated_at);
  return j;
}

// Reads the string `key` into `out` (absent or null: ""); a field error for another type or for
// more than `max_bytes`.
void ReadText(const nlohmann::json& body, const char* key, size_t max_bytes, std::string* out,
              std::vector<FieldError>& errors) {
  Result<std::string> value = OptionalStringField(body, key);
  if (!value.ok()) {
    errors.push_back({std::string("/") + key, "must be a string"});
  } else if (value->size() > max_bytes) {
    errors.push_back(
        {std::string("/") + key, "must be at most " + std::to_string(max_bytes) + " bytes"});
  } else {
    *out = std::move(*value);
  }
}

bool Blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == text.npos; }

Error Incomplete(const char* what, std::vector<FieldError> errors) {
  std::string names;
  for (const FieldError& e : errors) names += (names.empty() ? "" : ", ") + e.pointer.substr(1);
  return Error::Unprocessable(std::string(what) + ": " + names, std::move(errors));
}

Error NotSecurity(const Incident& incident, const char* what) {
  return Error::NotFound(incident.id() + " is a " + IncidentKindName(incident.kind) +
                         " incident: it has no " + what);
}

// Parses the evidence body into `artifact` and `content`; kPayloadTooLarge past the cap.
Status ReadEvidenceBody(const nlohmann::json& body, EvidenceArtifact& artifact,
                        std::string& content) {
  std::vector<FieldError> errors;
  ReadText(body, "kind", 32, &artifact.kind, errors);
  ReadText(body, "name", kMaxEvidenceNameBytes, &artifact.name, errors);
  ReadText(body, "note", kMaxEvidenceTextBytes, &artifact.note, errors);
  if (errors.empty() && artifact.kind != "upload" && artifact.kind != "reference") {
    errors.push_back({"/kind", "must be upload or reference"});
  }
  if (Blank(artifact.name)) errors.push_back({"/name", "is required"});
  if (artifact.kind == "reference") {
    ReadText(body, "uri", kMaxEvidenceTextBytes, &artifact.uri, errors);
    ReadText(body, "request_id", kMaxEvidenceTextBytes, &artifact.request_id, errors);
    if (Blank(artifact.uri) == Blank(artifact.request_id)) {
      errors.push_back({"/uri", "give exactly one of uri or request_id"});
    }
    if (!errors.empty()) return Incomplete("the evidence reference is invalid", std::move(errors));
    content = ReferenceContent(artifact);
    return OkStatus();
  }
  if (artifact.kind != "upload") {
    return Incomplete("the evidence is invalid", std::move(errors));
  }
  ReadText(body, "media_type", 255, &artifact.media_type, errors);
  std::string encoded;
  auto it = body.find("content_base64");
  if (it == body.end() || !it->is_string()) {
    errors.push_back({"/content_base64", "is required (the file's bytes, base64)"});
  } else {
    const std::string& text = it->get_ref<const std::string&>();
    if (text.size() / 4 * 3 > kMaxEvidenceBytes + 3) {
      return Error{ErrorCode::kPayloadTooLarge, "an upload may be at most 10 MiB", {}};
    }
    std::optional<std::string> decoded = Base64Decode(text);
    if (!decoded) {
      errors.push_back({"/content_base64", "must be standard base64"});
    } else if (decoded->empty()) {
      errors.push_back({"/content_base64", "is empty"});
    } else if (decoded->size() > kMaxEvidenceBytes) {
      return Error{ErrorCode::kPayloadTooLarge, "an upload may be at most 10 MiB", {}};
    } else {
      content = std::move(*decoded);
    }
  }
  if (!errors.empty()) return Incomplete("the evidence upload is invalid", std::move(errors));
  if (artifact.media_type.empty()) artifact.media_type = "application/octet-stream";
  return OkStatus();
}

// Who writes, to which incident, what: a write to an incident's playbook or evidence.
struct WriteTargetOf {
  Principal who;
  int64_t number = 0;
  nlohmann::json body;
};
Result<WriteTargetOf> WriteTarget(Result<Principal> who, const Request& req,
                                  const PathParams& params) {
  if (!who.ok()) return std::move(who).error();
  std::string_view id = params.Get("id");
  auto number = IncidentNumberOf(id);
  if (!number) return Error::NotFound("no incident " + std::string(id));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return std::move(body).error();
  return WriteTargetOf{std::move(*who), *number, std::move(*body)};
}

}  // namespace

Result<Json> Api::SecuritySummary(const Incident& incident) {
  if (incident.kind != IncidentKind::kSecurity) return Json(nullptr);
  auto state = store_.GetSecurityPlaybook(incident.number);
  if (!state.ok()) return std::move(state).error();
  if (!state->has_value()) return Json(nullptr);
  const SecurityPlaybookState& s = **state;
  Json checklist = Json::object();
  checklist["done"] = s.done_count();
  checklist["total"] = static_cast<int64_t>(s.checklist.size());
  checklist["open"] = s.open_items();
  Json j = Json::object();
  j["checklist"] = std::move(checklist);
  j["report"] = s.report.has_value();
  j["ready_to_resolve"] = CheckSecurityCloseGate(incident.id(), "resolved", s).ok();
  return j;
}

void Api::AddEvidence(const Request& req, const PathParams& params, Reply reply) {
  auto target = WriteTarget(RouteCaller(req), req, params);
  if (!target.ok()) return reply->Send(ProblemFor(target.error(), req));
  Status permitted = PermitIncident(target->who, target->number, Action::kRespond);
  if (!permitted.ok()) return reply->Send(ProblemFor(permitted.error(), req));
  const Principal& who = target->who;
  const int64_t n = target->number;
  const nlohmann::json& body = target->body;
  EvidenceArtifact artifact;
  artifact.incident_number = n;
  artifact.actor = who.actor();
  std::string content;
  Status read = ReadEvidenceBody(body, artifact, content);
  if (!read.ok()) return reply->Send(ProblemFor(read.error(), req));
  std::string instance(req.path);
  store_.AddEvidence(
      std::move(artifact), std::move(content),
      [reply = std::move(reply), instance = std::move(instance)](Result<EvidenceArtifact> out) {
        if (out.ok()) return reply->Send(JsonResponse(201, ArtifactToJson(*out)));
        reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
      });
}

void Api::ListEvidence(const Request& req, const PathParams& params, Reply reply) {
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply);
  if (!detail) return;
  auto stored = store_.ListEvidence(detail->incident.number, /*with_content=*/false);
  if (!stored.ok()) return reply->Send(ProblemFor(stored.error(), req));
  Json list = Json::array();
  for (const StoredEvidence& e : *stored) list.push_back(ArtifactToJson(e.artifact));
  Json body = Json::object();
  body["incident"] = detail->incident.id();
  body["evidence"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

void Api::ExportEvidence(const Request& req, const PathParams& params, Reply reply) {
  // The contents may be sensitive (logs, snapshots): responders (of the incident's team) only.
  Principal who;
  std::optional<IncidentDetail> detail =
      ReadableIncident(req, params, reply, &who, Action::kRespond);
  if (!detail) return;
  auto stored = store_.ListEvidence(detail->incident.number, /*with_content=*/true);
  if (!stored.ok()) return reply->Send(ProblemFor(stored.error(), req));
  Json list = Json::array();
  for (const StoredEvidence& e : *stored) {
    Json j = ArtifactToJson(e.artifact);
    j["content_base64"] = Base64Encode(e.content);
    list.push_back(std::move(j));
  }
  Json body = Json::object();
  body["incident"] = detail->incident.id();
  body["exported_at"] = FormatRfc3339(clock_.Now());
  body["exported_by"] = who.actor();
  body["artifacts"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

void Api::GetChecklist(const Request& req, const PathParams& params, Reply reply) {
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply);
  if (!detail) return;
  auto state = store_.GetSecurityPlaybook(detail->incident.number);
  if (!state.ok()) return reply->Send(ProblemFor(state.error(), req));
  if (!state->has_value()) {
    return reply->Send(ProblemFor(NotSecurity(detail->incident, "security checklist"), req));
  }
  reply->Send(JsonResponse(200, PlaybookToJson(detail->incident.number, **state)));
}

void Api::UpdateChecklistItem(const Request& req, const PathParams& params, Reply reply) {
  auto target = WriteTarget(RouteCaller(req), req, params);
  if (!target.ok()) return reply->Send(ProblemFor(target.error(), req));
  Status permitted = PermitIncident(target->who, target->number, Action::kRespond);
  if (!permitted.ok()) return reply->Send(ProblemFor(permitted.error(), req));
  const Principal& who = target->who;
  const int64_t n = target->number;
  const nlohmann::json& body = target->body;
  ChecklistChange change;
  std::vector<FieldError> errors;
  for (auto [key, slot] : {std::pair{"owner", &change.owner}, std::pair{"note", &change.note}}) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    std::string text;
    ReadText(body, key, kMaxEvidenceTextBytes, &text, errors);
    *slot = std::move(text);
  }
  if (auto it = body.find("done"); it != body.end() && !it->is_null()) {
    if (it->is_boolean()) {
      change.done = it->get<bool>();
    } else {
      errors.push_back({"/done", "must be true or false"});
    }
  }
  if (errors.empty() && !change.owner && !change.done && !change.note) {
    errors.push_back({"/done", "give done, owner or note"});
  }
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Incomplete("the checklist change is invalid", errors), req));
  }
  std::string instance(req.path);
  store_.UpdateChecklistItem(
      n, std::string(params.Get("item")), std::move(change), who.actor(),
      [reply = std::move(reply), instance = std::move(instance),
       n](Result<SecurityPlaybookState> out) {
        if (out.ok()) return reply->Send(JsonResponse(200, PlaybookToJson(n, *out)));
        reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
      });
}

void Api::GetSecurityReport(const Request& req, const PathParams& params, Reply reply) {
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply);
  if (!detail) return;
  auto state = store_.GetSecurityPlaybook(detail->incident.number);
  if (!state.ok()) return reply->Send(ProblemFor(state.error(), req));
  if (!state->has_value()) {
    return reply->Send(ProblemFor(NotSecurity(detail->incident, "security report"), req));
  }
  if (!(*state)->report) {
    return reply->Send(
        ProblemFor(Error::NotFound(detail->incident.id() + " has no security report yet"), req));
  }
  reply->Send(JsonResponse(200, ReportToJson(detail->incident.number, *(*state)->report)));
}

void Api::PutSecurityReport(const Request& req, const PathParams& params, Reply reply) {
  auto target = WriteTarget(RouteCaller(req), req, params);
  if (!target.ok()) return reply->Send(ProblemFor(target.error(), req));
  Status permitted = PermitIncident(target->who, target->number, Action::kRespond);
  if (!permitted.ok()) return reply->Send(ProblemFor(permitted.error(), req));
  const Principal& who = target->who;
  const int64_t n = target->number;
  const nlohmann::json& body = target->body;
  SecurityReport report;
  std::vector<FieldError> errors;
  for (auto [key, slot] :
       {std::pair{"timeline", &report.timeline}, std::pair{"indicators", &report.indicators},
        std::pair{"containment", &report.containment},
        std::pair{"residual_risk", &report.residual_risk}}) {
    ReadText(body, key, kMaxReportFieldBytes, slot, errors);
  }
  for (FieldError& e : ValidateSecurityReport(report)) {
    bool named = false;
    for (const FieldError& have : errors) named = named || have.pointer == e.pointer;
    if (!named) errors.push_back(std::move(e));
  }
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Incomplete("the security report is incomplete", errors), req));
  }
  report.updated_by = who.actor();
  std::string instance(req.path);
  store_.PutSecurityReport(
      n, std::move(report),
      [reply = std::move(reply), instance = std::move(instance),
       n](Result<SecurityPlaybookState> out) {
        if (out.ok() && out->report) {
          return reply->Send(JsonResponse(200, ReportToJson(n, *out->report)));
        }
        const Error error = out.ok() ? Error::Internal("the report was not stored") : out.error();
        reply->Send(ProblemFor(error, RequestAt(Method::kPut, instance)));
      });
}

}  // namespace loom::http
