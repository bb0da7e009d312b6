// PKCE (RFC 7636) for the authorization code flow of single sign-on: a code verifier the server
// keeps, and its S256 challenge that goes to the provider in the authorization request. Only S256:
// the `plain` method protects nothing when the request can be read.
//
// Thread safety: pure functions (NewPkceVerifier reads the OS CSPRNG).
#pragma once

#include <string>
#include <string_view>

namespace loom::oidc {

// A fresh code verifier: 32 random bytes, base64url (43 characters of [A-Za-z0-9_-]).
std::string NewPkceVerifier();

// The S256 code challenge of `verifier`: BASE64URL(SHA-256(verifier)), no padding.
std::string PkceChallengeS256(std::string_view verifier);

}  // namespace loom::oidc
