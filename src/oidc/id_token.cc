#include "oidc/id_token.h"

#include <vector>

#include "common/crypto.h"

namespace loom::oidc {
namespace {

Error Refused(std::string why) { return Error::PermissionDenied("the ID token " + why); }

// A NumericDate claim (seconds since the epoch, integer or fraction) as a time.
std::optional<TimePoint> NumericDate(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  const double seconds = it->get<double>();
  if (!(seconds >= 0 && seconds < 1e11)) return std::nullopt;  // also refuses NaN
  return TimePoint(Duration(static_cast<int64_t>(seconds * 1e6)));
}

}  // namespace

Status CheckIdTokenClaims(const nlohmann::json& claims, const IdTokenExpectations& expected,
                          TimePoint now) {
  if (!claims.is_object()) return Refused("is not a JSON object");
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != expected.issuer) {
    return Refused("was not issued by " + expected.issuer + " (iss)");
  }
  auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return Refused("names no subject (sub)");
  }
  std::vector<std::string> audiences;
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) {
      audiences.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const auto& a : *aud) {
        if (a.is_string()) audiences.push_back(a.get<std::string>());
      }
    }
  }
  bool ours = false;
  for (const std::string& a : audiences) ours = ours || a == expected.client_id;
  if (!ours) return Refused("is not meant for client " + expected.client_id + " (aud)");
  if (auto azp = claims.find("azp"); azp != claims.end() || audiences.size() > 1) {
    if (azp == claims.end() || !azp->is_string() || azp->get<std::string>() != expected.client_id) {
      return Refused("was issued to another party (azp)");
    }
  }
  const std::optional<TimePoint> exp = NumericDate(claims, "exp");
  if (!exp) return Refused("has no expiry (exp)");
  if (*exp + expected.skew <= now) return Refused("has expired (exp)");
  const std::optional<TimePoint> iat = NumericDate(claims, "iat");
  if (!iat) return Refused("has no issue time (iat)");
  if (*iat > now + expected.skew) return Refused("was issued in the future (iat)");
  if (*iat + kMaxIdTokenAge + expected.skew < now) return Refused("was issued too long ago (iat)");
  if (auto nbf = claims.find("nbf"); nbf != claims.end()) {
    const std::optional<TimePoint> not_before = NumericDate(claims, "nbf");
    if (!not_before || *not_before > now + expected.skew) {
      return Refused("is not valid yet (nbf)");
    }
  }
  auto nonce = claims.find("nonce");
  if (nonce == claims.end() || !nonce->is_string() || expected.nonce.empty() ||
      !ConstantTimeEquals(nonce->get<std::string>(), expected.nonce)) {
    return Refused("does not answer this sign-in (nonce)");
  }
  return OkStatus();
}

}  // namespace loom::oidc
