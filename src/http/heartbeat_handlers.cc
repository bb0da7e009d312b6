// Heartbeats (docs/heartbeats.md, store/heartbeat_store.h): the definitions under
// /v1/heartbeats (viewers read, admins write — on the heartbeat's service's team, like every
// resource of a service: a hidden team's heartbeats are 404 to non-members and left out of the
// list, and a team's admins manage its heartbeats; core/authorization.h), and the pings — ours at
// /v1/heartbeats/{id}/ping (the service's integration key as "Authorization: Token <key>" or ?key=;
// problem documents) and Opsgenie's at /v2/heartbeats/{name}/ping ("Authorization: GenieKey <key>";
// Opsgenie's own bodies). A ping is answered 202 from the store's commit callback, so it is
// durable.

#include <spdlog/spdlog.h>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/crypto.h"
#include "common/time_format.h"
#include "http/access.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/query.h"

namespace loom::http {
namespace {

// The credentials of `authorization` when it is "<scheme> <credentials>" (scheme compared
// without case); "" otherwise.
std::string_view CredentialsOf(std::string_view authorization, std::string_view scheme) {
  if (authorization.size() <= scheme.size() + 1) return {};
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return {};
    }
  }
  if (authorization[scheme.size()] != ' ') return {};
  std::string_view rest = authorization.substr(scheme.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return rest;
}

Json HeartbeatToJson(const Heartbeat& hb, TimePoint now) {
  Json j = Json::object();
  j["id"] = hb.id;
  j["service"] = hb.service_id;
  j["name"] = hb.name;
  j["interval"] = HeartbeatDurationText(hb.interval);
  j["interval_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(hb.interval).count();
  j["grace"] = HeartbeatDurationText(hb.grace);
  j["grace_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(hb.grace).count();
  j["severity"] = SeverityName(hb.severity);
  j["enabled"] = hb.enabled;
  j["source"] = hb.source;
  j["state"] = HeartbeatStateName(hb.state);
  j["last_ping_at"] = hb.last_ping_at ? Json(FormatRfc3339(*hb.last_ping_at)) : Json(nullptr);
  if (hb.last_ping_at) {
    j["seconds_since_ping"] =
        std::chrono::duration_cast<std::chrono::seconds>(now - *hb.last_ping_at).count();
  } else {
    j["seconds_since_ping"] = nullptr;
  }
  const std::optional<TimePoint> expires =
      hb.state == HeartbeatState::kHealthy ? HeartbeatExpiresAt(hb) : std::nullopt;
  j["expires_at"] = expires ? Json(FormatRfc3339(*expires)) : Json(nullptr);
  j["incident"] = hb.incident_number != 0 ? Json(IncidentId(hb.incident_number)) : Json(nullptr);
  j["ping_url"] = "/v1/heartbeats/" + hb.id + "/ping";
  return j;
}

// A duration member: "90s", "1h30m" or a number of seconds. nullopt when absent or null; a
// field error when present and not a duration.
Result<std::optional<Duration>> DurationField(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<Duration>();
  if (it->is_number_integer()) {
    return std::optional<Duration>(std::chrono::seconds(it->get<int64_t>()));
  }
  if (it->is_string()) {
    Result<Duration> d = ParseDuration(it->get<std::string>());
    if (d.ok()) return std::optional<Duration>(*d);
  }
  return Error::Invalid(std::string("invalid ") + key,
                        {{std::string("/") + key, "must be a duration such as 90s, 10m or 1h"}});
}

// The definition fields of a create or patch body into `patch` (id not touched); collects the
// field errors in `errors`.
void ParseDefinition(const nlohmann::json& body, HeartbeatPatch* patch,
                     std::vector<FieldError>* errors) {
  if (auto name = OptionalStringField(body, "name"); !name.ok()) {
    errors->push_back({"/name", "must be a string"});
  } else if (body.contains("name") && !body["name"].is_null()) {
    patch->name = *name;
  }
  for (const char* key : {"interval", "grace"}) {
    Result<std::optional<Duration>> d = DurationField(body, key);
    if (!d.ok()) {
      errors->push_back(d.error().fields.front());
    } else if (*d) {
      (std::string_view(key) == "interval" ? patch->interval : patch->grace) = **d;
    }
  }
  if (auto it = body.find("severity"); it != body.end() && !it->is_null()) {
    std::optional<Severity> sev;
    if (it->is_string()) sev = ParseSeverity(it->get<std::string>());
    if (!sev) {
      errors->push_back({"/severity", "must be one of sev1, sev2, sev3, sev4"});
    } else {
      patch->severity = *sev;
    }
  }
  if (auto it = body.find("enabled"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      errors->push_back({"/enabled", "must be true or false"});
    } else {
      patch->enabled = it->get<bool>();
    }
  }
}

// Opsgenie's body shapes: {"result": ..., "took": s, "requestId": uuid} on success and
// {"message": ..., "took": s, "requestId": uuid} on errors.
std::string OpsgenieRequestId() {
  std::string hex = RandomHex(16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Response OpsgenieAnswer(int status, const char* member, const std::string& text) {
  Json body = Json::object();
  body[member] = text;
  body["took"] = 0.0;
  body["requestId"] = OpsgenieRequestId();
  Response r = JsonResponse(status, body);
  if (status == 503) r.retry_after_seconds = 1;
  return r;
}

Response OpsgenieError(const Error& e) {
  const int status = HttpStatusFor(e.code);
  // Internal errors: their message is for the server log only.
  return OpsgenieAnswer(status, "message",
                        e.code == ErrorCode::kInternal ? "Internal error" : e.message);
}

Error NoHeartbeat(const std::string& id) {
  return Error::NotFound("heartbeat '" + id + "' not found");
}

// What the store answers for a service that does not exist: also the answer for one of a team
// hidden from the caller.
Error UnknownService(const std::string& id) {
  return Error::Invalid("unknown service '" + id + "'", {{"/service", "is not a service id"}});
}

}  // namespace

void Api::ListHeartbeats(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto heartbeats = store_.ListHeartbeats();
  if (!heartbeats.ok()) return reply->Send(ProblemFor(heartbeats.error(), req));
  const TimePoint now = clock_.Now();
  Json list = Json::array();
  for (const Heartbeat& hb : *heartbeats) {
    if (SeesService(*who, hb.service_id)) list.push_back(HeartbeatToJson(hb, now));
  }
  Json body = Json::object();
  body["heartbeats"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

void Api::GetHeartbeat(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  const std::string id(params.Get("id"));
  auto hb = store_.GetHeartbeat(id);
  if (!hb.ok()) return reply->Send(ProblemFor(hb.error(), req));
  if (!hb->has_value() || !SeesService(*who, (*hb)->service_id)) {
    return reply->Send(ProblemFor(NoHeartbeat(id), req));
  }
  reply->Send(JsonResponse(200, HeartbeatToJson(**hb, clock_.Now())));
}

void Api::CreateHeartbeat(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);  // then admin on the service's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  std::vector<FieldError> errors;
  Heartbeat hb;
  auto id = OptionalStringField(*body, "id");
  auto service = OptionalStringField(*body, "service");
  if (!id.ok() || id->empty()) errors.push_back({"/id", "is required (a string)"});
  if (!service.ok() || service->empty()) errors.push_back({"/service", "is required (a string)"});
  if (!body->contains("interval")) errors.push_back({"/interval", "is required (e.g. 1h)"});
  HeartbeatPatch fields;
  ParseDefinition(*body, &fields, &errors);
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("invalid heartbeat", std::move(errors)), req));
  }
  hb.id = *id;
  hb.service_id = *service;
  hb.name = fields.name.value_or(hb.id);
  if (fields.interval) hb.interval = *fields.interval;
  if (fields.grace) hb.grace = *fields.grace;
  if (fields.severity) hb.severity = *fields.severity;
  if (fields.enabled) hb.enabled = *fields.enabled;
  if (Status valid = ValidateHeartbeat(hb); !valid.ok()) {
    return reply->Send(ProblemFor(valid.error(), req));
  }
  if (Status permitted = Permit(*who, Action::kManage, TeamOfService(hb.service_id),
                                UnknownService(hb.service_id));
      !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  spdlog::info("heartbeat {} created by {}", hb.id, who->actor());
  std::string instance(req.path);
  store_.CreateHeartbeat(std::move(hb), [this, reply = std::move(reply),
                                         instance = std::move(instance)](Result<Heartbeat> out) {
    if (!out.ok()) return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
    reply->Send(JsonResponse(201, HeartbeatToJson(*out, clock_.Now())));
  });
}

void Api::PatchHeartbeat(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);  // then admin on the heartbeat's service's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  if (Status permitted = PermitHeartbeat(*who, std::string(params.Get("id"))); !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  std::vector<FieldError> errors;
  HeartbeatPatch patch;
  patch.id = std::string(params.Get("id"));
  ParseDefinition(*body, &patch, &errors);
  for (const char* fixed : {"id", "service"}) {
    if (body->contains(fixed)) errors.push_back({std::string("/") + fixed, "cannot be changed"});
  }
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("invalid heartbeat", std::move(errors)), req));
  }
  spdlog::info("heartbeat {} changed by {}", patch.id, who->actor());
  std::string instance(req.path);
  store_.UpdateHeartbeat(std::move(patch), [this, reply = std::move(reply),
                                            instance = std::move(instance)](Result<Heartbeat> out) {
    if (!out.ok()) {
      return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPatch, instance)));
    }
    reply->Send(JsonResponse(200, HeartbeatToJson(*out, clock_.Now())));
  });
}

