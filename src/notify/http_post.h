// HttpPost: one blocking HTTP(S) POST through libcurl, for the channels that post to a URL.
//
// Every request goes through an OutboundPolicy checked on the socket address at connect time.
// Only http and https are spoken, redirects are not followed (a 3xx is returned as it is),
// environment proxies are ignored (through a proxy the guard would check the proxy, not the
// destination), TLS certificates are always verified. The response body is kept up to a cap;
// a longer body ends the transfer, keeping the status.
//
// Thread safety: HttpPost may be called from any number of threads at once; each call uses its
// own easy handle.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "notify/channel.h"
#include "notify/outbound_policy.h"

namespace loom {

struct HttpRequest {
  std::string url;
  std::string body;                  // sent as is (POST only)
  bool get = false;                  // GET instead of POST (HttpGet in src/probe/probe_client.h)
  std::vector<std::string> headers;  // "Name: value"; Content-Type is the caller's to set
  Duration timeout = std::chrono::seconds(10);  // whole transfer, connect included
  size_t max_response_bytes = 16 * 1024;
};

struct HttpResponse {
  enum class Transport {
    kCompleted,  // a status line arrived (any status)
    kRefused,    // the policy refused every address: nothing was sent
    kFailed,     // DNS, connect, TLS, timeout, reset
  };
  Transport transport = Transport::kFailed;
  int status = 0;
  std::string body;                     // at most max_response_bytes
  std::optional<Duration> retry_after;  // from a Retry-After header, relative to `now`
  std::string error;  // kRefused/kFailed: short, with the URL's origin only (no path or query)
};

// Performs the POST. `now` is the time Retry-After dates are measured from.
HttpResponse HttpPost(const OutboundPolicy& policy, const HttpRequest& request, TimePoint now);

// A Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT",
// also the obsolete RFC 850 and asctime forms). A date in the past gives zero. nullopt for
// anything else (negative numbers, garbage).
std::optional<Duration> ParseRetryAfter(std::string_view value, TimePoint now);

// The SendResult of a transfer that got no status line (refused by policy → kRejected, other
// failures → kRetry). REQUIRES: response.transport != kCompleted.
SendResult TransportFailure(const HttpResponse& response);

// `text` reduced to one short printable line (at most `max` bytes) for SendResult::error.
std::string ShortPrintable(std::string_view text, size_t max = 120);

}  // namespace loom
