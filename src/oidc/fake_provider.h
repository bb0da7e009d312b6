// For the tests of single sign-on only (src/oidc, src/http): a provider speaking OpenID Connect's
// documented endpoints in process, as an HttpCall — discovery, JWKS and a token endpoint that
// checks the client's secret ("loom" / "s3cret!"), the redirect URI and the PKCE verifier, then
// issues an ID token for the authorization request it was shown, made by `mint` (tests forge
// there). Never linked into the server.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/crypto.h"
#include "notify/http_post.h"
#include "oidc/pkce.h"
#include "oidc/sign_on.h"
#include "oidc/test_tokens.h"
#include "testing/fake_clock.h"

namespace loom::oidc::testing {

using nlohmann::json;

inline constexpr char kIssuer[] = "https://idp.test";
inline constexpr char kRedirect[] = "https://loom.test/ui/auth/oidc/callback";

// The query parameters of `url`, percent-decoded (enough for what Start builds).
inline std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  std::string query = url.substr(url.find('?') + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = pair.find('=');
    std::string value = pair.substr(eq + 1), decoded;
    for (size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '%' && i + 2 < value.size() + 1) {
        decoded += static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        decoded += value[i];
      }
    }
    out[pair.substr(0, eq)] = decoded;
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

// A provider speaking the documented endpoints: discovery, JWKS and a token endpoint that checks
// the client's secret, the redirect URI and the PKCE verifier, then issues an ID token for the
// authorization request it saw (what `mint` makes of it: tests forge here).
class FakeProvider {
 public:
  FakeProvider() : key_(MakeEcKey("k1")) {}

  HttpCall Call() {
    return [this](const HttpRequest& r) { return Handle(r); };
  }
  // Remembers the authorization request the browser was sent with.
  void Authorize(const std::string& url) { auth_ = QueryOf(url); }

  TestKey key_;
  bool down = false;
  int token_calls = 0;
  std::string jwks_override;
  json extra_claims = json::object();  // added to (or replacing) the ID token's claims
  std::function<std::string(json claims, const TestKey& key)> mint =
      [](json claims, const TestKey& key) { return SignJwt(key, claims); };
  ::loom::testing::FakeClock* clock = nullptr;

 private:
  HttpResponse Json200(const json& body) {
    HttpResponse r;
    r.transport = HttpResponse::Transport::kCompleted;
    r.status = 200;
    r.body = body.dump();
    return r;
  }
  HttpResponse Handle(const HttpRequest& r) {
    if (down) {
      HttpResponse failed;
      failed.error = "Couldn't connect to server (https://idp.test:443)";
      return failed;
    }
    if (r.get && r.url == std::string(kIssuer) + "/.well-known/openid-configuration") {
      return Json200({{"issuer", kIssuer},
                      {"authorization_endpoint", std::string(kIssuer) + "/auth"},
                      {"token_endpoint", std::string(kIssuer) + "/token"},
                      {"jwks_uri", std::string(kIssuer) + "/jwks"},
                      {"code_challenge_methods_supported", {"S256"}}});
    }
    if (r.get && r.url == std::string(kIssuer) + "/jwks") {
      HttpResponse j = Json200(json::object());
      j.body = jwks_override.empty() ? JwksOf({&key_}) : jwks_override;
      return j;
    }
    if (!r.get && r.url == std::string(kIssuer) + "/token") {
      ++token_calls;
      auto form = QueryOf("?" + r.body);
      const bool client_ok =
          std::find(r.headers.begin(), r.headers.end(),
                    "Authorization: Basic " + Base64Encode("loom:s3cret%21")) != r.headers.end();
      if (!client_ok || form["code"] != "the-code" || form["redirect_uri"] != kRedirect ||
          PkceChallengeS256(form["code_verifier"]) != auth_["code_challenge"]) {
        HttpResponse bad = Json200({{"error", "invalid_grant"}});
        bad.status = 400;
        return bad;
      }
      const int64_t now =
          std::chrono::duration_cast<std::chrono::seconds>(clock->Now().time_since_epoch()).count();
      json claims = {{"iss", kIssuer},     {"sub", "u-1"}, {"aud", "loom"},
                     {"exp", now + 300},   {"iat", now},   {"nonce", auth_["nonce"]},
                     {"email", "a@x.test"}};
      claims.update(extra_claims);
      return Json200(
          {{"access_token", "at"}, {"token_type", "Bearer"}, {"id_token", mint(claims, key_)}});
    }
    HttpResponse nf = Json200(json::object());
    nf.status = 404;
    return nf;
  }

  std::map<std::string, std::string> auth_;
};

}  // namespace loom::oidc::testing
