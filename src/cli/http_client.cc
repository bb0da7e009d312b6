#include "cli/http_client.h"

#include <curl/curl.h>

#include <cstring>
#include <string>

#include "cli/json_fields.h"
#include "common/error_context.h"

namespace loom {
namespace {

struct ResponseSink {
  std::string* body;
  size_t limit;
  bool overflowed = false;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  size_t n = size * count;
  if (sink->body->size() + n > sink->limit) {
    sink->overflowed = true;
    return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

struct CurlHandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options) : options_(std::move(options)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::unique_ptr<CURL, CurlHandleDeleter> handle(curl_easy_init());
    if (!handle) return Error::Internal("curl_easy_init failed");
    CURL* curl = handle.get();

    std::unique_ptr<curl_slist, CurlListDeleter> headers;
    for (const auto& [name, value] : request.headers) {
      std::string line = name + ": " + value;
      curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
      if (appended == nullptr) return Error::Internal("curl_slist_append failed");
      headers.release();
      headers.reset(appended);
    }

    HttpResponse response;
    ResponseSink sink{&response.body, options_.max_response_bytes};
    char error_buffer[CURL_ERROR_SIZE] = {};

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(options_.connect_timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    if (!options_.ca_cert_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_cert_file.c_str());
    }
    if (request.method == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }

    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) return TransferError(curl, rc, error_buffer, sink.overflowed);

    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    char* content_type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type != nullptr) response.content_type = content_type;
    return response;
  }

 private:
  Error TransferError(CURL* curl, CURLcode rc, const char* error_buffer, bool overflowed) const {
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return Error::Invalid(error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc));
    }
    if (overflowed) {
      return Error::Internal("response larger than " + std::to_string(options_.max_response_bytes) +
                             " bytes");
    }
    // For connect failures the OS error ("Connection refused") says more than curl's summary.
    long os_errno = 0;
    curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
    if (rc == CURLE_COULDNT_CONNECT && os_errno != 0) {
      return Error::Unavailable(std::strerror(static_cast<int>(os_errno)));
    }
    return Error::Unavailable(error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc));
  }

  TransportOptions options_;
};

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
  }
  return "HTTP error";
}

// The first line of a non-JSON error body, bounded, for proxies that answer with text or HTML.
std::string FirstLine(std::string_view body) {
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  body.remove_prefix(start);
  body = body.substr(0, body.find_first_of("\r\n"));
  constexpr size_t kMax = 200;
  std::string line(body.substr(0, kMax));
  if (body.size() > kMax) line += "...";
  return PrintableText(line);
}

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

ErrorCode ErrorCodeForHttpStatus(int status) {
  switch (status) {
    case 400: return ErrorCode::kInvalidArgument;
    case 401: return ErrorCode::kUnauthenticated;
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 409: return ErrorCode::kConflict;
    case 413: return ErrorCode::kPayloadTooLarge;
    case 422: return ErrorCode::kUnprocessable;
    case 429: return ErrorCode::kResourceExhausted;
    case 503: return ErrorCode::kUnavailable;
  }
  return ErrorCode::kInternal;
}

Error ErrorFromHttpResponse(int status, std::string_view body) {
  std::string detail;
  std::vector<FieldError> fields;
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    detail = GetString(doc, "detail");
    if (detail.empty()) detail = GetString(doc, "title");
    if (detail.empty()) detail = GetString(doc, "message");
    auto errors = doc.find("errors");
    if (errors != doc.end() && errors->is_array()) {
      for (const auto& e : *errors) {
        if (e.is_object()) {
          fields.push_back({GetString(e, "pointer"), GetString(e, "detail")});
        } else if (e.is_string()) {
          fields.push_back({"", e.get<std::string>()});
        }
      }
    }
    detail = PrintableText(detail);
  } else {
    detail = FirstLine(body);
  }
  if (detail.empty()) detail = ReasonPhrase(status);
  std::string message = detail;
  const bool print_fields = status != 409;
  for (size_t i = 0; print_fields && i < fields.size(); ++i) {
    message += i == 0 ? ": " : "; ";
    if (!fields[i].pointer.empty()) message += PrintableText(fields[i].pointer) + " ";
    message += PrintableText(fields[i].detail);
  }
  message += " (HTTP " + std::to_string(status) + ")";
  return Error{ErrorCodeForHttpStatus(status), std::move(message), std::move(fields)};
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Status ValidateServerUrl(std::string_view url) {
  auto has_host_after = [&](std::string_view scheme) {
    return url.substr(0, scheme.size()) == scheme && url.size() > scheme.size();
  };
  if (has_host_after("http://") || has_host_after("https://")) return OkStatus();
  return Error::Invalid("invalid server URL '" + std::string(url) +
                        "': expected http://HOST:PORT or https://HOST:PORT");
}

ApiClient::ApiClient(ApiClientOptions options, std::unique_ptr<HttpTransport> transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  while (!options_.server.empty() && options_.server.back() == '/') options_.server.pop_back();
}

Result<ApiResponse> ApiClient::Get(std::string_view path, const QueryParams& query) {
  HttpRequest request;
  request.method = "GET";
  request.url = options_.server + std::string(path);
  char separator = '?';
  for (const auto& [name, value] : query) {
    if (value.empty()) continue;
    request.url += separator;
    request.url += PercentEncode(name) + "=" + PercentEncode(value);
    separator = '&';
  }
  return Send(std::move(request));
}

Result<ApiResponse> ApiClient::Post(std::string_view path, const nlohmann::json& body) {
  return SendJson("POST", path, body);
}

Result<ApiResponse> ApiClient::Patch(std::string_view path, const nlohmann::json& body) {
  return SendJson("PATCH", path, body);
}

Result<ApiResponse> ApiClient::SendJson(const char* method, std::string_view path,
                                        const nlohmann::json& body) {
  HttpRequest request;
  request.method = method;
  request.url = options_.server + std::string(path);
  request.body = body.dump();
  request.headers.emplace_back("Content-Type", "application/json");
  return Send(std::move(request));
}

Result<ApiResponse> ApiClient::Delete(std::string_view path) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = options_.server + std::string(path);
  return Send(std::move(request));
}

Result<ApiResponse> ApiClient::GetText(std::string_view path) {
  HttpRequest request;
  request.method = "GET";
  request.url = options_.server + std::string(path);
  return Send(std::move(request), /*json=*/false);
}

Result<ApiResponse> ApiClient::Send(HttpRequest request, bool json) {
  request.headers.emplace_back("Accept", json ? "application/json" : "text/*");
  if (!options_.user_agent.empty()) request.headers.emplace_back("User-Agent", options_.user_agent);
  if (!options_.token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.token);
  }
  Result<HttpResponse> sent = transport_->Send(request);
  if (!sent.ok()) {
    const Error& e = sent.error();
    if (e.code == ErrorCode::kInvalidArgument) {
      return Error::Invalid("invalid server URL '" + options_.server + "': " + e.message);
    }
    if (e.code == ErrorCode::kUnavailable) {
      return Error::Unavailable("cannot reach " + options_.server + ": " + e.message);
    }
    return WithContext("request to " + options_.server + " failed", std::move(sent).error());
  }
  HttpResponse& http = sent.value();
  if (http.status < 200 || http.status > 299) return ErrorFromHttpResponse(http.status, http.body);

  ApiResponse response;
  response.status = http.status;
  response.body = std::move(http.body);
  if (json && !response.body.empty()) {
    response.json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (response.json.is_discarded()) {
      return Error::Internal("the server answered HTTP " + std::to_string(response.status) +
                             " with a body that is not JSON");
    }
  }
  return response;
}

}  // namespace loom
