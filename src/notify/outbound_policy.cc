#include "notify/outbound_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>

namespace loom {
namespace {

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr std::array<uint8_t, 12> kNat64Prefix = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Host names compare without case and without the trailing dot of a fully qualified name.
std::string NormalizeName(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return Lower(host);
}

bool StartsWith(const std::array<uint8_t, 16>& bytes, const std::array<uint8_t, 12>& prefix) {
  return std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

IpAddress V4(const uint8_t* four) {
  IpAddress a;
  std::copy(four, four + 4, a.bytes.begin());
  return a;
}

IpAddress FromV6Bytes(const uint8_t* sixteen) {
  IpAddress a;
  a.v6 = true;
  std::copy(sixteen, sixteen + 16, a.bytes.begin());
  // The mapped form reaches the same IPv4 host: judge it as that host.
  if (StartsWith(a.bytes, kMappedPrefix)) return V4(sixteen + 12);
  return a;
}

// Whether the first `prefix` bits of `a` and `b` agree (same family assumed).
bool PrefixMatches(const IpAddress& a, const IpAddress& b, int prefix) {
  int full = prefix / 8;
  for (int i = 0; i < full; ++i) {
    if (a.bytes[i] != b.bytes[i]) return false;
  }
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[full] & mask) == (b.bytes[full] & mask);
}

struct InternalRange {
  const char* base;
  int prefix;
};

// Ranges that are never a legitimate public notification receiver.
constexpr InternalRange kInternalV4[] = {
    {"0.0.0.0", 8},       // "this network", includes the unspecified address
    {"10.0.0.0", 8},      // RFC 1918
    {"100.64.0.0", 10},   // carrier-grade NAT
    {"127.0.0.0", 8},     // loopback
    {"169.254.0.0", 16},  // link-local, cloud metadata services
    {"172.16.0.0", 12},   // RFC 1918
    {"192.0.0.0", 24},    // IETF protocol assignments
    {"192.168.0.0", 16},  // RFC 1918
    {"198.18.0.0", 15},   // benchmarking
    {"224.0.0.0", 4},     // multicast
    {"240.0.0.0", 4},     // reserved, broadcast
};
constexpr InternalRange kInternalV6[] = {
    {"::", 96},      // unspecified, loopback, deprecated IPv4-compatible
    {"fc00::", 7},   // unique local
    {"fe80::", 10},  // link-local
    {"fec0::", 10},  // site-local (deprecated)
    {"ff00::", 8},   // multicast
};

struct ParsedRange {
  IpAddress base;
  int prefix;
};

// The table above, parsed once.
template <size_t N>
std::vector<ParsedRange> ParseRanges(const InternalRange (&ranges)[N]) {
  std::vector<ParsedRange> out;
  for (const InternalRange& r : ranges) out.push_back({*IpAddress::Parse(r.base), r.prefix});
  return out;
}

bool InRanges(const IpAddress& address, const std::vector<ParsedRange>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const ParsedRange& r) {
    return PrefixMatches(address, r.base, r.prefix);
  });
}

bool IsLocalhostName(std::string_view name) {
  // RFC 6761: "localhost" and its subdomains always resolve to loopback.
  return name == "localhost" || (name.size() > 10 && name.ends_with(".localhost"));
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::string UrlPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

UrlHandle ParseUrl(const std::string& url) {
  UrlHandle handle(curl_url());
  if (!handle) return nullptr;
  // Only URLs with a scheme: a bare "example.com" in a config is a mistake worth reporting.
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return nullptr;
  return handle;
}

std::string StripBrackets(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (auto zone = text.find('%'); zone != std::string_view::npos) text = text.substr(0, zone);
  std::string s(text);
  uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return V4(buf);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return FromV6Bytes(buf);
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr* addr, socklen_t len) {
  if (addr == nullptr) return std::nullopt;
  if (addr->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return V4(reinterpret_cast<const uint8_t*>(&in->sin_addr));
  }
  if (addr->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    return FromV6Bytes(reinterpret_cast<const uint8_t*>(&in6->sin6_addr));
  }
  return std::nullopt;  // AF_UNIX and others: never for our transfers
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
  return buf;
}

bool IsInternalAddress(const IpAddress& address) {
  static const std::vector<ParsedRange> v4 = ParseRanges(kInternalV4);
  static const std::vector<ParsedRange> v6 = ParseRanges(kInternalV6);
  if (!address.v6) return InRanges(address, v4);
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address.
  if (StartsWith(address.bytes, kNat64Prefix)) return IsInternalAddress(V4(&address.bytes[12]));
  return InRanges(address, v6);
}

bool IsLoopbackAddress(const IpAddress& address) {
  if (!address.v6) return address.bytes[0] == 127;
  static const IpAddress kV6Loopback = *IpAddress::Parse("::1");
  return address.bytes == kV6Loopback.bytes;
}

Result<OutboundPolicy> OutboundPolicy::Create(const std::vector<std::string>& allow_hosts) {
  OutboundPolicy policy;
  for (const std::string& entry : allow_hosts) {
    auto invalid = [&](std::string why) {
      return Error::Invalid("notify.allow_hosts: \"" + entry + "\": " + std::move(why));
    };
    if (entry.empty()) return invalid("empty entry");
    if (entry.find("://") != std::string::npos || entry.find('/') == 0) {
      return invalid("expected a host name, an IP address or a CIDR range, not a URL");
    }
    auto slash = entry.find('/');
    auto address = IpAddress::Parse(std::string_view(entry).substr(0, slash));
    if (slash != std::string::npos) {
      if (!address) return invalid("not a CIDR range");
      std::string_view bits = std::string_view(entry).substr(slash + 1);
      int prefix = -1;
      auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      int max_prefix = address->v6 ? 128 : 32;
      // "::ffff:10.0.0.0/104" was stored as IPv4: its prefix counts from the IPv4 part.
      bool mapped = !address->v6 && entry.find(':') != std::string::npos;
      if (mapped) {
        prefix -= 96;
        max_prefix = 32;
      }
      if (ec != std::errc() || end != bits.data() + bits.size() || prefix < 0 ||
          prefix > max_prefix) {
        return invalid("bad prefix length");
      }
      policy.ranges_.push_back({*address, prefix});
    } else if (address) {
      policy.ranges_.push_back({*address, address->v6 ? 128 : 32});
    } else {
      bool name_chars = std::all_of(entry.begin(), entry.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
      });
      if (!name_chars) return invalid("not a host name");
      policy.names_.push_back(NormalizeName(entry));
    }
  }
  return policy;
}

