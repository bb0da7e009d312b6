#include "oidc/sign_on.h"

#include <curl/curl.h>

#include <memory>

#include "common/crypto.h"
#include "notify/curl_handles.h"
#include "notify/outbound_policy.h"
#include "oidc/id_token.h"
#include "oidc/pkce.h"

namespace loom::oidc {
namespace {

// application/x-www-form-urlencoded and query values (RFC 3986 unreserved kept).
std::string Escape(const std::string& text) {
  EnsureCurlInitialized();
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  if (escaped == nullptr) throw std::bad_alloc();
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

std::string Join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

Error Unreachable(const HttpResponse& r, const std::string& what) {
  return Error::Unavailable("the identity provider cannot be reached (" + what + "): " + r.error);
}

}  // namespace

SignOn::SignOn(OidcConfig config, std::string redirect_uri, const Clock& clock, HttpCall http)
    : config_(std::move(config)),
      redirect_uri_(std::move(redirect_uri)),
      clock_(clock),
      http_(std::move(http)),
      pending_(clock),
      jwks_(clock, [this] { return FetchJwks(); }) {}

std::string SignOn::DisplayName() const {
  if (!config_.name.empty()) return config_.name;
  const std::string host = UrlHost(config_.issuer);
  return host.empty() ? config_.issuer : host;
}

Result<ProviderMetadata> SignOn::Metadata() {
  std::lock_guard<std::mutex> lock(mu_);
  const SteadyTime now = clock_.Steady();
  if (metadata_ && now - metadata_at_ < kMetadataMaxAge) return *metadata_;
  if (failed_at_ && now - *failed_at_ < kRetryAfterFailure) return last_failure_;
  HttpRequest request;
  request.url = DiscoveryUrl(config_.issuer);
  request.get = true;
  request.headers = {"Accept: application/json"};
  request.timeout = kHttpTimeout;
  request.max_response_bytes = 256 * 1024;
  HttpResponse r = http_(request);
  Result<ProviderMetadata> parsed = Error::Unavailable("");
  if (r.transport != HttpResponse::Transport::kCompleted) {
    parsed = Unreachable(r, "discovery");
  } else if (r.status != 200) {
    parsed = Error::Unavailable("the identity provider answered its discovery document with HTTP " +
                                std::to_string(r.status));
  } else {
    parsed = ParseDiscovery(r.body, config_.issuer);
  }
  if (!parsed.ok()) {
    // A provider that was fine a moment ago is still used while it is away.
    if (metadata_) return *metadata_;
    failed_at_ = now;
    last_failure_ = parsed.error();
    return parsed;
  }
  metadata_ = *parsed;
  metadata_at_ = now;
  failed_at_.reset();
  return parsed;
}

Result<std::string> SignOn::FetchJwks() {
  Result<ProviderMetadata> metadata = Metadata();
  if (!metadata.ok()) return std::move(metadata).error();
  HttpRequest request;
  request.url = metadata->jwks_uri;
  request.get = true;
  request.headers = {"Accept: application/json"};
  request.timeout = kHttpTimeout;
  request.max_response_bytes = 256 * 1024;
  HttpResponse r = http_(request);
  if (r.transport != HttpResponse::Transport::kCompleted) return Unreachable(r, "keys");
  if (r.status != 200) {
    return Error::Unavailable("the identity provider answered its keys (jwks_uri) with HTTP " +
                              std::to_string(r.status));
  }
  return std::move(r.body);
}

Result<SignOn::Redirect> SignOn::Start() {
  Result<ProviderMetadata> metadata = Metadata();
  if (!metadata.ok()) return std::move(metadata).error();
  PendingLogin login = pending_.Begin(redirect_uri_);
  const std::string& endpoint = metadata->authorization_endpoint;
  std::string url = endpoint + (endpoint.find('?') == std::string::npos ? '?' : '&');
  url += "response_type=code&client_id=" + Escape(config_.client_id) +
         "&redirect_uri=" + Escape(login.redirect_uri) +
         "&scope=" + Escape(Join(config_.scopes, ' ')) + "&state=" + login.state +
         "&nonce=" + login.nonce + "&code_challenge=" + PkceChallengeS256(login.verifier) +
         "&code_challenge_method=S256";
  return Redirect{std::move(url), std::move(login.state)};
}

Result<std::string> SignOn::ExchangeCode(const ProviderMetadata& metadata, const std::string& code,
                                         const PendingLogin& login) {
  HttpRequest request;
  request.url = metadata.token_endpoint;
  request.body = "grant_type=authorization_code&code=" + Escape(code) +
                 "&redirect_uri=" + Escape(login.redirect_uri) +
                 "&code_verifier=" + Escape(login.verifier);
  // client_secret_basic (RFC 6749 section 2.3.1: both parts form-encoded first).
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
                     "Authorization: Basic " + Base64Encode(Escape(config_.client_id) + ":" +
                                                            Escape(config_.client_secret))};
  request.timeout = kHttpTimeout;
  request.max_response_bytes = 256 * 1024;
  HttpResponse r = http_(request);
  if (r.transport != HttpResponse::Transport::kCompleted) return Unreachable(r, "token");
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (r.status != 200) {
    if (r.status >= 500) {
      return Error::Unavailable("the identity provider's token endpoint answered HTTP " +
                                std::to_string(r.status));
    }
    std::string why = "HTTP " + std::to_string(r.status);
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
      why = ShortPrintable(body["error"].get<std::string>(), 60);
    }
    return Error::PermissionDenied("the identity provider did not accept the sign-in code (" + why +
                                   "): start again");
  }
  if (!body.is_object() || !body.contains("id_token") || !body["id_token"].is_string()) {
    return Error::PermissionDenied("the identity provider's token answer holds no ID token");
  }
  return body["id_token"].get<std::string>();
}

Result<nlohmann::json> SignOn::Finish(const Callback& callback) {
  // The state binds the callback to the browser that started the sign-in (login CSRF) and to one
  // pending login; it is checked before anything else is looked at.
  if (callback.state.empty()) {
    return Error::PermissionDenied("the sign-in answer has no state: start again");
  }
  if (callback.cookie_state.empty() || !ConstantTimeEquals(callback.cookie_state, callback.state)) {
    return Error::PermissionDenied(
        "this sign-in was not started in this browser (state does not match): start again");
  }
  std::optional<PendingLogin> login = pending_.Take(callback.state);
  if (!login) {
    return Error::PermissionDenied(
        "this sign-in answer was already used or has expired (state): start again");
  }
  if (!callback.error.empty()) {
    return Error::PermissionDenied("the identity provider did not sign you in (" +
                                   ShortPrintable(callback.error, 60) + ")");
  }
  if (callback.code.empty()) {
    return Error::PermissionDenied("the sign-in answer has no code: start again");
  }
  Result<ProviderMetadata> metadata = Metadata();
  if (!metadata.ok()) return std::move(metadata).error();
  Result<std::string> id_token = ExchangeCode(*metadata, callback.code, *login);
  if (!id_token.ok()) return std::move(id_token).error();
  Result<nlohmann::json> claims = jwks_.Verify(*id_token);
  if (!claims.ok()) return claims;
  Status checked = CheckIdTokenClaims(
      *claims, IdTokenExpectations{config_.issuer, config_.client_id, login->nonce}, clock_.Now());
  if (!checked.ok()) return std::move(checked).error();
  return claims;
}

}  // namespace loom::oidc
