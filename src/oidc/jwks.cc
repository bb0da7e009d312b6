#include "oidc/jwks.h"

#include <cjose/cjose.h>

#include <array>

namespace loom::oidc {

struct JwkSet::Key {
  std::string kid;
  std::string alg;  // "" when the key does not restrict it
  cjose_jwk_kty_t kty = CJOSE_JWK_KTY_RSA;
  cjose_jwk_t* jwk = nullptr;

  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() {
    if (jwk != nullptr) cjose_jwk_release(jwk);
  }
};

namespace {

struct Algorithm {
  std::string_view name;
  cjose_jwk_kty_t kty;
};
constexpr std::array<Algorithm, 9> kAlgorithms = {{
    {"RS256", CJOSE_JWK_KTY_RSA},
    {"RS384", CJOSE_JWK_KTY_RSA},
    {"RS512", CJOSE_JWK_KTY_RSA},
    {"PS256", CJOSE_JWK_KTY_RSA},
    {"PS384", CJOSE_JWK_KTY_RSA},
    {"PS512", CJOSE_JWK_KTY_RSA},
    {"ES256", CJOSE_JWK_KTY_EC},
    {"ES384", CJOSE_JWK_KTY_EC},
    {"ES512", CJOSE_JWK_KTY_EC},
}};

const Algorithm* FindAlgorithm(std::string_view name) {
  for (const Algorithm& a : kAlgorithms) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

struct JwsDeleter {
  void operator()(cjose_jws_t* jws) const { cjose_jws_release(jws); }
};

std::string StringMember(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<JwkSet> JwkSet::Parse(std::string_view jwks_json) {
  nlohmann::json doc = nlohmann::json::parse(jwks_json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return Error::Invalid("the provider's JWKS is not a JSON object with a \"keys\" list");
  }
  JwkSet set;
  for (const nlohmann::json& k : doc["keys"]) {
    if (!k.is_object()) continue;
    const std::string kty = StringMember(k, "kty");
    if (kty != "RSA" && kty != "EC") continue;  // symmetric and unsupported types
    if (StringMember(k, "use") == "enc") continue;
    const std::string text = k.dump();
    cjose_err err{};
    cjose_jwk_t* jwk = cjose_jwk_import(text.c_str(), text.size(), &err);
    if (jwk == nullptr) continue;
    auto key = std::make_shared<Key>();
    key->jwk = jwk;
    key->kid = StringMember(k, "kid");
    key->alg = StringMember(k, "alg");
    key->kty = cjose_jwk_get_kty(jwk, &err);
    set.keys_.push_back(std::move(key));
  }
  if (set.keys_.empty()) return Error::Invalid("the provider's JWKS holds no usable signing key");
  return set;
}

std::vector<std::string> JwkSet::KeyIds() const {
  std::vector<std::string> ids;
  for (const auto& k : keys_) ids.push_back(k->kid);
  return ids;
}

JwkSet::Verification JwkSet::Verify(std::string_view compact_jws) const {
  Verification v;
  cjose_err err{};
  std::unique_ptr<cjose_jws_t, JwsDeleter> jws(
      cjose_jws_import(compact_jws.data(), compact_jws.size(), &err));
  if (!jws) {
    v.reason = "the ID token is not a signed JWT";
    return v;
  }
  cjose_header_t* header = cjose_jws_get_protected(jws.get());
  const char* alg_text = header ? cjose_header_get(header, CJOSE_HDR_ALG, &err) : nullptr;
  const char* kid_text = header ? cjose_header_get(header, CJOSE_HDR_KID, &err) : nullptr;
  const Algorithm* alg = alg_text ? FindAlgorithm(alg_text) : nullptr;
  if (alg == nullptr) {
    v.reason = std::string("the ID token is signed with algorithm ") +
               (alg_text ? alg_text : "(none)") + ", which is not accepted";
    return v;
  }
  const std::string kid = kid_text ? kid_text : "";
  bool any_candidate = false;
  for (const auto& key : keys_) {
    if (key->kty != alg->kty) continue;
    if (!key->alg.empty() && key->alg != alg->name) continue;
    if (!kid.empty() && key->kid != kid) continue;
    any_candidate = true;
    if (!cjose_jws_verify(jws.get(), key->jwk, &err)) continue;
    uint8_t* plain = nullptr;
    size_t plain_len = 0;
    if (!cjose_jws_get_plaintext(jws.get(), &plain, &plain_len, &err)) break;
    v.claims =
        nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(plain), plain_len),
                              nullptr, /*allow_exceptions=*/false);
    if (!v.claims.is_object()) {
      v.claims = nullptr;
      v.reason = "the ID token's payload is not a JSON object";
      return v;
    }
    v.outcome = Outcome::kVerified;
    return v;
  }
  if (!any_candidate && !kid.empty()) {
    v.outcome = Outcome::kUnknownKey;
    v.reason = "the ID token is signed with a key the provider does not publish (kid " + kid + ")";
    return v;
  }
  v.reason = any_candidate
                 ? "the ID token's signature does not verify"
                 : "the provider publishes no key for algorithm " + std::string(alg->name);
  return v;
}

}  // namespace loom::oidc
