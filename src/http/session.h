// Browser sessions of the web console (/ui/, docs/console.md): signing in with an API token
// creates a session, kept in memory, that the browser holds as the cookie `loom_session`
// (HttpOnly, SameSite=Strict, Path=/, Secure over TLS). A session carries the token's principal
// and a CSRF token that every state-changing request made with the cookie must send back as the
// X-CSRF-Token header, from the server's own origin. The console shows its buttons and forms by
// what the session may do (PermissionsOf), never by a role rule of its own.
//
// Sessions live in memory only: a restart signs everybody out (sign in again). The store keeps
// SHA-256 hashes of the session ids, never the ids themselves, and never the API token.
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
#include "http/auth.h"
#include "http/types.h"

namespace loom::http {

inline constexpr std::string_view kSessionCookieName = "loom_session";

struct ConsoleSession {
  Principal principal;
  std::string csrf_token;  // 64 hex characters
  TimePoint expires_at{};
};

struct SessionOptions {
  Duration ttl = std::chrono::hours(12);  // absolute: sign in again after it
  size_t max_sessions = 10000;            // when full, the session expiring first is dropped
};

class SessionStore {
 public:
  explicit SessionStore(const Clock& clock, SessionOptions options = {});

  struct Created {
    std::string id;  // the cookie value: 64 hex characters from the OS CSPRNG
    ConsoleSession session;
  };
  Created Create(Principal principal);

  // The live session of cookie value `id`; nullopt when unknown or expired (then forgotten).
  std::optional<ConsoleSession> Find(std::string_view id);

  void Remove(std::string_view id);
  size_t size() const;

 private:
  // REQUIRES: mu_ held.
  void DropExpiredLocked(TimePoint now);

  const Clock& clock_;
  const SessionOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, ConsoleSession> by_hash_;  // guarded by mu_
};

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
