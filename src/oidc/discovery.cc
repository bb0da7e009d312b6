#include "oidc/discovery.h"

#include <nlohmann/json.hpp>

namespace loom::oidc {
namespace {

bool IsHttpUrl(const std::string& url) {
  return (url.starts_with("https://") && url.size() > 8) ||
         (url.starts_with("http://") && url.size() > 7);
}

// True when `doc[name]` is absent, or a list containing `value`.
bool AbsentOrLists(const nlohmann::json& doc, const char* name, std::string_view value) {
  auto it = doc.find(name);
  if (it == doc.end()) return true;
  if (!it->is_array()) return false;
  for (const auto& v : *it) {
    if (v.is_string() && v.get<std::string>() == value) return true;
  }
  return false;
}

}  // namespace

std::string DiscoveryUrl(std::string_view issuer) {
  std::string url(issuer);
  if (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/.well-known/openid-configuration";
}

Result<ProviderMetadata> ParseDiscovery(std::string_view body, std::string_view expected_issuer) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    return Error::Unavailable("the identity provider's discovery document is not a JSON object");
  }
  ProviderMetadata m;
  auto text = [&doc](const char* name) {
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  m.issuer = text("issuer");
  if (m.issuer != expected_issuer) {
    return Error::Unavailable("the identity provider's discovery document names issuer '" +
                              m.issuer + "', not the configured '" + std::string(expected_issuer) +
                              "'");
  }
  m.authorization_endpoint = text("authorization_endpoint");
  m.token_endpoint = text("token_endpoint");
  m.jwks_uri = text("jwks_uri");
  for (const auto& [name, value] :
       {std::pair{"authorization_endpoint", &m.authorization_endpoint},
        std::pair{"token_endpoint", &m.token_endpoint}, std::pair{"jwks_uri", &m.jwks_uri}}) {
    if (!IsHttpUrl(*value)) {
      return Error::Unavailable(std::string("the identity provider's discovery document has no ") +
                                name + " URL");
    }
  }
  if (!AbsentOrLists(doc, "code_challenge_methods_supported", "S256")) {
    return Error::Unavailable("the identity provider does not support PKCE with S256");
  }
  if (!AbsentOrLists(doc, "response_types_supported", "code")) {
    return Error::Unavailable("the identity provider does not support the authorization code flow");
  }
  return m;
}

}  // namespace loom::oidc
