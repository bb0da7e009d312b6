// People (docs/authentication.md, docs/api.md "Users and sign-in"): users created through the
// API, local passwords, signing in and out of the console, and password reset links.
//
// Passwords are hashed and checked on accounts_jobs_ (Argon2id takes ~0.1 s and 64 MiB), never
// on an I/O thread, and never logged. A failed sign-in says the same for an unknown user, a user
// without a password and a wrong password, and costs the same time (BurnPasswordVerify). Failed
// attempts are braked per user name and per client address (sign_in_limiter_); a reset request
// always answers the same, whether a mail goes out or not.

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "accounts/password_hash.h"
#include "accounts/person_principal.h"
#include "common/crypto.h"
#include "common/html.h"
#include "common/time_format.h"
#include "config/value_checks.h"
#include "http/api.h"
#include "http/console_responses.h"
#include "http/handler_util.h"
#include "http/link_pages.h"
#include "http/query.h"

namespace loom::http {
namespace {

constexpr char kSignInRefused[] = "unknown user or wrong password";

Error LocalSignInOff() {
  return Error::PermissionDenied(
      "local sign-in is switched off on this server (auth.local: false): use single sign-on");
}

// A reset token is stored as SHA-256 of "<user>:<token>", so that a token only works for the
// user it was made for.
std::string ResetTokenHash(std::string_view user, std::string_view token) {
  std::string text(user);
  text += ':';
  text += token;
  return Sha256Hex(text);
}

// `teams`: the current snapshot's (for the default role of a person without one).
Json AccountJson(const StoredAccount& a, const TeamDirectory& teams) {
  Json j = Json::object();
  j["id"] = a.id;
  j["name"] = a.name;
  j["email"] = a.email.empty() ? Json(nullptr) : Json(a.email);
  j["role"] = RoleName(PersonPrincipal({a.id, a.role}, teams).role);
  j["source"] = a.configured ? "config" : "api";
  j["has_password"] = !a.password_hash.empty();
  return j;
}

Response TooMany(const Error& error, int retry_after, const Request& req) {
  Response r = NoStore(ProblemFor(error, req));
  r.retry_after_seconds = retry_after;
  return r;
}

// The checks a sign-in form (POST /ui/login, /ui/password-reset) passes before anything else:
// the server's own origin (login CSRF: another site must not sign a browser in as a person of its
// choosing), local sign-in switched on, a `user` field, and `limiter`'s brake for that user from
// that address. The user, or nullopt once the refusal is sent.
std::optional<std::string> AdmitSignInForm(const Request& req, bool local, SignInLimiter& limiter,
                                           const Reply& reply) {
  Status origin = CheckSameOrigin(req);
  if (!origin.ok()) {
    reply->Send(NoStore(ProblemFor(origin.error(), req)));
    return std::nullopt;
  }
  if (!local) {
    reply->Send(NoStore(ProblemFor(LocalSignInOff(), req)));
    return std::nullopt;
  }
  auto user = FormField(req.body, "user");
  if (!user.ok()) {
    reply->Send(NoStore(ProblemFor(user.error(), req)));
    return std::nullopt;
  }
  int retry = 0;
  Status braked = limiter.Check(*user, req.client_address, &retry);
  if (!braked.ok()) {
    reply->Send(TooMany(braked.error(), retry, req));
    return std::nullopt;
  }
  return std::move(*user);
}

// The page a reset link opens: a form that POSTs the new password to the same URL.
Response ResetFormPage(std::string_view user, std::string_view message_html) {
  std::string body(message_html);
  body += "<form method=\"post\"><p><label>New password for <b>" + EscapeHtml(user) +
          "</b><br><input type=\"password\" name=\"password\" autocomplete=\"new-password\" "
          "minlength=\"" +
          std::to_string(kMinPasswordLength) +
          "\" required></label></p><p><label>Again<br><input type=\"password\" name=\"confirm\" "
          "autocomplete=\"new-password\" required></label></p><p><button type=\"submit\">Set "
          "password</button></p></form>";
  return LinkPage(200, "Set a new password", body);
}

}  // namespace

void Api::CreateUser(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  std::vector<FieldError> errors;
  StoredAccount account;
  auto id = OptionalStringField(*body, "id");
  auto name = OptionalStringField(*body, "name");
  auto email = OptionalStringField(*body, "email");
  auto role = OptionalStringField(*body, "role");
  auto password = OptionalStringField(*body, "password");
  if (!id.ok() || !config::IsValidUserId(*id)) {
    errors.push_back({"/id", "must match [a-z0-9][a-z0-9._-]{0,62}"});
  } else {
    account.id = *id;
  }
  if (!name.ok() || name->size() > 200) {
    errors.push_back({"/name", "must be a string of at most 200 characters"});
  } else {
    account.name = name->empty() ? account.id : *name;
  }
  if (!email.ok() || (!email->empty() && email->find('@') == std::string::npos)) {
    errors.push_back({"/email", "must be an e-mail address"});
  } else {
    account.email = *email;
  }
  if (!role.ok()) {
    errors.push_back({"/role", "must be one of admin, responder, viewer"});
  } else if (!role->empty()) {
    Role parsed = Role::kViewer;
    if (!ParseRole(*role, &parsed) || parsed == Role::kCalendar) {
      errors.push_back({"/role", "must be one of admin, responder, viewer"});
    } else {
      account.role = parsed;
    }
  }
  if (!password.ok()) {
    errors.push_back({"/password", "must be a string"});
  } else if (!password->empty()) {
    if (!options_.accounts.local) return reply->Send(ProblemFor(LocalSignInOff(), req));
    Status rules = CheckPasswordRules(*password);
    if (!rules.ok())
      errors.insert(errors.end(), rules.error().fields.begin(), rules.error().fields.end());
  }
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("invalid user", std::move(errors)), req));
  }
  std::string instance(req.path);
  accounts_jobs_.Post([this, account = std::move(account), password = std::move(*password),
                       instance = std::move(instance), reply = std::move(reply)]() mutable {
    const Request where = RequestAt(Method::kPost, instance);
    if (!password.empty()) {
      auto hash = HashPassword(password);
      if (!hash.ok()) return reply->Send(ProblemFor(hash.error(), where));
      account.password_hash = std::move(*hash);
    }
    store_.CreateAccount(std::move(account), [this, reply, instance](Result<StoredAccount> out) {
      if (!out.ok())
        return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
      // The roster learns the person before the answer, so that the next request (a follow-up
      // owned by them, their single sign-on) finds them; the account is stored either way.
      accounts_jobs_.Post([this, reply, account = std::move(out).value()] {
        Status rebuilt = RebuildContacts();
        if (!rebuilt.ok()) {
          spdlog::warn(
              "users: {} is stored; the on-call roster learns them at the next change or "
              "restart: {}",
              account.id, rebuilt.error().message);
        }
        reply->Send(JsonResponse(201, AccountJson(account, OnCallNow()->teams)));
      });
    });
  });
}

