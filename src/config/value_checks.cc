#include "config/value_checks.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace loom::config {
namespace {

// The parts of SCHEME://[USERINFO@]HOST[:PORT][REST] that the checks below look at.
struct UrlParts {
  std::string_view scheme;  // lower case as written; the checks compare exactly
  bool has_userinfo = false;
  std::string_view host;  // without brackets for IPv6
  std::string_view port;  // "" when absent
  std::string_view rest;  // path, query and fragment
};

// "" when `url` splits into UrlParts with a plausible host and port, else the reason (which never
// repeats the URL: it may be a secret). A simple shape check; which hosts may be reached is
// decided by the delivery code (notify.allow_hosts).
std::string SplitUrl(std::string_view url, UrlParts* out) {
  for (char c : url) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return "must not contain spaces or control characters";
  }
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return "has no scheme (SCHEME://HOST...)";
  out->scheme = url.substr(0, sep);
  std::string_view after = url.substr(sep + 3);
  const size_t end = after.find_first_of("/?#");
  std::string_view authority = after.substr(0, end);
  out->rest = end == std::string_view::npos ? std::string_view() : after.substr(end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out->has_userinfo = true;
    authority = authority.substr(at + 1);
  }
  std::string_view port_part;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return "has a malformed IPv6 address";
    out->host = authority.substr(1, close - 1);
    if (out->host.empty() ||
        out->host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return "has a malformed IPv6 address";
    }
    port_part = authority.substr(close + 1);
    if (!port_part.empty() && !port_part.starts_with(':')) return "has a malformed IPv6 address";
  } else {
    const size_t colon = authority.find(':');
    out->host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_part = authority.substr(colon);
    if (out->host.empty()) return "has no host";
    if (out->host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789.-_") != std::string_view::npos) {
      return "has an invalid host";
    }
  }
  if (!port_part.empty()) {
    out->port = port_part.substr(1);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(out->port.data(), out->port.data() + out->port.size(), value);
    if (out->port.empty() || ec != std::errc() || p != out->port.data() + out->port.size() ||
        value == 0 || value > 65535) {
      return "has an invalid port (1-65535)";
    }
  }
  return "";
}

}  // namespace

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string ListenProblem(std::string_view listen) {
  const std::string expected = "expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos)
    return "'" + std::string(listen) + "' has no port; " + expected;
  std::string_view host = listen.substr(0, colon);
  std::string_view port = listen.substr(colon + 1);
  if (host.empty()) return "'" + std::string(listen) + "' has no host; " + expected;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']' ||
        host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") !=
            std::string_view::npos) {
      return "'" + std::string(listen) + "' has a malformed IPv6 address; " + expected;
    }
  } else if (host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789.-") != std::string_view::npos) {
    return "'" + std::string(listen) + "' has an invalid host (IPv6 addresses go in brackets); " +
           expected;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return "'" + std::string(listen) + "' has an invalid port (0-65535); " + expected;
  }
  return "";
}

std::string HttpUrlProblem(std::string_view url) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return "must start with http:// or https://";
  UrlParts parts;
  return SplitUrl(url, &parts);
}

std::string SmtpUrlProblem(std::string_view url) {
  if (!url.starts_with("smtp://") && !url.starts_with("smtps://"))
    return "must start with smtp:// or smtps://";
  UrlParts parts;
  if (std::string why = SplitUrl(url, &parts); !why.empty()) return why;
  if (parts.has_userinfo) return "must not contain credentials (use username and password_env)";
  if (parts.port.empty()) return "needs a port, e.g. smtp://mail.example.com:587";
  if (!parts.rest.empty() && parts.rest != "/") return "must not have a path (smtp://HOST:PORT)";
  return "";
}

bool IsE164Number(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

bool IsEmailAddress(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == ',' ||
        c == ';' || c == '"') {
      return false;
    }
  }
  return true;
}

bool IsWebhookSecret(std::string_view s) {
  constexpr std::string_view kPrefix = "whsec_";
  if (!s.starts_with(kPrefix) || s.size() == kPrefix.size()) return false;
  for (char c : s.substr(kPrefix.size())) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=')
      return false;
  }
  return true;
}

bool IsValidUserId(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

}  // namespace loom::config
