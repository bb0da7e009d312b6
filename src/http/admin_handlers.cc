// Services, tokens, health, readiness, metrics and the admin status document.

#include <optional>
#include <string_view>

#include "common/crypto.h"
#include "common/time_format.h"
#include "config/value_checks.h"
#include "core/severity.h"
#include "http/access.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"

namespace loom::http {
namespace {

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4";
constexpr size_t kMaxNameLength = 200;

// A C0 control character, DEL, or a C1 control character (U+0080..U+009F in UTF-8). A token's
// name becomes the actor "token:<name>" on timelines, in notifications and in logs: one line.
bool HasControlCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

// The optional "settings" object of POST /v1/services over the defaults.
Result<ServiceSettings> ParseSettings(const nlohmann::json& body) {
  ServiceSettings settings;
  auto it = body.find("settings");
  if (it == body.end() || it->is_null()) return settings;
  if (!it->is_object()) {
    return Error::Invalid("settings must be an object", {{"/settings", "must be an object"}});
  }
  const nlohmann::json& s = *it;
  std::vector<FieldError> errors;
  if (auto v = s.find("auto_resolve"); v != s.end() && !v->is_null()) {
    if (v->is_boolean()) {
      settings.auto_resolve = v->get<bool>();
    } else {
      errors.push_back({"/settings/auto_resolve", "must be true or false"});
    }
  }
  if (auto v = s.find("rate_limit_per_minute"); v != s.end() && !v->is_null()) {
    if (v->is_number_integer() && v->get<int64_t>() >= 0) {
      settings.rate_limit_per_minute = v->get<int64_t>();
    } else {
      errors.push_back({"/settings/rate_limit_per_minute", "must be an integer >= 0"});
    }
  }
  if (auto v = s.find("severity_map"); v != s.end() && !v->is_null()) {
    if (!v->is_object()) {
      errors.push_back({"/settings/severity_map", "must be an object of word: sev1..sev4"});
    } else {
      for (const auto& [word, sev] : v->items()) {
        std::optional<Severity> parsed;
        if (sev.is_string()) parsed = ParseSeverity(sev.get<std::string>());
        if (!parsed) {
          errors.push_back({"/settings/severity_map/" + word, "must be one of sev1..sev4"});
        } else {
          settings.severity_map.by_word[word] = *parsed;
        }
      }
    }
  }
  if (auto v = s.find("severity_fallback"); v != s.end() && !v->is_null()) {
    std::optional<Severity> parsed;
    if (v->is_string()) parsed = ParseSeverity(v->get<std::string>());
    if (!parsed) {
      errors.push_back({"/settings/severity_fallback", "must be one of sev1..sev4"});
    } else {
      settings.severity_map.fallback = *parsed;
    }
  }
  if (!errors.empty()) return Error::Invalid("invalid service settings", std::move(errors));
  return settings;
}

}  // namespace

void Api::ListServices(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto services = store_.ListServices();
  if (!services.ok()) return reply->Send(ProblemFor(services.error(), req));
  Json list = Json::array();
  for (const Service& s : *services) {
    const ResourceTeam team = TeamOfService(s.id);
    if (!CanSee(CallerOf(*who), team)) continue;  // a hidden team's service
    Json j = ServiceToJson(s);
    j["team"] = TeamJson(team);
    list.push_back(std::move(j));
  }
  Json body = Json::object();
  body["services"] = std::move(list);
  reply->Send(JsonResponse(200, body));
}

void Api::CreateService(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));

  std::vector<FieldError> errors;
  auto id = OptionalStringField(*body, "id");
  auto name = OptionalStringField(*body, "name");
  if (!id.ok()) {
    errors.push_back({"/id", "must be a string"});
  } else if (!IsValidServiceId(*id)) {
    errors.push_back({"/id", id->empty() ? "is required"
                                         : "must be 1-63 characters of a-z, 0-9, '-' or '_', "
                                           "starting with a letter or digit"});
  }
  if (!name.ok()) {
    errors.push_back({"/name", "must be a string"});
  } else if (name->size() > kMaxNameLength) {
    errors.push_back({"/name", "must be at most 200 characters"});
  }
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("invalid service", std::move(errors)), req));
  }
  auto settings = ParseSettings(*body);
  if (!settings.ok()) return reply->Send(ProblemFor(settings.error(), req));

  Service service;
  service.id = std::move(*id);
  service.name = name->empty() ? service.id : std::move(*name);
  service.created_at = clock_.Now();
  service.settings = std::move(*settings);
  // The key is shown once, in this answer; only its hash is stored.
  std::string key = RandomHex(16);
  std::string key_hash = Sha256Hex(key);
  std::string instance(req.path);
  std::string service_name = service.name;
  // The callback runs on the store's writer thread: it must not call back into the store.
  store_.CreateService(
      std::move(service), std::move(key_hash),
      [this, reply = std::move(reply), key = std::move(key), name = std::move(service_name),
       instance = std::move(instance)](Result<IntegrationKey> out) {
        const Request where = RequestAt(Method::kPost, instance);
        if (!out.ok()) return reply->Send(ProblemFor(out.error(), where));
        InvalidateKeyCache();
        Json body = Json::object();
        body["id"] = out->service_id;
        body["name"] = name;
        body["integration_key"] = key;
        reply->Send(JsonResponse(201, body));
      });
}

