#include "http/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "common/crypto.h"
#include "core/security_playbook.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "ingest/json_input.h"
#include "store/database_error.h"

namespace loom::http {

// ---- handler_util.h ----

Response JsonResponse(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = DumpJson(body);
  return r;
}

Request RequestAt(Method method, std::string_view path) {
  Request r;
  r.method = method;
  r.target = path;
  r.path = path;
  return r;
}

void LogRequestError(const Error& error, const Request& request) {
  // A one-click link's path is a credential: never logged.
  std::string_view path = request.path.starts_with("/a/") ? "/a/{token}" : request.path;
  spdlog::error("{} {}: {}: {}", MethodName(request.method), path, ErrorCodeName(error.code),
                error.message);
}

Response ProblemFor(const Error& error, const Request& request) {
  // The database's own errors are logged by ProblemResponse (ClientViewOf), once a minute.
  if (error.code == ErrorCode::kInternal && !IsDatabaseError(error)) {
    LogRequestError(error, request);
  }
  return ProblemResponse(error, request.path);
}

Result<nlohmann::json> ParseObjectBody(std::string_view body, bool allow_empty) {
  if (ingest::IsBlank(body)) {
    if (allow_empty) return nlohmann::json::object();
    return Error::Invalid("the request body must be a JSON object", {{"", "body is empty"}});
  }
  nlohmann::json doc;
  switch (ingest::ParseJsonBody(body, &doc)) {
    case ingest::JsonBodyStatus::kMalformed:
      return Error::Invalid("the request body is not valid JSON", {{"", "malformed JSON"}});
    case ingest::JsonBodyStatus::kTooDeep:
      return Error::Invalid("the request body nests too deeply", {{"", "nesting too deep"}});
    case ingest::JsonBodyStatus::kOk: break;
  }
  if (!doc.is_object()) {
    return Error::Invalid("the request body must be a JSON object", {{"", "not a JSON object"}});
  }
  return doc;
}

Result<std::string> OptionalStringField(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return Error::Invalid(std::string(key) + " must be a string",
                          {{std::string("/") + key, "must be a string"}});
  }
  return it->get<std::string>();
}

