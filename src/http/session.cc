#include "http/session.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "accounts/person_principal.h"
#include "common/crypto.h"
#include "http/access.h"

namespace loom::http {

SessionStore::SessionStore(const Clock& clock, SessionOptions options, AccountStore* accounts,
                           std::shared_ptr<const Roster> roster)
    : clock_(clock), options_(options), accounts_(accounts), roster_(std::move(roster)) {}

std::string EncodeGrants(const Principal& grants) {
  nlohmann::json teams = nlohmann::json::object();
  for (const auto& [team, role] : grants.team_roles) teams[team] = RoleName(role);
  return nlohmann::json{{"role", RoleName(grants.role)}, {"teams", teams}}.dump();
}

Principal DecodeGrants(std::string_view text) {
  Principal out;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  if (auto role = j.find("role"); role != j.end() && role->is_string()) {
    Role parsed = Role::kViewer;
    if (ParseRole(role->get<std::string>(), &parsed) && parsed != Role::kCalendar) {
      out.role = parsed;
    }
  }
  if (auto teams = j.find("teams"); teams != j.end() && teams->is_object()) {
    for (const auto& [team, role] : teams->items()) {
      Role parsed = Role::kViewer;
      if (role.is_string() && ParseRole(role.get<std::string>(), &parsed) &&
          parsed != Role::kCalendar) {
        out.team_roles[team] = parsed;
      }
    }
  }
  return out;
}

void WidenBy(Principal& principal, const Principal& grants) {
  if (RoleAllows(grants.role, principal.role)) principal.role = grants.role;
  for (const auto& [team, role] : grants.team_roles) {
    auto [it, added] = principal.team_roles.emplace(team, role);
    if (!added && RoleAllows(role, it->second)) it->second = role;
  }
}

Result<SessionStore::Created> SessionStore::Create(Principal principal, bool sso_grants) {
  if (principal.user.empty()) return CreateForToken(std::move(principal));
  if (accounts_ == nullptr) return Error::Unavailable("people cannot sign in: no account store");
  Created out;
  out.id = RandomHex(32);
  out.session.principal = std::move(principal);
  out.session.csrf_token = RandomHex(32);
  const TimePoint now = clock_.Now();
  out.session.expires_at = now + options_.absolute;
  out.session.idle_expires_at = std::min(now + options_.idle, out.session.expires_at);
  StoredSession row;
  row.id_hash = Sha256Hex(out.id);
  row.user_id = out.session.principal.user;
  row.csrf_token = out.session.csrf_token;
  row.created_at = now;
  row.last_seen_at = now;
  row.expires_at = out.session.expires_at;
  if (sso_grants) row.grants = EncodeGrants(out.session.principal);
  Result<bool> stored =
      AwaitWrite<bool>([&](auto done) { accounts_->CreateSession(std::move(row), done); });
  if (!stored.ok()) return std::move(stored).error();
  MaybeSweep(now);
  return out;
}

Result<SessionStore::Created> SessionStore::CreateForToken(Principal principal) {
  Created out;
  out.id = RandomHex(32);
  out.session.principal = std::move(principal);
  out.session.csrf_token = RandomHex(32);
  const TimePoint now = clock_.Now();
  const std::string hash = Sha256Hex(out.id);
  out.session.expires_at = now + options_.ttl;
  out.session.idle_expires_at = out.session.expires_at;
  std::lock_guard lock(mu_);
  if (by_hash_.size() >= options_.max_sessions) DropExpiredLocked(now);
  if (by_hash_.size() >= options_.max_sessions && !by_hash_.empty()) {
    auto first = std::min_element(
        by_hash_.begin(), by_hash_.end(),
        [](const auto& a, const auto& b) { return a.second.expires_at < b.second.expires_at; });
    by_hash_.erase(first);
  }
  by_hash_[hash] = out.session;
  return out;
}

std::optional<ConsoleSession> SessionStore::FindInMemory(const std::string& hash, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  if (it->second.expires_at <= now) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

Result<std::optional<ConsoleSession>> SessionStore::Find(std::string_view id) {
  if (id.empty()) return std::optional<ConsoleSession>();
  const std::string hash = Sha256Hex(id);
  const TimePoint now = clock_.Now();
  if (auto in_memory = FindInMemory(hash, now)) return in_memory;
  if (accounts_ == nullptr) return std::optional<ConsoleSession>();
  Result<std::optional<StoredSession>> stored = accounts_->FindSession(hash);
  if (!stored.ok()) return std::move(stored).error();
  if (!stored->has_value()) return std::optional<ConsoleSession>();
  const StoredSession& row = **stored;
  ConsoleSession session;
  const std::shared_ptr<const OnCallSnapshot> oncall =
      roster_ ? roster_->Current() : EmptyOnCallSnapshot();
  session.principal = PersonPrincipal({row.user_id, row.role}, oncall->teams);
  if (!row.grants.empty()) WidenBy(session.principal, DecodeGrants(row.grants));
  session.csrf_token = row.csrf_token;
  session.expires_at = row.expires_at;
  session.idle_expires_at = std::min(row.last_seen_at + options_.idle, row.expires_at);
  if (session.idle_expires_at <= now) {
    accounts_->DeleteSession(hash, [](Result<bool>) {});
    return std::optional<ConsoleSession>();
  }
  if (now - row.last_seen_at >= options_.touch_every) {
    // Fire and forget: a lost touch only brings the idle expiry forward by touch_every.
    accounts_->TouchSession(hash, now, [](Result<bool>) {});
    session.idle_expires_at = std::min(now + options_.idle, row.expires_at);
  }
  return std::optional<ConsoleSession>(std::move(session));
}

void SessionStore::Remove(std::string_view id, Callback<bool> done) {
  if (!done) done = [](Result<bool>) {};
  const std::string hash = Sha256Hex(id);
  {
    std::lock_guard lock(mu_);
    if (by_hash_.erase(hash) > 0) return done(true);
  }
  if (accounts_ == nullptr) return done(false);
  accounts_->DeleteSession(hash, std::move(done));
}

void SessionStore::RemoveAllOf(const std::string& user, Callback<int64_t> done) {
  {
    std::lock_guard lock(mu_);
    std::erase_if(by_hash_, [&](const auto& entry) { return entry.second.principal.user == user; });
  }
  if (accounts_ == nullptr) return done(int64_t{0});
  accounts_->DeleteUserSessions(user, std::move(done));
}

size_t SessionStore::size() const {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

void SessionStore::DropExpiredLocked(TimePoint now) {
  std::erase_if(by_hash_, [now](const auto& entry) { return entry.second.expires_at <= now; });
}

void SessionStore::MaybeSweep(TimePoint now) {
  {
    std::lock_guard lock(mu_);
    if (last_sweep_ != TimePoint{} && now - last_sweep_ < options_.sweep_every) return;
    last_sweep_ = now;
  }
  accounts_->DeleteExpiredSessions(now, now - options_.idle, [](Result<int64_t>) {});
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
