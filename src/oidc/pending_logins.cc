#include "oidc/pending_logins.h"

#include <algorithm>

#include "common/crypto.h"
#include "oidc/pkce.h"

namespace loom::oidc {

PendingLogins::PendingLogins(const Clock& clock, Duration ttl, size_t max_pending)
    : clock_(clock), ttl_(ttl), max_pending_(std::max<size_t>(max_pending, 1)) {}

PendingLogin PendingLogins::Begin(std::string redirect_uri) {
  PendingLogin login;
  login.state = RandomHex(32);
  login.nonce = RandomHex(32);
  login.verifier = NewPkceVerifier();
  login.redirect_uri = std::move(redirect_uri);
  const SteadyTime now = clock_.Steady();
  login.expires_at = now + ttl_;
  std::lock_guard<std::mutex> lock(mu_);
  DropExpiredLocked(now);
  while (by_hash_.size() >= max_pending_) {
    auto first = std::min_element(
        by_hash_.begin(), by_hash_.end(),
        [](const auto& a, const auto& b) { return a.second.expires_at < b.second.expires_at; });
    by_hash_.erase(first);
  }
  by_hash_[Sha256Hex(login.state)] = login;
  return login;
}

std::optional<PendingLogin> PendingLogins::Take(std::string_view state) {
  if (state.empty()) return std::nullopt;
  const std::string hash = Sha256Hex(state);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  PendingLogin login = std::move(it->second);
  by_hash_.erase(it);
  // The hash matched; the state itself is compared too, without early exit.
  if (!ConstantTimeEquals(login.state, state)) return std::nullopt;
  if (clock_.Steady() >= login.expires_at) return std::nullopt;
  return login;
}

size_t PendingLogins::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_hash_.size();
}

void PendingLogins::DropExpiredLocked(SteadyTime now) {
  std::erase_if(by_hash_, [now](const auto& entry) { return now >= entry.second.expires_at; });
}

}  // namespace loom::oidc