void Api::SetPassword(const Request& req, const PathParams& params, Reply reply) {
  if (!options_.accounts.local) return reply->Send(ProblemFor(LocalSignInOff(), req));
  const std::string user(params.Get("id"));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  auto password = OptionalStringField(*body, "password");
  auto current = OptionalStringField(*body, "current_password");
  auto reset = OptionalStringField(*body, "reset_token");
  if (!password.ok() || !current.ok() || !reset.ok()) {
    return reply->Send(ProblemFor(
        Error::Invalid("password, current_password and reset_token must be strings"), req));
  }
  Status rules = CheckPasswordRules(*password);
  if (!rules.ok()) return reply->Send(ProblemFor(rules.error(), req));
  std::string instance(req.path);
  const TimePoint now = clock_.Now();

  if (!reset->empty()) {
    // A reset token stands for the user: no other credential is needed.
    accounts_jobs_.Post([this, user, token = std::move(*reset), password = std::move(*password),
                         instance, now, reply = std::move(reply)] {
      const Request where = RequestAt(Method::kPut, instance);
      auto hash = HashPassword(password);
      if (!hash.ok()) return reply->Send(ProblemFor(hash.error(), where));
      store_.UsePasswordReset(
          ResetTokenHash(user, token), std::move(*hash), now,
          [reply, instance](Result<std::string> out) {
            const Request at = RequestAt(Method::kPut, instance);
            if (!out.ok()) {
              Error e = out.error();
              if (e.code == ErrorCode::kNotFound) {
                e = Error::Invalid(e.message,
                                   {{"/reset_token", "is used, expired or not this user's"}});
              }
              return reply->Send(ProblemFor(e, at));
            }
            reply->Send(JsonResponse(200, Json{{"user", *out}, {"password_set", true}}));
          });
    });
    return;
  }

  auto who = Authorize(req, Role::kViewer);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  const bool self = who->user == user;
  const bool admin = RoleAllows(who->role, Role::kAdmin);
  if (!self && !admin) {
    return reply->Send(
        ProblemFor(Error::PermissionDenied("only " + user +
                                           " (with their current password) or an admin "
                                           "(for a first password) may set this password"),
                   req));
  }
  std::string address(req.client_address);
  if (!current->empty() || !admin) {
    if (current->empty()) {
      return reply->Send(
          ProblemFor(Error::Invalid("current_password is required",
                                    {{"/current_password", "is required (or a reset_token)"}}),
                     req));
    }
    int retry = 0;
    Status braked = sign_in_limiter_.Check(user, address, &retry);
    if (!braked.ok()) return reply->Send(TooMany(braked.error(), retry, req));
  }
  accounts_jobs_.Post([this, user, current = std::move(*current), password = std::move(*password),
                       address = std::move(address), instance, reply = std::move(reply)] {
    const Request where = RequestAt(Method::kPut, instance);
    auto account = store_.GetAccount(user);
    if (!account.ok()) return reply->Send(ProblemFor(account.error(), where));
    if (!account->has_value()) {
      return reply->Send(ProblemFor(Error::NotFound("no user " + user), where));
    }
    if (!current.empty()) {
      if (!VerifyPassword((**account).password_hash, current)) {
        sign_in_limiter_.RecordFailure(user, address);
        return reply->Send(ProblemFor(Error{ErrorCode::kPermissionDenied,
                                            "the current password is wrong",
                                            {{"/current_password", "is not this user's password"}}},
                                      where));
      }
      sign_in_limiter_.RecordSuccess(user);
    } else if (!(**account).password_hash.empty()) {
      // An admin sets a first password only; after that the user changes it (or resets it).
      return reply->Send(ProblemFor(
          Error::Conflict(user + " has a password: they change it with their current password, "
                                 "or ask for a reset link"),
          where));
    }
    auto hash = HashPassword(password);
    if (!hash.ok()) return reply->Send(ProblemFor(hash.error(), where));
    store_.SetPasswordHash(user, std::move(*hash), [reply, user, instance](Result<bool> out) {
      if (!out.ok()) return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPut, instance)));
      reply->Send(JsonResponse(200, Json{{"user", user}, {"password_set", true}}));
    });
  });
}

