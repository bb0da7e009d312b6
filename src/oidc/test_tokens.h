// For the tests of src/oidc and the HTTP handlers only: signing keys generated in the test with
// libcjose, their public JWKS, and JWTs signed with them (what a provider would issue, or a forger
// would try). Never linked into the server: only *_test.cc files include it.
#pragma once

#include <cjose/cjose.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom::oidc::testing {

struct TestKey {
  struct Release {
    void operator()(cjose_jwk_t* k) const { cjose_jwk_release(k); }
  };
  std::unique_ptr<cjose_jwk_t, Release> jwk;
  std::string kid;
  std::string alg;  // what SignJwt signs with by default

  // The public half as a JWK object.
  nlohmann::json PublicJwk() const {
    cjose_err err{};
    char* text = cjose_jwk_to_json(jwk.get(), /*priv=*/false, &err);
    if (text == nullptr) throw std::runtime_error("cjose_jwk_to_json failed");
    nlohmann::json j = nlohmann::json::parse(text);
    cjose_get_dealloc()(text);
    return j;
  }
};

inline TestKey MakeKey(bool rsa, const std::string& kid) {
  cjose_err err{};
  TestKey key;
  if (rsa) {
    static const uint8_t kE[] = {0x01, 0x00, 0x01};
    key.jwk.reset(cjose_jwk_create_RSA_random(2048, kE, sizeof(kE), &err));
    key.alg = "RS256";
  } else {
    key.jwk.reset(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err));
    key.alg = "ES256";
  }
  if (!key.jwk || !cjose_jwk_set_kid(key.jwk.get(), kid.c_str(), kid.size(), &err)) {
    throw std::runtime_error("cannot create a test key");
  }
  key.kid = kid;
  return key;
}
inline TestKey MakeRsaKey(const std::string& kid) { return MakeKey(true, kid); }
inline TestKey MakeEcKey(const std::string& kid) { return MakeKey(false, kid); }

// {"keys": [the public JWKs]}.
inline std::string JwksOf(const std::vector<const TestKey*>& keys) {
  nlohmann::json doc = {{"keys", nlohmann::json::array()}};
  for (const TestKey* k : keys) doc["keys"].push_back(k->PublicJwk());
  return doc.dump();
}

// A compact JWS of `claims` signed by `key` with `alg` (the key's own by default), its `kid` in
// the header unless `with_kid` is false.
inline std::string SignJwt(const TestKey& key, const nlohmann::json& claims,
                           const std::string& alg = "", bool with_kid = true) {
  cjose_err err{};
  cjose_header_t* header = cjose_header_new(&err);
  cjose_header_set(header, CJOSE_HDR_ALG, (alg.empty() ? key.alg : alg).c_str(), &err);
  if (with_kid) cjose_header_set(header, CJOSE_HDR_KID, key.kid.c_str(), &err);
  const std::string payload = claims.dump();
  cjose_jws_t* jws =
      cjose_jws_sign(key.jwk.get(), header, reinterpret_cast<const uint8_t*>(payload.data()),
                     payload.size(), &err);
  cjose_header_release(header);
  if (jws == nullptr) throw std::runtime_error("cjose_jws_sign failed");
  const char* compact = nullptr;
  cjose_jws_export(jws, &compact, &err);
  std::string out = compact ? compact : "";
  cjose_jws_release(jws);
  return out;
}

}  // namespace loom::oidc::testing