int RetryAfterSeconds(int64_t micros) {
  int64_t s = (micros + 999'999) / 1'000'000;
  return s < 1 ? 1 : static_cast<int>(s);
}

// ---- Api ----

Api::Api(Store& store, const Clock& clock, std::string admin_token_hash, ApiOptions options,
         std::shared_ptr<const SeverityPolicy> policy, OnCallDeps oncall,
         std::function<EngineStats()> engine_stats, std::shared_ptr<const LinkSigner> links,
         std::shared_ptr<ProbeRunner> probes, std::shared_ptr<oidc::SignOn> sign_on,
         IncidentStore* incident_writes)
    : store_(store),
      incident_writes_(incident_writes != nullptr ? *incident_writes : store),
      clock_(clock),
      options_(std::move(options)),
      policy_(std::move(policy)),
      started_at_(clock.Now()),
      metrics_(RouteLabels()),
      // Both read people's teams from the roster (before roster_ takes it over).
      auth_(store, clock, std::move(admin_token_hash), &store, oncall.roster),
      sessions_(clock,
                SessionOptions{.idle = options_.accounts.session_idle,
                               .absolute = options_.accounts.session_absolute},
                &store, oncall.roster),
      limiter_(clock),
      roster_(std::move(oncall.roster)),
      engine_stats_(std::move(engine_stats)),
      links_(std::move(links)),
      probes_(std::move(probes)),
      rebuild_roster_(std::move(oncall.rebuild)),
      stored_overrides_(std::move(oncall.stored_overrides)),
      sign_on_(std::move(sign_on)),
      sso_jobs_(sign_on_ ? std::make_unique<JobThread>() : nullptr),
      drill_notes_(options_.drills.dir),
      drills_(store, clock, options_.drills, DrillAnchor(), drill_notes_,
              [this](const std::string& id) {
                const std::shared_ptr<const OnCallSnapshot> oncall =
                    roster_ ? roster_->Current() : nullptr;
                return oncall != nullptr && oncall->FindUser(id) != nullptr;
              }),
      sign_in_limiter_(clock, options_.accounts.sign_in),
      reset_limiter_(clock, options_.accounts.reset_requests) {
  const auto& routes = Routes();
  for (size_t i = 0; i < routes.size(); ++i) {
    router_.Add(routes[i].method, routes[i].pattern, static_cast<int>(i));
  }
}

RouteMatch Api::Match(Method method, std::string_view path) const {
  return router_.Match(method, path);
}

size_t Api::BodyLimit(const RouteMatch& match) const {
  if (match.status == RouteMatch::Status::kFound &&
      Routes()[static_cast<size_t>(match.route_id)].format != nullptr) {
    return options_.ingest_body_limit;
  }
  // An evidence upload carries up to kMaxEvidenceBytes as base64 (4/3), plus its other fields.
  if (match.status == RouteMatch::Status::kFound &&
      Routes()[static_cast<size_t>(match.route_id)].handler == &Api::AddEvidence) {
    return std::max(options_.api_body_limit, (kMaxEvidenceBytes + 2) / 3 * 4 + 64 * 1024);
  }
  return options_.api_body_limit;
}

namespace {

std::string SizeText(size_t bytes) {
  if (bytes % 1024 == 0 && bytes >= 1024) {
    if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
    return std::to_string(bytes / 1024) + " KiB";
  }
  return std::to_string(bytes) + " bytes";
}

}  // namespace

Response Api::PayloadTooLarge(const RouteMatch& match, std::string_view path) {
  const size_t limit = BodyLimit(match);
  Error error{ErrorCode::kPayloadTooLarge,
              "the request body is larger than the limit of " + SizeText(limit),
              {}};
  Response r;
  if (match.status == RouteMatch::Status::kFound) {
    const RouteInfo& route = Routes()[static_cast<size_t>(match.route_id)];
    if (route.format != nullptr) metrics_.CountEvent(route.endpoint, EventOutcome::kTooLarge);
    if (route.format != nullptr && route.format->error_style == ErrorStyle::kPagerDuty) {
      error.message = "Request body is larger than " + SizeText(limit);
      r = PagerDutyError(error);
    } else {
      r = ProblemResponse(error, path);
    }
  } else {
    r = ProblemResponse(error, path);
  }
  r.close = true;
  return r;
}

void Api::Handle(const RouteMatch& match, const Request& request, Reply reply) {
  switch (match.status) {
    case RouteMatch::Status::kNotFound:
      reply->Send(ProblemResponse(Error::NotFound("no route for " + std::string(request.path)),
                                  request.path));
      return;
    case RouteMatch::Status::kMethodNotAllowed:
      reply->Send(MethodNotAllowedProblem(request.path, match.allow));
      return;
    case RouteMatch::Status::kFound: break;
  }
  const RouteInfo& route = Routes()[static_cast<size_t>(match.route_id)];
  try {
    if (route.format != nullptr) {
      Ingest(route, request, reply);
    } else if (!route.access.CheckedByRouter()) {
      (this->*route.handler)(request, match.params, reply);
    } else {
      // The table's access, checked here for every route that names one (route_access.h).
      Result<Principal> who = AdmitCaller(route.access, request);
      if (!who.ok()) return reply->Send(ProblemFor(who.error(), request));
      Request admitted = request;
      admitted.caller = &*who;
      (this->*route.handler)(admitted, match.params, reply);
    }
  } catch (const std::exception& e) {
    // A second Send is ignored, so this is harmless if the handler already answered.
    Error error = Error::Internal(std::string("unexpected exception: ") + e.what());
    LogRequestError(error, request);
    if (route.format != nullptr && route.format->error_style == ErrorStyle::kPagerDuty) {
      reply->Send(PagerDutyError(error));
    } else {
      reply->Send(ProblemResponse(error, request.path));
    }
  }
}

Result<Principal> Api::AdmitCaller(const RouteAccess& access, const Request& req) {
  switch (access.credential) {
    case Credential::kCaller: return Authorize(req, access.Floor());
    case Credential::kCalendarFeed: return RequireCalendarReader(req);
    case Credential::kAdminToken:
      return auth_.Require(req.authorization, access.Floor(), req.admin_token);
    default: break;
  }
  return Error::Internal(std::string("the route's credential is its handler's: ") +
                         CredentialName(access.credential));
}

Result<Principal> Api::RouteCaller(const Request& req) {
  if (req.caller == nullptr) return Error::Internal("the route has no caller checked by the table");
  return *req.caller;
}

Result<const Api::ResolvedKey*> Api::ResolveKey(std::string_view key) {
  std::string hash = Sha256Hex(key);
  const int64_t now = ToUnixMicros(clock_.Now());
  const uint64_t generation = key_generation_.load(std::memory_order_relaxed);
  KeyCache& cache = key_cache_.Local();
  auto it = cache.find(hash);
  if (it != cache.end() && it->second.expires_us > now && it->second.generation == generation) {
    return &it->second;
  }
  auto found = store_.FindIntegrationKey(hash);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) {
    if (it != cache.end()) cache.erase(it);
    return static_cast<const ResolvedKey*>(nullptr);
  }
  const IntegrationKey& ik = **found;
  auto service = store_.GetService(ik.service_id);
  if (!service.ok()) return std::move(service).error();
  if (!service->has_value()) {
    return Error::Internal("integration key " + ik.prefix + "... belongs to missing service '" +
                           ik.service_id + "'");
  }
  if (it == cache.end() && cache.size() >= kKeyCacheMaxEntries) cache.clear();
  ResolvedKey& entry = cache[hash];
  entry.key_id = ik.id;
  entry.service_id = ik.service_id;
  entry.settings = std::move((*service)->settings);
  entry.bucket = limiter_.BucketFor(ik.id);
  entry.expires_us = now + kKeyCacheTtlMicros;
  entry.generation = generation;
  return &entry;
}

}  // namespace loom::http