void Api::SignIn(const Request& req, const PathParams&, Reply reply) {
  auto user = AdmitSignInForm(req, options_.accounts.local, sign_in_limiter_, reply);
  if (!user) return;
  auto password = FormField(req.body, "password");
  if (!password.ok()) return reply->Send(NoStore(ProblemFor(password.error(), req)));
  std::string address(req.client_address);
  std::string instance(req.path);
  const bool tls = req.tls;
  accounts_jobs_.Post([this, user = std::move(*user), password = std::move(*password),
                       address = std::move(address), instance, tls, reply = std::move(reply)] {
    const Request where = RequestAt(Method::kPost, instance);
    auto account = store_.GetAccount(user);
    if (!account.ok()) return reply->Send(NoStore(ProblemFor(account.error(), where)));
    bool match = false;
    if (account->has_value() && !(**account).password_hash.empty()) {
      match = VerifyPassword((**account).password_hash, password);
    } else {
      BurnPasswordVerify(password);  // the same time as a wrong password
    }
    if (!match) {
      sign_in_limiter_.RecordFailure(user, address);
      return reply->Send(NoStore(ProblemFor(
          Error{ErrorCode::kUnauthenticated, kSignInRefused, {{"/password", kSignInRefused}}},
          where)));
    }
    sign_in_limiter_.RecordSuccess(user);
    const StoredAccount& person = **account;
    auto created = sessions_.Create(PersonPrincipal({person.id, person.role}, OnCallNow()->teams));
    if (!created.ok()) return reply->Send(NoStore(ProblemFor(created.error(), where)));
    Json body = SessionJson(created->session);
    body["name"] = person.name.empty() ? person.id : person.name;
    reply->Send(SignedInResponse(*created, body, clock_.Now(), tls));
  });
}

