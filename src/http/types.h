// The HTTP layer's own request/response values, independent of Boost.Beast so that the router,
// the handlers and their tests never include Beast or Asio (one TU, server.cc, does).
//
// Thread safety: value types. A ResponseSink is thread-safe (see below).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loom {
struct Principal;  // accounts/principal.h
}  // namespace loom

namespace loom::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
const char* MethodName(Method m);

// One parsed request. The views point into the connection's buffers and stay valid until the
// response for this request has been handed to its ResponseSink.
struct Request {
  Method method = Method::kGet;
  std::string_view target;         // path and query as received, e.g. "/v1/alerts?limit=5"
  std::string_view path;           // "/v1/alerts"
  std::string_view query;          // "limit=5" (no '?'); empty when absent
  std::string_view authorization;  // the Authorization header, "" when absent
  std::string_view admin_token;    // the x-loom-admin-token header, "" when absent
  std::string_view body;
  // For the web console's sessions (http/session.h); "" when absent.
  std::string_view cookie;                 // the Cookie header
  std::string_view origin;                 // the Origin header
  std::string_view host;                   // the Host header
  std::string_view csrf_token;             // the X-CSRF-Token header
  std::string_view twilio_signature;       // the X-Twilio-Signature header (twilio_handlers.cc)
  std::string_view telegram_secret_token;  // the X-Telegram-Bot-Api-Secret-Token header
  bool tls = false;                        // received over TLS
  // The peer's IP address ("" when unknown): what local sign-in's brake counts per address. Behind
  // a reverse proxy it is the proxy's (X-Forwarded-For is not trusted).
  std::string_view client_address;
  // Who Api::Handle authenticated for the route's access (http/route_access.h); null on a route
  // whose handler checks its own credential. Valid while the handler runs, not in its callbacks.
  const loom::Principal* caller = nullptr;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;            // the Allow header (405 answers); empty = none
  int retry_after_seconds = 0;  // the Retry-After header when > 0 (429, 503)
  bool close = false;           // close the connection after this response
  // Further header fields, written as given. REQUIRES: names and values without CR or LF.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Where a handler delivers its one response. Send may be called from any thread (e.g. the store's
// writer thread): the connection posts the response onto its own executor before touching the
// socket. Dropping the last reference without calling Send answers 500, so a lost callback never
// hangs a connection.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // REQUIRES: called at most once.
  virtual void Send(Response response) = 0;
};
using Reply = std::shared_ptr<ResponseSink>;

}  // namespace loom::http
