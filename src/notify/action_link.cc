#include "notify/action_link.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/crypto.h"

namespace loom {
namespace {

// Far longer than any token Sign makes (~250 characters): anything longer is refused before the
// MAC is computed over it.
constexpr size_t kMaxTokenLength = 1024;

Error Malformed() { return Error::Invalid("malformed or forged link"); }

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

// The claims as compact JSON, keys in a fixed order (the MAC covers these exact bytes, so the
// order only matters for reproducing a token, not for verifying one).
std::string EncodeClaims(const ActionClaims& c) {
  nlohmann::ordered_json j;
  j["act"] = c.action;
  j["inc"] = c.incident_number;
  j["sub"] = c.recipient;
  j["via"] = c.via;
  j["exp"] = UnixSeconds(c.expires_at);
  j["nonce"] = c.nonce;
  return j.dump();
}

// Parses claims whose MAC already matched, so a failure here means a bug on the signing side or a
// leaked key; still answered as a malformed link, never trusted partially.
Result<ActionClaims> DecodeClaims(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Malformed();
  auto text = [&j](const char* key, std::string* out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  auto integer = [&j](const char* key, int64_t* out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return false;
    *out = it->get<int64_t>();
    return true;
  };
  ActionClaims c;
  int64_t exp = 0;
  if (!text("act", &c.action) || !integer("inc", &c.incident_number) ||
      !text("sub", &c.recipient) || !text("via", &c.via) || !integer("exp", &exp) ||
      !text("nonce", &c.nonce)) {
    return Malformed();
  }
  if (c.action != "ack" && c.action != "view") return Malformed();
  if (c.incident_number <= 0 || c.recipient.empty()) return Malformed();
  if (c.action == "ack" && c.nonce.empty()) return Malformed();
  c.expires_at = TimePoint(std::chrono::seconds(exp));
  return c;
}

}  // namespace

LinkSigner::LinkSigner(std::string key, std::string public_url, Duration ttl)
    : key_(std::move(key)), public_url_(std::move(public_url)), ttl_(ttl) {
  // A short key makes links forgeable: a wiring bug (LoadOrCreateLinkKey refuses short secrets),
  // so it stops the process rather than serve guessable links.
  if (key_.size() < 32) {
    std::fputs("LinkSigner: the key must have at least 32 bytes\n", stderr);
    std::abort();
  }
  while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

LinkSigner::Links LinkSigner::For(int64_t incident_number, const std::string& recipient,
                                  const std::string& via, TimePoint now) const {
  ActionClaims claims;
  claims.incident_number = incident_number;
  claims.recipient = recipient;
  claims.via = via;
  claims.expires_at = now + ttl_;
  Links links;
  claims.action = "ack";
  claims.nonce = RandomHex(16);
  links.ack_url = public_url_ + "/a/" + Sign(claims);
  claims.action = "view";
  claims.nonce = RandomHex(16);
  links.open_url = public_url_ + "/a/" + Sign(claims);
  links.public_url = public_url_;
  links.expires_at = claims.expires_at;
  return links;
}

std::string LinkSigner::Sign(const ActionClaims& claims) const {
  std::string payload = Base64UrlEncode(EncodeClaims(claims));
  std::string mac = Base64UrlEncode(HmacSha256(key_, payload));
  return payload + "." + mac;
}

Result<ActionClaims> LinkSigner::Verify(std::string_view token, TimePoint now) const {
  if (token.empty() || token.size() > kMaxTokenLength) return Malformed();
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos) {
    return Malformed();
  }
  const std::string_view payload = token.substr(0, dot);
  // Compared as text: the expected MAC's canonical encoding, so a token whose MAC part is some
  // other spelling of the same bytes is refused too, and nothing is decoded before this check.
  const std::string expected = Base64UrlEncode(HmacSha256(key_, payload));
  if (!ConstantTimeEquals(expected, token.substr(dot + 1))) return Malformed();
  std::optional<std::string> json = Base64UrlDecode(payload);
  if (!json) return Malformed();
  Result<ActionClaims> claims = DecodeClaims(*json);
  if (!claims.ok()) return claims;
  if (now >= claims->expires_at) return Error::PermissionDenied("link expired");
  return claims;
}

}  // namespace loom