bool OutboundPolicy::NameAllowed(std::string_view host) const {
  std::string name = NormalizeName(host);
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

bool OutboundPolicy::AddressAllowed(const IpAddress& address) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const Range& r) {
    return r.base.v6 == address.v6 && PrefixMatches(address, r.base, r.prefix);
  });
}

bool OutboundPolicy::AllowsConnection(std::string_view host, const IpAddress& address) const {
  return !IsInternalAddress(address) || NameAllowed(host) || AddressAllowed(address);
}

Status OutboundPolicy::CheckHost(std::string_view host) const {
  if (host.empty()) return Error::Invalid("URL has no host");
  if (NameAllowed(host)) return OkStatus();
  if (auto address = IpAddress::Parse(host)) {
    if (AllowsConnection(host, *address)) return OkStatus();
    return Error::Invalid(DestinationNotAllowed(host));
  }
  // A name we know resolves to loopback: allowed when the loopback address itself is.
  if (IsLocalhostName(NormalizeName(host)) && !AddressAllowed(*IpAddress::Parse("127.0.0.1")) &&
      !AddressAllowed(*IpAddress::Parse("::1"))) {
    return Error::Invalid(DestinationNotAllowed(host));
  }
  return OkStatus();
}

Status OutboundPolicy::CheckUrl(const std::string& url) const {
  UrlHandle parsed = ParseUrl(url);
  if (!parsed) return Error::Invalid("not a valid URL");
  std::string scheme = Lower(UrlPart(parsed.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") {
    return Error::Invalid("URL scheme must be http or https, not \"" + scheme + "\"");
  }
  return CheckHost(StripBrackets(UrlPart(parsed.get(), CURLUPART_HOST)));
}

std::string UrlOrigin(const std::string& url) {
  UrlHandle parsed = ParseUrl(url);
  if (!parsed) return "(invalid URL)";
  std::string host = UrlPart(parsed.get(), CURLUPART_HOST);
  if (host.empty()) return "(invalid URL)";
  return UrlPart(parsed.get(), CURLUPART_SCHEME) + "://" + host + ":" +
         UrlPart(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
}

std::string UrlHost(const std::string& url) {
  UrlHandle parsed = ParseUrl(url);
  return parsed ? StripBrackets(UrlPart(parsed.get(), CURLUPART_HOST)) : "";
}

std::string DestinationNotAllowed(std::string_view host) {
  return "destination not allowed: " + std::string(host);
}

void ConnectGuard::Install(CURL* curl) {
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &ConnectGuard::Open);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, this);
}

curl_socket_t ConnectGuard::Open(void* self, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<ConnectGuard*>(self);
  // Only outgoing connections: no protocol we enable accepts connections.
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  auto ip = IpAddress::FromSockaddr(&address->addr, address->addrlen);
  if (!ip || !guard->policy_.AllowsConnection(guard->host_, *ip)) {
    guard->refused_ = ip ? ip->ToString() : "(unknown address family)";
    return CURL_SOCKET_BAD;
  }
  curl_socket_t fd = socket(address->family, address->socktype, address->protocol);
  if (fd != CURL_SOCKET_BAD) ++guard->opened_;
  return fd;
}

std::string ConnectGuard::RefusalMessage() const {
  std::string message = DestinationNotAllowed(host_);
  if (!refused_.empty() && refused_ != host_) message += " (" + refused_ + ")";
  return message;
}

}  // namespace loom
