#include "http/auth.h"

#include <cctype>

#include "accounts/person_principal.h"
#include "common/crypto.h"

namespace loom::http {

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

Authenticator::Authenticator(AdminStore& store, const Clock& clock, std::string admin_token_hash,
                             AccountStore* accounts, std::shared_ptr<const Roster> roster)
    : store_(store),
      accounts_(accounts),
      roster_(std::move(roster)),
      clock_(clock),
      admin_token_hash_(std::move(admin_token_hash)) {}

Result<Principal> Authenticator::AuthenticateToken(std::string_view token) {
  if (token.empty()) return Error::Unauthenticated("missing bearer token");
  std::string hash = Sha256Hex(token);
  if (!admin_token_hash_.empty() && ConstantTimeEquals(hash, admin_token_hash_)) {
    return Principal{"admin", Role::kAdmin};
  }
  const int64_t now = ToUnixMicros(clock_.Now());
  Cache& cache = cache_.Local();
  if (auto it = cache.find(hash); it != cache.end()) {
    if (it->second.expires_us > now) return it->second.principal;
    cache.erase(it);
  }
  auto found = store_.FindToken(hash);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return Error::Unauthenticated("unknown token");
  Principal p{(*found)->name, (*found)->role};
  if (!(*found)->user.empty()) {
    // A bound token acts as its user, with the person's current role as its ceiling.
    if (accounts_ == nullptr) return Error::Unauthenticated("unknown token");
    auto person = accounts_->GetAccount((*found)->user);
    if (!person.ok()) return std::move(person).error();
    if (!person->has_value()) return Error::Unauthenticated("the token's user no longer exists");
    const std::shared_ptr<const OnCallSnapshot> oncall =
        roster_ ? roster_->Current() : EmptyOnCallSnapshot();
    p = BoundTokenPrincipal((*found)->name, (*found)->role, {(*found)->user, (**person).role},
                            oncall->teams);
  }
  if (cache.size() >= kCacheMaxEntries) cache.clear();
  cache.emplace(std::move(hash), Cached{p, now + kCacheTtlMicros});
  return p;
}

Result<Principal> Authenticator::Require(std::string_view authorization, Role need,
                                         std::string_view admin_header) {
  std::string_view token = !admin_header.empty() ? admin_header : BearerToken(authorization);
  if (token.empty()) {
    return Error::Unauthenticated(authorization.empty() ? "missing bearer token"
                                                        : "malformed Authorization header");
  }
  auto p = AuthenticateToken(token);
  if (!p.ok()) return p;
  if (!RoleAllows(p->role, need)) {
    return Error::PermissionDenied(std::string("this needs role ") + RoleName(need) +
                                   "; the token has role " + RoleName(p->role));
  }
  return p;
}

}  // namespace loom::http