void Api::DeleteHeartbeat(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);  // then admin on the heartbeat's service's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  std::string id(params.Get("id"));
  if (Status permitted = PermitHeartbeat(*who, id); !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  spdlog::info("heartbeat {} deleted by {}", id, who->actor());
  std::string instance(req.path);
  store_.DeleteHeartbeat(std::move(id), [this, reply = std::move(reply),
                                         instance = std::move(instance)](Result<Heartbeat> out) {
    if (!out.ok()) {
      return reply->Send(ProblemFor(out.error(), RequestAt(Method::kDelete, instance)));
    }
    reply->Send(JsonResponse(200, HeartbeatToJson(*out, clock_.Now())));
  });
}

Status Api::PermitHeartbeat(const Principal& who, const std::string& id) {
  auto hb = store_.GetHeartbeat(id);
  if (!hb.ok()) return std::move(hb).error();
  // A missing heartbeat: the admin check alone, then the store answers its 404.
  const ResourceTeam team = hb->has_value() ? TeamOfService((*hb)->service_id) : ResourceTeam{};
  return Permit(who, Action::kManage, team, NoHeartbeat(id));
}

void Api::PingHeartbeat(const Request& req, const PathParams& params, Reply reply) {
  std::string key(CredentialsOf(req.authorization, "Token"));
  if (key.empty()) key = std::string(BearerToken(req.authorization));
  if (key.empty() && !req.query.empty()) key = QueryParams(req.query).Get("key").value_or("");
  if (key.empty()) {
    return reply->Send(ProblemFor(
        Error::Unauthenticated("missing integration key: send it as 'Authorization: Token <key>' "
                               "or '?key=<key>'"),
        req));
  }
  auto resolved = ResolveKey(key);
  if (!resolved.ok()) return reply->Send(ProblemFor(resolved.error(), req));
  if (*resolved == nullptr) {
    return reply->Send(ProblemFor(Error::Unauthenticated("unknown integration key"), req));
  }
  HeartbeatPing ping;
  ping.id = PercentDecode(params.Get("id"));
  ping.service_id = (*resolved)->service_id;
  std::string instance(req.path);
  store_.PingHeartbeat(std::move(ping), [reply = std::move(reply), instance = std::move(instance)](
                                            Result<HeartbeatPinged> out) {
    if (!out.ok()) return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
    Json body = Json::object();
    body["heartbeat"] = out->heartbeat.id;
    body["state"] = HeartbeatStateName(out->heartbeat.state);
    body["resolved_incident"] =
        out->resolved_incident != 0 ? Json(IncidentId(out->resolved_incident)) : Json(nullptr);
    reply->Send(JsonResponse(202, body));
  });
}

