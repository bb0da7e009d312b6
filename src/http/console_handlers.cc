// The web console (docs/console.md): its static files under /ui/, sign-in and sign-out at
// /ui/session, and Api::Authorize, through which every native route accepts either a bearer
// token or a console session cookie (state changes with the cookie need the CSRF token and the
// server's own origin, http/session.h).

#include <chrono>

#include "common/time_format.h"
#include "http/api.h"
#include "http/console_assets.h"
#include "http/console_responses.h"
#include "http/handler_util.h"
#include "http/query.h"
#include "http/session.h"

namespace loom::http {
namespace {

// Scripts, styles and requests only from this server; nothing inline, no frames, no plugins.
constexpr char kConsoleCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void AddConsoleHeaders(Response& r) {
  r.headers.emplace_back("Content-Security-Policy", kConsoleCsp);
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  // Small files compiled into the binary: revalidating costs little and never serves a stale
  // console after an upgrade.
  r.headers.emplace_back("Cache-Control", "no-cache");
}

Response AssetResponse(const ConsoleAsset& asset) {
  Response r;
  r.content_type = std::string(asset.content_type);
  r.body = std::string(asset.body);
  AddConsoleHeaders(r);
  return r;
}

}  // namespace

Json SessionJson(const ConsoleSession& s) {
  Json j = Json::object();
  // `user`: the person ("" for an API token's session); `name`: the person's display name
  // (GetSession fills it in; the user id until then) or the token's name; `teams`: the person's
  // team ids (none until teams exist).
  j["user"] = s.principal.user;
  j["name"] = s.principal.name;
  Json teams = Json::array();
  for (const auto& [team, role] : s.principal.team_roles) teams.push_back(team);
  j["teams"] = std::move(teams);
  j["role"] = RoleName(s.principal.role);
  j["actor"] = s.principal.actor();
  j["csrf_token"] = s.csrf_token;
  j["expires_at"] = FormatRfc3339(s.expires_at);
  j["can_write"] = PermissionsOf(s.principal).can_write;
  return j;
}

Response NoStore(Response r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response SignedInResponse(const SessionStore::Created& created, const Json& body, TimePoint now,
                          bool tls) {
  const int64_t max_age =
      std::chrono::duration_cast<std::chrono::seconds>(created.session.expires_at - now).count();
  Response r = NoStore(JsonResponse(200, body));
  r.headers.emplace_back("Set-Cookie", SessionSetCookie(created.id, max_age, tls));
  return r;
}

Result<std::string> FormField(std::string_view body, const char* key) {
  size_t first = body.find_first_not_of(" \t\r\n");
  std::string value;
  if (first != std::string_view::npos && body[first] == '{') {
    auto doc = ParseObjectBody(body, /*allow_empty=*/false);
    if (!doc.ok()) return std::move(doc).error();
    auto field = OptionalStringField(*doc, key);
    if (!field.ok()) return std::move(field).error();
    value = std::move(*field);
  } else {
    value = QueryParams(body).Get(key).value_or("");
  }
  if (value.empty()) {
    return Error::Invalid(std::string(key) + " is required",
                          {{"/" + std::string(key), "is required"}});
  }
  return value;
}

Result<std::optional<ConsoleSession>> Api::CookieSession(const Request& req) {
  return sessions_.Find(CookieValue(req.cookie, kSessionCookieName));
}

Result<Principal> Api::Authorize(const Request& req, Role need) {
  if (req.caller != nullptr && RoleAllows(req.caller->role, need)) return *req.caller;
  if (!req.authorization.empty()) return auth_.Require(req.authorization, need);
  std::string_view id = CookieValue(req.cookie, kSessionCookieName);
  if (id.empty()) return auth_.Require(req.authorization, need);  // "missing bearer token"
  auto session = sessions_.Find(id);
  if (!session.ok()) return std::move(session).error();
  if (!session->has_value()) {
    return Error::Unauthenticated("the console session has expired: sign in again");
  }
  if (IsStateChanging(req.method)) {
    Status csrf = CheckCsrf(req, **session);
    if (!csrf.ok()) return std::move(csrf).error();
  }
  if (!RoleAllows((*session)->principal.role, need)) {
    return Error::PermissionDenied(std::string("this needs role ") + RoleName(need) +
                                   "; you are signed in with role " +
                                   RoleName((*session)->principal.role));
  }
  return (*session)->principal;
}

void Api::RedirectToConsole(const Request&, const PathParams&, Reply reply) {
  Response r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "See /ui/\n";
  r.headers.emplace_back("Location", "/ui/");
  reply->Send(std::move(r));
}

void Api::ConsoleIndex(const Request&, const PathParams&, Reply reply) {
  reply->Send(AssetResponse(*FindConsoleAsset("index.html")));
}

void Api::ConsoleFile(const Request& req, const PathParams& params, Reply reply) {
  const ConsoleAsset* asset = FindConsoleAsset(params.Get("file"));
  if (asset == nullptr) {
    return reply->Send(
        ProblemFor(Error::NotFound("no console file " + std::string(params.Get("file"))), req));
  }
  reply->Send(AssetResponse(*asset));
}

void Api::GetSession(const Request& req, const PathParams&, Reply reply) {
  auto session = CookieSession(req);
  if (!session.ok()) return reply->Send(NoStore(ProblemFor(session.error(), req)));
  if (!session->has_value()) {
    return reply->Send(NoStore(ProblemFor(Error::Unauthenticated("not signed in"), req)));
  }
  Json body = SessionJson(**session);
  if (!(*session)->principal.user.empty()) {
    // A person: their display name (the user id when the store has none).
    auto account = store_.GetAccount((*session)->principal.user);
    if (!account.ok()) return reply->Send(NoStore(ProblemFor(account.error(), req)));
    if (account->has_value() && !(**account).name.empty()) body["name"] = (**account).name;
  }
  reply->Send(NoStore(JsonResponse(200, body)));
}

void Api::CreateSession(const Request& req, const PathParams&, Reply reply) {
  // Login CSRF: another site must not sign a browser in with a token of its choosing.
  Status origin = CheckSameOrigin(req);
  if (!origin.ok()) return reply->Send(NoStore(ProblemFor(origin.error(), req)));
  auto token = FormField(req.body, "token");
  if (!token.ok()) return reply->Send(NoStore(ProblemFor(token.error(), req)));
  auto who = auth_.AuthenticateToken(*token);
  if (!who.ok()) {
    Error e = who.error();
    if (e.code == ErrorCode::kUnauthenticated) {
      e = Error{ErrorCode::kUnauthenticated,
                "this token is not valid",
                {{"/token", "is not a valid API token"}}};
    }
    return reply->Send(NoStore(ProblemFor(e, req)));
  }
  if (!RoleAllows(who->role, Role::kViewer)) {
    return reply->Send(
        NoStore(ProblemFor(Error{ErrorCode::kPermissionDenied,
                                 "a calendar token cannot sign in to the console",
                                 {{"/token", "needs role viewer, responder or admin"}}},
                           req)));
  }
  // A token's session (a token bound to a user too) is kept in memory: no store write to wait for.
  auto created = sessions_.CreateForToken(std::move(*who));
  if (!created.ok()) return reply->Send(NoStore(ProblemFor(created.error(), req)));
  reply->Send(SignedInResponse(*created, SessionJson(created->session), clock_.Now(), req.tls));
}

void Api::DeleteSession(const Request& req, const PathParams&, Reply reply) {
  std::string_view id = CookieValue(req.cookie, kSessionCookieName);
  auto session = sessions_.Find(id);
  if (!session.ok()) return reply->Send(NoStore(ProblemFor(session.error(), req)));
  const bool tls = req.tls;
  auto signed_out = [reply, tls] {
    Response r = NoStore(JsonResponse(200, Json{{"signed_out", true}}));
    r.headers.emplace_back("Set-Cookie", SessionSetCookie("", 0, tls));
    reply->Send(std::move(r));
  };
  if (!session->has_value()) return signed_out();
  Status csrf = CheckCsrf(req, **session);
  if (!csrf.ok()) return reply->Send(NoStore(ProblemFor(csrf.error(), req)));
  // Answered once the session is gone from the store: no request after the answer finds it.
  std::string instance(req.path);
  sessions_.Remove(id, [reply, instance, signed_out](Result<bool> gone) {
    if (!gone.ok()) {
      return reply->Send(NoStore(ProblemFor(gone.error(), RequestAt(Method::kPost, instance))));
    }
    signed_out();
  });
}

}  // namespace loom::http