void Api::CreateToken(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));

  std::vector<FieldError> errors;
  auto name = OptionalStringField(*body, "name");
  auto role_text = OptionalStringField(*body, "role");
  auto user = OptionalStringField(*body, "user");  // bound: the token acts as this user
  Role role = Role::kViewer;
  if (!name.ok()) {
    errors.push_back({"/name", "must be a string"});
  } else if (name->empty()) {
    errors.push_back({"/name", "is required"});
  } else if (name->size() > kMaxNameLength) {
    errors.push_back({"/name", "must be at most 200 characters"});
  } else if (HasControlCharacter(*name)) {
    errors.push_back({"/name", "must not contain control characters (newline, tab, NUL, ...)"});
  }
  if (!role_text.ok() || !ParseRole(*role_text, &role)) {
    errors.push_back({"/role", "must be one of owner, admin, responder, viewer, calendar"});
  } else if (role == Role::kOwner && !Allowed(CallerOf(*who), Action::kOwn, {})) {
    return reply->Send(
        ProblemFor(Error::PermissionDenied(
                       "this needs role owner: only an owner may create a token with role owner"),
                   req));
  }
  if (!user.ok() || (!user->empty() && !config::IsValidUserId(*user))) {
    errors.push_back({"/user", "must be a user id"});
  }
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("invalid token request", std::move(errors)), req));
  }
  // Shown once, in this answer; only its hash is stored.
  std::string token = "loo_" + RandomHex(24);
  std::string token_hash = Sha256Hex(token);
  std::string instance(req.path);
  auto answer = [reply = std::move(reply), token = std::move(token),
                 instance = std::move(instance)](Result<ApiToken> out) {
    if (!out.ok()) {
      Error e = out.error();
      if (e.code == ErrorCode::kNotFound)
        e = Error::Invalid(e.message, {{"/user", "is not a user"}});
      return reply->Send(ProblemFor(e, RequestAt(Method::kPost, instance)));
    }
    Json body = Json::object();
    body["id"] = out->id;
    body["name"] = out->name;
    body["role"] = RoleName(out->role);
    body["user"] = out->user.empty() ? Json(nullptr) : Json(out->user);
    body["token"] = token;
    body["created_at"] = FormatRfc3339(out->created_at);
    reply->Send(JsonResponse(201, body));
  };
  if (user->empty()) {
    store_.CreateToken(std::move(*name), role, std::move(token_hash), std::move(answer));
  } else {
    store_.CreateBoundToken(std::move(*name), role, std::move(*user), std::move(token_hash),
                            std::move(answer));
  }
}

void Api::Health(const Request&, const PathParams&, Reply reply) {
  Json body = Json::object();
  body["ok"] = true;
  body["version"] = options_.version;
  reply->Send(JsonResponse(200, body));
}

void Api::Ready(const Request&, const PathParams&, Reply reply) {
  const bool draining = draining_.load(std::memory_order_relaxed);
  const bool store_ok = store_.Writable().ok();
  Json checks = Json::object();
  checks["http"] = draining ? "draining" : "ok";
  checks["store"] = store_ok ? "ok" : "error";
  Json body = Json::object();
  body["ok"] = store_ok && !draining;
  body["checks"] = std::move(checks);
  Response r = JsonResponse(store_ok && !draining ? 200 : 503, body);
  if (r.status == 503) r.retry_after_seconds = 1;
  reply->Send(std::move(r));
}

void Api::MetricsText(const Request&, const PathParams&, Reply reply) {
  auto stats = store_.Stats();
  const bool writable = store_.Writable().ok();
  Response r;
  r.content_type = kMetricsContentType;
  std::optional<EngineStats> engine;
  if (engine_stats_) engine = engine_stats_();
  r.body = metrics_.Render(stats.ok() ? &*stats : nullptr, writable, engine ? &*engine : nullptr);
  // Left out when the store cannot be read (the store figures above say so).
  if (auto heartbeats = store_.ListHeartbeats(); heartbeats.ok()) {
    r.body += RenderHeartbeatMetrics(*heartbeats, clock_.Now());
  }
  reply->Send(std::move(r));
}

void Api::AdminStatus(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);  // a token of role admin (routes.cc)
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));

  Json store = Json::object();
  Status writable = store_.Writable();
  store["writable"] = writable.ok();
  store["error"] = writable.ok() ? Json(nullptr) : Json(writable.error().message);
  Json incidents_open = Json::object();
  auto stats = store_.Stats();
  if (stats.ok()) {
    store["outbox_depth"] = stats->outbox_depth;
    store["pending_deadlines"] = stats->pending_deadlines;
    store["writer_queue_depth"] = stats->writer_queue_depth;
    store["commits"] = stats->commits;
    store["committed_commands"] = stats->committed_commands;
    for (int s = 1; s <= 4; ++s) {
      incidents_open[SeverityName(static_cast<Severity>(s))] =
          stats->open_incidents_by_severity[s - 1];
    }
  } else {
    store["stats_error"] = stats.error().message;
  }

  Json events = Json::object();
  for (size_t endpoint = 0; endpoint < metrics_.endpoint_count(); ++endpoint) {
    Json counts = Json::object();
    for (size_t o = 0; o < kEventOutcomeCount; ++o) {
      auto outcome = static_cast<EventOutcome>(o);
      counts[EventReasonLabel(outcome)] = metrics_.EventCount(endpoint, outcome);
    }
    events[std::string(metrics_.endpoint_label(endpoint))] = std::move(counts);
  }

  Json http = Json::object();
  http["connections_open"] = metrics_.connections_open();

  Json body = Json::object();
  body["version"] = options_.version;
  body["uptime_seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now() - started_at_).count();
  body["store"] = std::move(store);
  body["incidents_open"] = std::move(incidents_open);
  body["events"] = std::move(events);
  body["http"] = std::move(http);
  reply->Send(JsonResponse(200, body));
}

}  // namespace loom::http
