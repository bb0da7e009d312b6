// JwkSet: the public keys a provider publishes at its `jwks_uri` (RFC 7517), imported with
// libcjose, and the verification of a compact JWS (an ID token) against them — cjose checks the
// signature; this file only picks the key.
//
// Accepted algorithms: RS256/384/512, PS256/384/512 and ES256/384/512. `none` and the HMAC
// algorithms are refused (an HS256 token "signed" with a public key is a classic forgery), and a
// key is used only with an algorithm of its own type (and its `alg`, when it names one). Keys
// marked `"use": "enc"`, symmetric keys and key types cjose does not import are skipped.
//
// Thread safety: a JwkSet is immutable after Parse; Verify may be called from any thread.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace loom::oidc {

class JwkSet {
 public:
  JwkSet() = default;

  // The usable signing keys of a JWKS document ({"keys": [...]}). kInvalidArgument when the
  // document is not a JWKS or holds no usable key.
  static Result<JwkSet> Parse(std::string_view jwks_json);

  enum class Outcome {
    kVerified,    // a key of the set verifies the signature: `claims` is the payload
    kUnknownKey,  // the token names a key id (`kid`) the set does not have
    kInvalid,     // malformed, refused algorithm, or no key verifies it
  };
  struct Verification {
    Outcome outcome = Outcome::kInvalid;
    nlohmann::json claims;  // kVerified: the payload, a JSON object
    std::string reason;     // otherwise: why, for the refusal page (no token content)
  };
  Verification Verify(std::string_view compact_jws) const;

  size_t size() const { return keys_.size(); }
  // The key ids, in document order ("" for a key without one).
  std::vector<std::string> KeyIds() const;

 private:
  struct Key;
  std::vector<std::shared_ptr<const Key>> keys_;
};

}  // namespace loom::oidc
