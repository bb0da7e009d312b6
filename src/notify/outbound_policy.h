// OutboundPolicy: which hosts outbound notifications (every channel's URL, SMTP) may connect to.
//
// Destination URLs come from configuration and from API users, so a URL could point the server
// at its own admin endpoints, a cloud metadata service or another internal host (SSRF). The
// policy refuses addresses that are loopback, private (RFC 1918), CGNAT (100.64/10), link-local,
// unique-local IPv6, unspecified, multicast or reserved — also in their IPv4-mapped IPv6 form —
// unless the operator listed the host name or the address in `notify.allow_hosts`. Public
// addresses are always allowed.
//
// The decision that counts is taken at connect time on the socket address libcurl is about to
// connect to (ConnectGuard), so a name that resolves to a public address during validation and
// to an internal one later (DNS rebinding) is still refused. CheckUrl is the early, friendlier
// check for configuration: it refuses what it can know from the URL alone.
//
// Thread safety: OutboundPolicy is immutable after Create; all const methods are thread-safe.
// A ConnectGuard belongs to one transfer (one thread).
#pragma once

#include <curl/curl.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace loom {

// An IPv4 (4 bytes used) or IPv6 (16 bytes) address. IPv4-mapped IPv6 addresses
// (::ffff:a.b.c.d) are stored as IPv4 so one rule covers both spellings.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  // A literal "10.1.2.3", "::1", "[::1]" or "fe80::1%eth0" (the zone is ignored); nullopt if
  // `text` is not an IP literal.
  static std::optional<IpAddress> Parse(std::string_view text);
  static std::optional<IpAddress> FromSockaddr(const sockaddr* addr, socklen_t len);
  std::string ToString() const;
};

// True for addresses that reach the local host or a private network (see the file comment).
bool IsInternalAddress(const IpAddress& address);

// 127.0.0.0/8 or ::1 (mapped forms included).
bool IsLoopbackAddress(const IpAddress& address);

class OutboundPolicy {
 public:
  // Allows public addresses only.
  OutboundPolicy() = default;

  // Each entry is a host name ("smtp.internal", compared case-insensitively, no wildcards), an IP
  // address ("10.0.0.5", "::1") or a CIDR range ("10.0.0.0/8", "fd00::/8"). kInvalidArgument
  // naming the first malformed entry (an empty entry, a bad prefix length, a URL).
  static Result<OutboundPolicy> Create(const std::vector<std::string>& allow_hosts);

  // For configuration: scheme http or https, a host present, and not a literal internal address
  // (or "localhost") that the list does not allow. Names are resolved only at connect time.
  Status CheckUrl(const std::string& url) const;
  // The same rules for a bare host name or IP literal (the SMTP server of e-mail).
  Status CheckHost(std::string_view host) const;

  // May a connection to `address` be opened for a URL whose host is `host`? True when the
  // address is public, or when either the host name or the address is allowed.
  bool AllowsConnection(std::string_view host, const IpAddress& address) const;

 private:
  struct Range {
    IpAddress base;
    int prefix = 0;
  };
  bool NameAllowed(std::string_view host) const;
  bool AddressAllowed(const IpAddress& address) const;

  std::vector<std::string> names_;  // lower case, no trailing dot
  std::vector<Range> ranges_;
};

// "scheme://host:port" of a URL (the default port filled in), for logs and errors: never the path
// or query, which for Slack webhooks is the secret. "(invalid URL)" if it does not parse.
std::string UrlOrigin(const std::string& url);

// The host part of a URL, brackets removed from IPv6 literals; "" if the URL does not parse.
std::string UrlHost(const std::string& url);

// Enforces a policy on one libcurl easy handle through CURLOPT_OPENSOCKETFUNCTION: every socket
// libcurl wants to open is checked against the policy first, on the resolved address.
//
// REQUIRES: the guard outlives the transfer on the handle it is installed on.
class ConnectGuard {
 public:
  ConnectGuard(const OutboundPolicy& policy, std::string host)
      : policy_(policy), host_(std::move(host)) {}
  ConnectGuard(const ConnectGuard&) = delete;
  ConnectGuard& operator=(const ConnectGuard&) = delete;

  void Install(CURL* curl);

  // After the transfer: some address was refused and no socket was opened, so the failure is
  // the policy's and not the network's.
  bool RefusedOnly() const { return !refused_.empty() && opened_ == 0; }
  // "destination not allowed: <host>" plus the refused address when the host is a name.
  std::string RefusalMessage() const;

 private:
  static curl_socket_t Open(void* self, curlsocktype purpose, curl_sockaddr* address);

  const OutboundPolicy& policy_;
  std::string host_;
  std::string refused_;  // the last refused address
  int opened_ = 0;
};

// "destination not allowed: <host>", the one wording of a refusal.
std::string DestinationNotAllowed(std::string_view host);

}  // namespace loom