void Api::SignOutEverywhere(const Request& req, const PathParams&, Reply reply) {
  auto session = CookieSession(req);
  if (!session.ok()) return reply->Send(NoStore(ProblemFor(session.error(), req)));
  if (!session->has_value()) {
    return reply->Send(NoStore(ProblemFor(Error::Unauthenticated("not signed in"), req)));
  }
  Status csrf = CheckCsrf(req, **session);
  if (!csrf.ok()) return reply->Send(NoStore(ProblemFor(csrf.error(), req)));
  const std::string& user = (*session)->principal.user;
  if (user.empty()) {
    // An API token's session: only this one exists to end.
    sessions_.Remove(CookieValue(req.cookie, kSessionCookieName));  // in memory: gone at once
    Response r = NoStore(JsonResponse(200, Json{{"signed_out", 1}}));
    r.headers.emplace_back("Set-Cookie", SessionSetCookie("", 0, req.tls));
    return reply->Send(std::move(r));
  }
  std::string instance(req.path);
  const bool tls = req.tls;
  sessions_.RemoveAllOf(user, [reply = std::move(reply), instance, tls](Result<int64_t> n) {
    if (!n.ok()) {
      return reply->Send(NoStore(ProblemFor(n.error(), RequestAt(Method::kPost, instance))));
    }
    Response r = NoStore(JsonResponse(200, Json{{"signed_out", *n}}));
    r.headers.emplace_back("Set-Cookie", SessionSetCookie("", 0, tls));
    reply->Send(std::move(r));
  });
}

void Api::RequestPasswordReset(const Request& req, const PathParams&, Reply reply) {
  auto user = AdmitSignInForm(req, options_.accounts.local, reset_limiter_, reply);
  if (!user) return;
  std::string address(req.client_address);
  // Every request counts: the brake bounds the mails one name or one address can cause.
  reset_limiter_.RecordFailure(*user, address);
  // The same answer whether a mail goes out or not, given before the work starts.
  accounts_jobs_.Post([this, user = std::move(*user)] { SendResetLink(user); });
  reply->Send(NoStore(JsonResponse(
      202, Json{{"requested", true},
                {"detail",
                 "if this user has an e-mail address in the configuration, a reset link is on "
                 "its way"}})));
}

