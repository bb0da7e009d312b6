// Single sign-on with OpenID Connect (docs/authentication.md "Single sign-on"): the console asks
// GET /ui/auth/methods which sign-in methods exist; GET /ui/auth/oidc/start sends the browser to
// the provider with a state cookie; GET /ui/auth/oidc/callback checks the provider's answer
// (oidc/sign_on.h), matches the person to a configured user (oidc/identity.h), creates a console
// session and redirects to /ui/. Every refusal is a small HTML page that says why (never a
// secret) and creates no session. The network calls run on sso_jobs_, off the I/O threads.

#include <spdlog/spdlog.h>

#include "common/html.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/link_pages.h"
#include "http/query.h"
#include "http/session.h"
#include "oidc/identity.h"
#include "oidc/sign_on.h"

namespace loom::http {
namespace {

// Holds the sign-in's state in the browser that started it; sent only to the callback, and on
// the provider's top-level redirect back (SameSite=Lax, not Strict).
constexpr std::string_view kStateCookieName = "loom_oidc_state";
constexpr std::string_view kStateCookiePath = "/ui/auth/oidc/";

std::string StateCookie(std::string_view state, int64_t max_age_seconds, bool secure) {
  std::string cookie(kStateCookieName);
  cookie += "=";
  cookie += state;
  cookie += "; Path=" + std::string(kStateCookiePath) +
            "; Max-Age=" + std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Lax";
  if (secure) cookie += "; Secure";
  return cookie;
}

// The page of a sign-in that did not happen: 503 when the provider is away, 404 when single
// sign-on is off, else 403. The state cookie is cleared: a new sign-in starts afresh.
Response RefusalPage(const Error& error, bool tls) {
  int status = 403;
  std::string title = "Sign-in refused";
  if (error.code == ErrorCode::kUnavailable) {
    status = 503;
    title = "Single sign-on is unavailable";
  } else if (error.code == ErrorCode::kNotFound) {
    status = 404;
    title = "Single sign-on is not configured";
  } else if (error.code != ErrorCode::kPermissionDenied) {
    status = HttpStatusFor(error.code);
  }
  Response r = LinkPage(status, title,
                        "<p>" + EscapeHtml(error.message) +
                            ".</p>\n<p><a href=\"/ui/\">Back to the sign-in page</a></p>");
  r.headers.emplace_back("Set-Cookie", StateCookie("", 0, tls));
  return r;
}

Response Redirect(const std::string& location) {
  Response r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "See " + location + "\n";
  r.headers = {
      {"Location", location}, {"Cache-Control", "no-store"}, {"Referrer-Policy", "no-referrer"}};
  return r;
}

}  // namespace

void Api::AuthMethods(const Request&, const PathParams&, Reply reply) {
  Json body = {{"token", true}, {"oidc", nullptr}};
  if (sign_on_) {
    body["oidc"] = {{"name", sign_on_->DisplayName()}, {"start", "/ui/auth/oidc/start"}};
  }
  Response r = JsonResponse(200, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  reply->Send(std::move(r));
}

void Api::OidcStart(const Request& req, const PathParams&, Reply reply) {
  if (!sign_on_) {
    return reply->Send(RefusalPage(Error::NotFound("this server has no auth.oidc"), req.tls));
  }
  sso_jobs_->Post([this, tls = req.tls, reply = std::move(reply)] {
    Result<oidc::SignOn::Redirect> started = sign_on_->Start();
    if (!started.ok()) {
      spdlog::warn("single sign-on: cannot start: {}", started.error().message);
      return reply->Send(RefusalPage(started.error(), tls));
    }
    Response r = Redirect(started->url);
    r.headers.emplace_back("Set-Cookie",
                           StateCookie(started->state,
                                       std::chrono::duration_cast<std::chrono::seconds>(
                                           oidc::PendingLogins::kDefaultTtl)
                                           .count(),
                                       tls));
    reply->Send(std::move(r));
  });
}

void Api::OidcCallback(const Request& req, const PathParams&, Reply reply) {
  if (!sign_on_) {
    return reply->Send(RefusalPage(Error::NotFound("this server has no auth.oidc"), req.tls));
  }
  QueryParams query(req.query);
  oidc::SignOn::Callback callback{query.Get("code").value_or(""), query.Get("state").value_or(""),
                                  query.Get("error").value_or(""),
                                  std::string(CookieValue(req.cookie, kStateCookieName))};
  sso_jobs_->Post([this, tls = req.tls, callback = std::move(callback), reply = std::move(reply)] {
    Result<nlohmann::json> claims = sign_on_->Finish(callback);
    Result<std::string> user = claims.ok() ? Result<std::string>("") : claims.error();
    if (claims.ok()) {
      const auto oncall = roster_ ? roster_->Current() : EmptyOnCallSnapshot();
      user = oidc::MatchUser(*claims, sign_on_->config().claim_user, oncall->users);
    }
    if (!user.ok()) {
      spdlog::info("single sign-on refused: {}", user.error().message);
      return reply->Send(RefusalPage(user.error(), tls));
    }
    const oidc::Grants grants =
        oidc::GrantsForGroups(oidc::ClaimStrings(*claims, sign_on_->config().claim_groups),
                              sign_on_->config().group_roles);
    Principal person;
    person.name = *user;
    person.user = *user;
    person.role = grants.role;
    person.team_roles = grants.team_roles;
    // On this job thread: a person's session is one store write (SessionStore::Create).
    Result<SessionStore::Created> created =
        sessions_.Create(std::move(person), /*sso_grants=*/true);
    if (!created.ok()) {
      spdlog::error("single sign-on: storing the session of {}: {}", *user,
                    created.error().message);
      return reply->Send(RefusalPage(created.error(), tls));
    }
    spdlog::info("single sign-on: user {} signed in", *user);
    const int64_t max_age =
        std::chrono::duration_cast<std::chrono::seconds>(created->session.expires_at - clock_.Now())
            .count();
    Response r = Redirect("/ui/");
    r.headers.emplace_back("Set-Cookie", SessionSetCookie(created->id, max_age, tls));
    r.headers.emplace_back("Set-Cookie", StateCookie("", 0, tls));
    reply->Send(std::move(r));
  });
}

}  // namespace loom::http
