#include "oidc/discovery.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace loom::oidc {
namespace {

using nlohmann::json;

json Doc() {
  return json{{"issuer", "https://idp.example/realms/ops"},
              {"authorization_endpoint", "https://idp.example/auth"},
              {"token_endpoint", "https://idp.example/token"},
              {"jwks_uri", "https://idp.example/certs"},
              {"response_types_supported", {"code", "id_token"}},
              {"code_challenge_methods_supported", {"plain", "S256"}}};
}

TEST(DiscoveryTest, UrlIsUnderTheIssuer) {
  EXPECT_EQ(DiscoveryUrl("https://idp.example/realms/ops"),
            "https://idp.example/realms/ops/.well-known/openid-configuration");
  EXPECT_EQ(DiscoveryUrl("https://accounts.google.com/"),
            "https://accounts.google.com/.well-known/openid-configuration");
}

TEST(DiscoveryTest, ReadsTheEndpoints) {
  auto m = ParseDiscovery(Doc().dump(), "https://idp.example/realms/ops");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->authorization_endpoint, "https://idp.example/auth");
  EXPECT_EQ(m->token_endpoint, "https://idp.example/token");
  EXPECT_EQ(m->jwks_uri, "https://idp.example/certs");
}

TEST(DiscoveryTest, RefusesAnotherIssuer) {
  auto m = ParseDiscovery(Doc().dump(), "https://idp.example/realms/other");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(m.error().message,
            "the identity provider's discovery document names issuer "
            "'https://idp.example/realms/ops', not the configured "
            "'https://idp.example/realms/other'");
}

TEST(DiscoveryTest, RefusesMissingEndpointsAndMissingSupport) {
  for (const char* name : {"authorization_endpoint", "token_endpoint", "jwks_uri"}) {
    json d = Doc();
    d.erase(name);
    EXPECT_FALSE(ParseDiscovery(d.dump(), "https://idp.example/realms/ops").ok()) << name;
    d[name] = "ftp://x";
    EXPECT_FALSE(ParseDiscovery(d.dump(), "https://idp.example/realms/ops").ok()) << name;
  }
  json d = Doc();
  d["code_challenge_methods_supported"] = {"plain"};
  EXPECT_EQ(ParseDiscovery(d.dump(), "https://idp.example/realms/ops").error().message,
            "the identity provider does not support PKCE with S256");
  d = Doc();
  d.erase("code_challenge_methods_supported");  // not listed: assumed (Google lists it)
  EXPECT_TRUE(ParseDiscovery(d.dump(), "https://idp.example/realms/ops").ok());
  d["response_types_supported"] = {"id_token"};
  EXPECT_FALSE(ParseDiscovery(d.dump(), "https://idp.example/realms/ops").ok());
  EXPECT_FALSE(ParseDiscovery("<html>", "https://idp.example/realms/ops").ok());
}

}  // namespace
}  // namespace loom::oidc
