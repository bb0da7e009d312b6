#include "oidc/jwks_cache.h"

namespace loom::oidc {

JwksCache::JwksCache(const Clock& clock, Fetch fetch, Duration min_refresh, Duration max_age)
    : clock_(clock), fetch_(std::move(fetch)), min_refresh_(min_refresh), max_age_(max_age) {}

Status JwksCache::FetchLocked(SteadyTime now) {
  ++fetches_;
  Result<std::string> body = fetch_();
  if (!body.ok()) return std::move(body).error();
  Result<JwkSet> parsed = JwkSet::Parse(*body);
  if (!parsed.ok()) return Error::Unavailable(parsed.error().message);
  keys_ = std::move(parsed).value();
  fetched_at_ = now;
  return OkStatus();
}

Result<nlohmann::json> JwksCache::Verify(std::string_view compact_jws) {
  std::lock_guard<std::mutex> lock(mu_);
  const SteadyTime now = clock_.Steady();
  if (!keys_ || now - fetched_at_ >= max_age_) {
    Status fetched = FetchLocked(now);
    // A stale set is still better than none when the provider is briefly away.
    if (!fetched.ok() && !keys_) return std::move(fetched).error();
  }
  JwkSet::Verification v = keys_->Verify(compact_jws);
  if (v.outcome == JwkSet::Outcome::kUnknownKey &&
      (!last_kid_refresh_ || now - *last_kid_refresh_ >= min_refresh_)) {
    last_kid_refresh_ = now;
    Status fetched = FetchLocked(now);
    if (!fetched.ok()) return std::move(fetched).error();
    v = keys_->Verify(compact_jws);
  }
  if (v.outcome != JwkSet::Outcome::kVerified) return Error::PermissionDenied(v.reason);
  return std::move(v.claims);
}

int JwksCache::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

}  // namespace loom::oidc