void Api::SendResetLink(const std::string& user) {
  const std::string base = options_.accounts.public_url ? options_.accounts.public_url() : "";
  if (options_.accounts.mail == nullptr || base.empty() || !roster_) return;
  // Verified addresses only: the e-mail contact methods of a configured user.
  const std::shared_ptr<const OnCallSnapshot> oncall = roster_->Current();
  const User* person = oncall ? oncall->FindUser(user) : nullptr;
  if (person == nullptr) return;
  const ContactMethod* mail = nullptr;
  for (const ContactMethod& m : person->contact_methods) {
    if (m.type == "email" && !m.address.empty()) {
      mail = &m;
      break;
    }
  }
  if (mail == nullptr) return;
  const std::string token = RandomHex(32);
  const TimePoint now = clock_.Now();
  Result<bool> stored = AwaitWrite<bool>([&](auto done) {
    store_.CreatePasswordReset(ResetTokenHash(user, token), user, now + options_.accounts.reset_ttl,
                               done);
  });
  if (!stored.ok()) {
    LogRequestError(stored.error(), RequestAt(Method::kPost, "/ui/password-reset"));
    return;
  }
  const int64_t minutes =
      std::chrono::duration_cast<std::chrono::minutes>(options_.accounts.reset_ttl).count();
  Notice notice;
  notice.id = "password-reset-" + RandomHex(8);
  notice.type = "password-reset";
  notice.recipient = user;
  notice.recipient_name = person->name;
  notice.summary = "Set a new password for " + user;
  notice.detail =
      "Someone (hopefully you) asked to set a new password for your loom-oncall account " + user +
      ". Open this link within " + std::to_string(minutes) +
      " minutes to choose one; it works once:\n\n" + base + "/ui/reset/" + user + "/" + token +
      "\n\nIf you did not ask, ignore this mail: your password stays as it is.";
  notice.created_at = now;
  SendResult sent = options_.accounts.mail->Send(Destination{"email", mail->address, {}}, notice);
  if (sent.outcome != SendResult::Outcome::kDelivered) {
    LogRequestError(
        Error::Unavailable("the password reset mail for " + user + " was not sent: " + sent.error),
        RequestAt(Method::kPost, "/ui/password-reset"));
  }
}

void Api::ShowResetPage(const Request&, const PathParams& params, Reply reply) {
  if (!options_.accounts.local) {
    return reply->Send(LinkPage(403, "Local sign-in is off",
                                "<p>This server signs people in with single sign-on only.</p>"));
  }
  reply->Send(ResetFormPage(params.Get("user"), ""));
}

void Api::UseResetPage(const Request& req, const PathParams& params, Reply reply) {
  if (!options_.accounts.local) {
    return reply->Send(LinkPage(403, "Local sign-in is off",
                                "<p>This server signs people in with single sign-on only.</p>"));
  }
  Status origin = CheckSameOrigin(req);
  if (!origin.ok()) return reply->Send(LinkPage(403, "Refused", "<p>Cross-origin form.</p>"));
  const std::string user(params.Get("user"));
  const std::string token(params.Get("token"));
  QueryParams form(req.body);
  const std::string password = form.Get("password").value_or("");
  if (password != form.Get("confirm").value_or("")) {
    return reply->Send(ResetFormPage(user, "<p><b>The two passwords differ.</b></p>"));
  }
  Status rules = CheckPasswordRules(password);
  if (!rules.ok()) {
    const std::string why =
        rules.error().fields.empty() ? rules.error().message : rules.error().fields[0].detail;
    return reply->Send(ResetFormPage(user, "<p><b>The password " + EscapeHtml(why) + ".</b></p>"));
  }
  const TimePoint now = clock_.Now();
  accounts_jobs_.Post([this, user, token, password, now, reply = std::move(reply)] {
    auto hash = HashPassword(password);
    if (!hash.ok()) return reply->Send(LinkErrorPage(hash.error()));
    store_.UsePasswordReset(
        ResetTokenHash(user, token), std::move(*hash), now, [reply](Result<std::string> out) {
          if (!out.ok() && out.error().code == ErrorCode::kNotFound) {
            return reply->Send(
                LinkPage(410, "This link does not work any more",
                         "<p>It was used already or has expired. Ask for a new one on the sign-in "
                         "page.</p><p><a href=\"/ui/\">Sign in</a></p>"));
          }
          if (!out.ok()) return reply->Send(LinkErrorPage(out.error()));
          reply->Send(LinkPage(200, "Your password is set",
                               "<p>Every earlier session of " + EscapeHtml(*out) +
                                   " is signed out. <a href=\"/ui/\">Sign in</a> with the new "
                                   "password.</p>"));
        });
  });
}

}  // namespace loom::http
