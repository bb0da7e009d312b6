#include "http/session.h"

#include <algorithm>

#include "common/crypto.h"
#include "http/access.h"

namespace loom::http {

SessionStore::SessionStore(const Clock& clock, SessionOptions options)
    : clock_(clock), options_(options) {}

SessionStore::Created SessionStore::Create(Principal principal) {
  Created out;
  out.id = RandomHex(32);
  out.session.principal = std::move(principal);
  out.session.csrf_token = RandomHex(32);
  const TimePoint now = clock_.Now();
  out.session.expires_at = now + options_.ttl;
  std::lock_guard lock(mu_);
  if (by_hash_.size() >= options_.max_sessions) DropExpiredLocked(now);
  if (by_hash_.size() >= options_.max_sessions && !by_hash_.empty()) {
    auto first = std::min_element(
        by_hash_.begin(), by_hash_.end(),
        [](const auto& a, const auto& b) { return a.second.expires_at < b.second.expires_at; });
    by_hash_.erase(first);
  }
  by_hash_[Sha256Hex(out.id)] = out.session;
  return out;
}

std::optional<ConsoleSession> SessionStore::Find(std::string_view id) {
  if (id.empty()) return std::nullopt;
  const std::string hash = Sha256Hex(id);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  if (it->second.expires_at <= clock_.Now()) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::Remove(std::string_view id) {
  const std::string hash = Sha256Hex(id);
  std::lock_guard lock(mu_);
  by_hash_.erase(hash);
}

size_t SessionStore::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

void SessionStore::DropExpiredLocked(TimePoint now) {
  std::erase_if(by_hash_, [now](const auto& entry) { return entry.second.expires_at <= now; });
}

SessionPermissions PermissionsOf(const Principal& principal) {
  SessionPermissions out;
  out.can_write = MayRespondSomewhere(CallerOf(principal));
  return out;
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

std::string SessionSetCookie(std::string_view id, int64_t max_age_seconds, bool secure) {
  std::string cookie(kSessionCookieName);
  cookie += '=';
  cookie += id;
  cookie += "; Path=/; Max-Age=" + std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Strict";
  if (secure) cookie += "; Secure";
  return cookie;
}

bool IsStateChanging(Method method) {
  return method == Method::kPost || method == Method::kPut || method == Method::kPatch ||
         method == Method::kDelete;
}

std::string OwnOrigin(const Request& request) {
  if (request.host.empty()) return {};
  return std::string(request.tls ? "https://" : "http://") + std::string(request.host);
}

Status CheckSameOrigin(const Request& request) {
  if (request.origin.empty()) return OkStatus();
  const std::string own = OwnOrigin(request);
  if (own.empty() || request.origin != own) {
    return Error::PermissionDenied("cross-origin request refused: Origin " +
                                   std::string(request.origin) + " is not " +
                                   (own.empty() ? std::string("this server") : own));
  }
  return OkStatus();
}

Status CheckCsrf(const Request& request, const ConsoleSession& session) {
  Status origin = CheckSameOrigin(request);
  if (!origin.ok()) return origin;
  if (request.csrf_token.empty()) {
    return Error::PermissionDenied("missing X-CSRF-Token header: sign in to the console again");
  }
  if (!ConstantTimeEquals(request.csrf_token, session.csrf_token)) {
    return Error::PermissionDenied("the X-CSRF-Token header does not match the session");
  }
  return OkStatus();
}

}  // namespace loom::http