void Api::PingOpsgenieHeartbeat(const Request& req, const PathParams& params, Reply reply) {
  const std::string key(CredentialsOf(req.authorization, "GenieKey"));
  if (key.empty()) {
    return reply->Send(OpsgenieAnswer(401, "message",
                                      "Could not authenticate: send 'Authorization: GenieKey "
                                      "<integration key of the service>'"));
  }
  auto resolved = ResolveKey(key);
  if (!resolved.ok()) {
    LogRequestError(resolved.error(), req);
    return reply->Send(OpsgenieError(resolved.error()));
  }
  if (*resolved == nullptr)
    return reply->Send(OpsgenieAnswer(401, "message", "Could not authenticate"));
  HeartbeatPing ping;
  ping.name = PercentDecode(params.Get("name"));
  ping.service_id = (*resolved)->service_id;
  std::string name = ping.name;
  store_.PingHeartbeat(std::move(ping), [reply = std::move(reply),
                                         name = std::move(name)](Result<HeartbeatPinged> out) {
    if (!out.ok()) {
      if (out.error().code == ErrorCode::kNotFound) {
        return reply->Send(
            OpsgenieAnswer(404, "message", "Heartbeat with name [" + name + "] doesn't exist."));
      }
      return reply->Send(OpsgenieError(out.error()));
    }
    reply->Send(OpsgenieAnswer(202, "result", "PONG - Heartbeat received"));
  });
}

}  // namespace loom::http
