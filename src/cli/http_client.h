// The CLI's HTTP client for the loom-oncall API (docs/api.md).
//
// HttpTransport is the side effect (one request, one response); CurlTransport is the real one on
// libcurl, tests substitute a fake that records requests. ApiClient adds what every API call
// needs on top: the base URL, the bearer token, JSON bodies, and the mapping of a non-2xx answer
// (an RFC 9457 problem document) to an Error whose code gives the CLI exit code:
//   400→kInvalidArgument (2), 401→kUnauthenticated / 403→kPermissionDenied (3), 404→kNotFound (4),
//   409→kConflict (5), 413→kPayloadTooLarge / 422→kUnprocessable (2), 429→kResourceExhausted /
//   503→kUnavailable (6), anything else→kInternal (1).
// A server that cannot be reached is kUnavailable: "cannot reach <server>: <reason>".
//
// Thread safety: none; one client per command invocation.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace loom {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Any HTTP status is a successful transfer. An Error means no response: kUnavailable with the
  // reason ("Connection refused", "Operation timed out ...") or kInvalidArgument for a URL that
  // cannot be used at all.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct TransportOptions {
  int timeout_seconds = 30;  // whole request
  int connect_timeout_seconds = 10;
  std::string ca_cert_file;  // PEM bundle for an https server with a private CA; "" = system
  size_t max_response_bytes = 64 * 1024 * 1024;
};

// REQUIRES: curl_global_init() has been called (RunCli does it once).
std::unique_ptr<HttpTransport> MakeCurlTransport(const TransportOptions& options);

// The error code an HTTP status maps to (see the table above).
ErrorCode ErrorCodeForHttpStatus(int status);

// An Error for a non-2xx answer: "<problem detail> (HTTP <status>)". Uses the problem document's
// `detail` (else `title`, else a vendor `message`), appends its field errors (not to a 409's: a
// conflict's detail already says what stands in the way, its fields are for programs), and falls
// back to the start of a non-JSON body or the status's reason phrase.
Error ErrorFromHttpResponse(int status, std::string_view body);

// RFC 3986 percent-encoding of a query component (everything but unreserved characters).
std::string PercentEncode(std::string_view text);

// Accepts "http://..." and "https://..." base URLs; kInvalidArgument otherwise.
Status ValidateServerUrl(std::string_view url);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct ApiResponse {
  int status = 0;
  std::string body;     // exactly as the server sent it
  nlohmann::json json;  // the parsed body (null for an empty body)
};

struct ApiClientOptions {
  std::string server = "http://127.0.0.1:8080";  // base URL; a trailing '/' is ignored
  std::string token;                             // bearer token; "" sends none
  std::string user_agent;
};

class ApiClient {
 public:
  ApiClient(ApiClientOptions options, std::unique_ptr<HttpTransport> transport);

  // `path` starts with '/'; empty query values are left out.
  Result<ApiResponse> Get(std::string_view path, const QueryParams& query = {});
  Result<ApiResponse> Post(std::string_view path, const nlohmann::json& body);
  Result<ApiResponse> Delete(std::string_view path);
  Result<ApiResponse> Patch(std::string_view path, const nlohmann::json& body);
  // A GET whose answer is text (e.g. Markdown): ApiResponse::json stays null.
  Result<ApiResponse> GetText(std::string_view path);

  const std::string& server() const { return options_.server; }

 private:
  // `json`: the answer must be JSON (parsed into ApiResponse::json); else only its body is kept.
  Result<ApiResponse> Send(HttpRequest request, bool json = true);
  // A request with `body` as its JSON body.
  Result<ApiResponse> SendJson(const char* method, std::string_view path,
                               const nlohmann::json& body);

  ApiClientOptions options_;
  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace loom
