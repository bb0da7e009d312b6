// Browser sessions of the web console (/ui/, docs/console.md, docs/authentication.md): signing
// in — a person with their password (POST /ui/login) or single sign-on, or a machine with an API
// token (POST /ui/session) — creates a session that the browser holds as the cookie
// `loom_session` (HttpOnly, SameSite=Strict, Path=/, Secure over TLS). A session carries its
// principal and a CSRF token that every state-changing request made with the cookie must send
// back as the X-CSRF-Token header, from the server's own origin. The console shows its buttons
// and forms by what the session may do (PermissionsOf), never by a role rule of its own.
//
// Sessions of people (principal.user set) are durable: stored in the AccountStore by the SHA-256
// of the cookie value, so a restart keeps people signed in and every instance of a cluster
// shares them; they end after `idle` without a request or `absolute` after signing in, whichever
// comes first, and when signed out (one session, or every session of the user). Their principal
// is rebuilt at each Find from the user's current role and their teams in the roster's current
// snapshot (accounts/person_principal.h). Sessions
// of API tokens stay in memory (absolute `ttl`): a restart signs those out. Neither the session
// id nor the API token is ever stored.
//
// Thread safety: SessionStore's methods are safe from any thread; the free functions are pure.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"
#include "core/roster.h"
#include "http/auth.h"
#include "http/types.h"
#include "store/account_store.h"

namespace loom::http {

inline constexpr std::string_view kSessionCookieName = "loom_session";

struct ConsoleSession {
  Principal principal;
  std::string csrf_token;  // 64 hex characters
  TimePoint expires_at{};  // absolute expiry (the cookie's Max-Age)
  // A person's session: when it ends unless used before (last use + idle); = expires_at for a
  // token's session.
  TimePoint idle_expires_at{};
};

struct SessionOptions {
  Duration ttl = std::chrono::hours(12);  // a token's session (in memory): sign in again after it
  size_t max_sessions = 10000;  // tokens' sessions: when full, the one expiring first is dropped
  Duration idle = std::chrono::hours(8);           // a person's: `auth.session.idle`
  Duration absolute = std::chrono::hours(24 * 7);  // a person's: `auth.session.absolute`
  // A person's last use is written at most this often (each write moves the idle expiry).
  Duration touch_every = std::chrono::minutes(1);
  // Expired rows of people's sessions and reset tokens are swept at most this often.
  Duration sweep_every = std::chrono::hours(1);
};

class SessionStore {
 public:
  // `accounts` keeps the sessions of people; null: people cannot get a session (kUnavailable).
  // `roster` answers the teams of a person at each Find (null: no teams).
  // REQUIRES: `clock` and `accounts` outlive the SessionStore.
  SessionStore(const Clock& clock, SessionOptions options = {}, AccountStore* accounts = nullptr,
               std::shared_ptr<const Roster> roster = nullptr);

  struct Created {
    std::string id;  // the cookie value: 64 hex characters from the OS CSPRNG
    ConsoleSession session;
  };
  // A new session for `principal`. A person's (principal.user not empty) is written to the
  // AccountStore before this returns: it blocks for one store write, so call it off the I/O
  // threads (kUnavailable/kInternal when the write fails). A token's is kept in memory.
  //
  // `sso_grants`: single sign-on's grants (its groups' roles, in principal.role and
  // principal.team_roles) are kept with the session, and every Find widens the person's current
  // principal by them; without it (local sign-in) only the person's own roles count, as they are
  // at each request.
  Result<Created> Create(Principal principal, bool sso_grants = false);
  // A new session for an API token's principal (bound to a user or not), kept in memory only.
  Result<Created> CreateForToken(Principal principal);

  // The live session of cookie value `id`; nullopt when unknown or expired (an expired one is
  // deleted). A person's session gets their current principal (role and teams), and its last use
  // is written when older than touch_every. kUnavailable/kInternal when the store cannot be read.
  Result<std::optional<ConsoleSession>> Find(std::string_view id);

  // Ends the session of cookie value `id` (no-op when unknown); `done` (optional) runs once it is
  // gone from the store too, so that no instance finds it after.
  void Remove(std::string_view id, Callback<bool> done = nullptr);
  // Ends every session of user `user` (their sessions in memory and in the store): the count of
  // stored ones, through `done`.
  void RemoveAllOf(const std::string& user, Callback<int64_t> done);
  // Sessions of tokens held in memory.
  size_t size() const;
  const SessionOptions& options() const { return options_; }

 private:
  // REQUIRES: mu_ held.
  void DropExpiredLocked(TimePoint now);
  std::optional<ConsoleSession> FindInMemory(const std::string& hash, TimePoint now);
  // Sweeps the store's expired rows when sweep_every has passed since the last sweep.
  void MaybeSweep(TimePoint now);

  const Clock& clock_;
  const SessionOptions options_;
  AccountStore* const accounts_;
  const std::shared_ptr<const Roster> roster_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, ConsoleSession> by_hash_;  // guarded by mu_
  TimePoint last_sweep_{};                                   // guarded by mu_
};

// The grants of a principal as kept with a session (StoredSession::grants), and back: JSON
// {"role": "admin", "teams": {"payments": "responder"}}. Decode of "" or of text it cannot read is
// "no grant" (a viewer with no team roles).
std::string EncodeGrants(const Principal& grants);
Principal DecodeGrants(std::string_view text);

// `principal` widened by `grants`: the wider global role, and per team the wider role.
void WidenBy(Principal& principal, const Principal& grants);

// What the holder of a session may do in the console, decided here from the principal's role so
// that the console holds no role rule of its own (GET /ui/session answers it; per incident, the
// incident's `allowed_actions` say which commands and panel writes its state allows).
struct SessionPermissions {
  // Any state change: the global role, or a role in one of the person's teams, is at least
  // responder (core/authorization.h MayRespondSomewhere); a viewer only reads. Per incident,
  // allowed_actions says what the caller's role on the incident's team allows.
  bool can_write = false;
};
SessionPermissions PermissionsOf(const Principal& principal);

// The value of cookie `name` in a Cookie header ("a=1; loom_session=abc"), or "".
std::string_view CookieValue(std::string_view cookie_header, std::string_view name);

// The Set-Cookie value that stores `id` for `max_age_seconds` (0 deletes the cookie).
std::string SessionSetCookie(std::string_view id, int64_t max_age_seconds, bool secure);

// True for the methods that change state (POST, PUT, PATCH, DELETE).
bool IsStateChanging(Method method);

// "http://<Host>" or "https://<Host>" for this request ("" without a Host header).
std::string OwnOrigin(const Request& request);

// A request's Origin, when it sends one, must be the server's own: kPermissionDenied otherwise.
Status CheckSameOrigin(const Request& request);

// A state-changing request made with the session cookie: the same-origin check, then the
// X-CSRF-Token header must equal the session's token (constant-time). kPermissionDenied otherwise.
Status CheckCsrf(const Request& request, const ConsoleSession& session);

}  // namespace loom::http
