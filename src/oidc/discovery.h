// OpenID Provider metadata (OpenID Connect Discovery 1.0): what single sign-on reads from
// `<issuer>/.well-known/openid-configuration`.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace loom::oidc {

struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
};

// The discovery URL of `issuer` (a trailing '/' of the issuer is not doubled).
std::string DiscoveryUrl(std::string_view issuer);

// Parses a discovery document. Its `issuer` must equal `expected_issuer` exactly (Discovery
// section 4.3: a document naming another issuer is refused); the three endpoints must be http(s)
// URLs; when the document lists `code_challenge_methods_supported`, S256 must be among them, and
// `response_types_supported` must include "code". kUnavailable naming the problem otherwise (the
// provider is misconfigured: nobody can sign in until it is fixed).
Result<ProviderMetadata> ParseDiscovery(std::string_view body, std::string_view expected_issuer);

}  // namespace loom::oidc
