// YAML configuration loader (the reference is docs/configuration.md).
//
// yaml-cpp throws; every call into it happens below ParseConfig/LoadConfig/DemoConfig, which
// catch at the edge. The walker visits mappings by iterating their pairs (never operator[] on a
// missing key), so each key and value keeps its YAML::Mark for the error line.

#include "config/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string_view>
#include <utility>

#include "common/crypto.h"
#include "common/time_format.h"
#include "notify/channels.h"

namespace loom {
namespace {

constexpr char kAdminTokenEnv[] = "LOOM_ONCALL_ADMIN_TOKEN";
constexpr size_t kMinAdminTokenLength = 16;
constexpr size_t kIntegrationKeyLength = 32;
constexpr size_t kMinLinkSecretLength = 32;  // notify.link_secret_env

// Sections of later features: accepted, kept as YAML text, not validated yet.
constexpr std::string_view kDeferredSections[] = {"escalation"};

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsEnvName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// "" when `listen` is HOST:PORT (HOST a name, an IPv4 address or a bracketed IPv6 address;
// PORT 0-65535), else the reason.
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

// "" when `url` is an http:// or https:// URL with a host, else the reason (without the URL).
std::string HttpUrlProblem(std::string_view url) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return "must start with http:// or https://";
  UrlParts parts;
  return SplitUrl(url, &parts);
}

// "" when `url` is smtp://HOST:PORT or smtps://HOST:PORT (an optional trailing '/'), else the
// reason. Credentials in the URL are refused: the password comes only from password_env.
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

// Looks like an address (local@domain) that is safe in a mail header: one '@' with text on both
// sides, no spaces, control characters or header punctuation.
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

// A Standard Webhooks signing secret: "whsec_" and base64 (what the webhook channel signs with).
bool IsWebhookSecret(std::string_view s) {
  constexpr std::string_view kPrefix = "whsec_";
  if (!s.starts_with(kPrefix) || s.size() == kPrefix.size()) return false;
  for (char c : s.substr(kPrefix.size())) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=')
      return false;
  }
  return true;
}

// One key of a mapping with its nodes (for marks).
struct Entry {
  YAML::Node key;
  YAML::Node value;
};
using Entries = std::map<std::string, Entry, std::less<>>;

const Entry* Find(const Entries& entries, std::string_view key) {
  auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// 1-based line of `node`, 0 when unknown.
int LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

// Walks one YAML document into a Config, collecting every problem.
class ConfigParser {
 public:
  ConfigParser(std::string source, const EnvLookup& env) : source_(std::move(source)), env_(env) {}

  Result<Config> Parse(const std::string& text);

  // The line of `store.kind` (0 when not set), for LoadConfig's build-capability error.

 private:
  void Report(int line, const std::string& path, const std::string& reason) {
    std::string msg = source_;
    if (line > 0) msg += ":" + std::to_string(line);
    msg += ": ";
    if (!path.empty()) msg += path + ": ";
    msg += reason;
    fields_.push_back({path, msg});
  }
  void Report(const YAML::Node& at, const std::string& path, const std::string& reason) {
    Report(LineOf(at), path, reason);
  }

  const char* Env(const std::string& name) const { return env_ ? env_(name.c_str()) : nullptr; }

  // The pairs of mapping `node`; reports a non-mapping, non-scalar or duplicate keys and keys
  // outside `allowed` and `also_allowed` (reserved keys, left out of the "expected" hint). A null
  // node (`server:` with nothing after it) is an empty mapping.
  std::optional<Entries> Mapping(const YAML::Node& node, const std::string& path,
                                 std::initializer_list<std::string_view> allowed,
                                 std::span<const std::string_view> also_allowed = {});

  // Scalar readers. A null value counts as absent (return false, no error).
  bool String(const Entry* e, const std::string& path, std::string* out);
  bool Int(const Entry* e, const std::string& path, int64_t min, int64_t max, int64_t* out);
  bool Bool(const Entry* e, const std::string& path, bool* out);
  // A duration ("30s", "5m", "1h30m"; common/time_format.h); zero only when `allow_zero`.
  bool DurationValue(const Entry* e, const std::string& path, bool allow_zero, Duration* out);
  // The value of the environment variable named by `e` (`*_env` keys): false (reported) when no
  // variable is named, the name is not a variable name, or the variable is unset or empty.
  // Messages name the variable, never its value.
  bool EnvValue(const Entry* e, const std::string& path, std::string* name, std::string* value);

  void ParseServer(const Entry& e, ServerConfig* out);
  void ParseStore(const Entry& e, StoreConfig* out);
  void ParseLog(const Entry& e, LogOptions* out);
  void ParseDrills(const Entry& e, DrillSettings* out);
  void ParseServices(const Entry& e, std::vector<ServiceConfig>* out);
  void ParseService(const YAML::Node& node, const std::string& path, ServiceConfig* out);
  void ParseProbe(const Entry& e, const std::string& path, ProbeConfig* out);
  void ParseGrouping(const Entry& e, const std::string& path, AlertGrouping* out);
  void ParseIntegrationKey(const YAML::Node& node, const std::string& path,
                           std::vector<std::string>* out);

  // ---- users, schedules, roles, business hours ----
  // Calls `item(node, path)` for each element of the list `e`; reports a non-list.
  void ForEachItem(const Entry& e, const std::string& path, const char* hint,
                   const std::function<void(const YAML::Node&, const std::string&)>& item);
  // Parses each element of the list `e` with `parse` into `out`.
  template <typename T>
  void ParseItems(const Entry& e, const std::string& path, const char* hint, std::vector<T>* out,
                  void (ConfigParser::*parse)(const YAML::Node&, const std::string&, T*)) {
    ForEachItem(e, path, hint, [&](const YAML::Node& node, const std::string& item_path) {
      T item;
      (this->*parse)(node, item_path, &item);
      out->push_back(std::move(item));
    });
  }
  // A required string key of mapping `m` (defined at `node`); false (reported) when missing.
  bool RequiredString(const Entries& m, const YAML::Node& node, const std::string& path,
                      std::string_view key, std::string* out);
  // A string that must pass `check`; its error message becomes the reason.
  bool CheckedString(const Entry* e, const std::string& path, std::string* out,
                     const std::function<Status(const std::string&)>& check);
  void ParseUsers(const Entry& e, std::vector<UserConfig>* out);
  void ParseUser(const YAML::Node& node, const std::string& path, UserConfig* out);
  // `ids` receives every contact method id written (also of invalid methods, so that rules
  // naming them are not reported twice).
  void ParseContactMethods(const Entry& e, const std::string& path, std::vector<ContactMethod>* out,
                           std::set<std::string>* ids);
  void ParseNotificationRules(const Entry& e, const std::string& path,
                              const std::set<std::string>& method_ids, User* out);

  // ---- delivery: web destinations, incident channels, notify ----
  // The URL and, for signed types, the signing secrets of a destination whose channel type
  // takes a URL (notify/channels.h): `url` XOR `url_env`, `secret_env` (signed types, optional).
  struct WebDestination {
    std::string url;
    std::string url_env;
    std::string secret_env;
    std::vector<std::string> secrets;
  };
  void ParseWebDestination(const Entries& m, const YAML::Node& node, const std::string& path,
                           const std::string& type, WebDestination* out);
  void ParseIncidentChannels(const Entry& e, const std::string& path,
                             std::vector<IncidentChannelConfig>* out);
  void ParseNotify(const Entry& e, NotifyConfig* out);
  void ParseSmtp(const Entry& e, const std::string& path, SmtpConfig* out);
  void ParseSchedules(const Entry& e, std::vector<ScheduleConfig>* out);
  void ParseSchedule(const YAML::Node& node, const std::string& path, ScheduleConfig* out);
  void ParseLayer(const YAML::Node& node, const std::string& path, RotationLayer* out);
  void ParseRestriction(const YAML::Node& node, const std::string& path, Restriction* out);
  void ParseOverride(const YAML::Node& node, const std::string& path, OverrideConfig* out);
  // A configured user id; `what` names the key in the message.
  void CheckUserRef(const YAML::Node& at, const std::string& path, const std::string& user);
  void ParseRoles(const Entry& e, const std::string& path, std::map<OnCallRole, std::string>* out);
  void ParseBusinessHours(const Entry& e, const std::string& path, BusinessHoursConfig* out);
  void ParseSeverityMap(const Entry& e, const std::string& path, SeverityMapping* out);
  void ParsePolicy(const Entry& e, PolicyOverrides* out);
  void ParseSecurity(const Entry& e, SecurityPlaybookConfig* out);
  void ParseSeverityOverride(const Entry& e, const std::string& path, SeverityOverride* out);
  // A policy duration ("5m", "15 minutes", "1 business hour"); false when absent or invalid.
  bool PolicyDurationValue(const Entry* e, const std::string& path, PolicyDuration* out);
  // "config <file>:<line>" for a value set at `node`.
  std::string ConfigSource(const YAML::Node& node) const {
    return "config " + source_ + ":" + std::to_string(LineOf(node));
  }

  std::string source_;
  const EnvLookup& env_;
  std::vector<FieldError> fields_;
  bool smtp_configured_ = false;  // `notify.smtp` is set (e-mail contact methods need it)
  std::map<std::string, int> service_id_lines_;
  std::map<std::string, int> user_id_lines_;      // configured user id → line
  std::map<std::string, int> schedule_id_lines_;  // configured schedule id → line
  // Integration key value → where it was first configured (path, line).
  std::map<std::string, std::pair<std::string, int>> key_sites_;
};

std::optional<Entries> ConfigParser::Mapping(const YAML::Node& node, const std::string& path,
                                             std::initializer_list<std::string_view> allowed,
                                             std::span<const std::string_view> also_allowed) {
  if (node.IsNull()) return Entries{};
  if (!node.IsMap()) {
    Report(node, path, "must be a mapping (key: value lines)");
    return std::nullopt;
  }
  Entries entries;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      Report(key, path, "keys must be plain words");
      continue;
    }
    const std::string& name = key.Scalar();
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    for (auto a : also_allowed) known = known || a == name;
    if (!known) {
      std::string expected;
      for (auto a : allowed) expected += (expected.empty() ? "" : ", ") + std::string(a);
      Report(key, Join(path, name), "unknown key (expected one of: " + expected + ")");
      continue;
    }
    if (const Entry* first = Find(entries, name)) {
      Report(key, Join(path, name),
             "duplicate key (first set at line " + std::to_string(LineOf(first->key)) + ")");
      continue;
    }
    entries.emplace(name, Entry{key, it->second});
  }
  return entries;
}

bool ConfigParser::String(const Entry* e, const std::string& path, std::string* out) {
  if (e == nullptr || e->value.IsNull()) return false;
  if (!e->value.IsScalar()) {
    Report(e->value, path, "must be a string");
    return false;
  }
  *out = e->value.Scalar();
  return true;
}

bool ConfigParser::Int(const Entry* e, const std::string& path, int64_t min, int64_t max,
                       int64_t* out) {
  if (e == nullptr || e->value.IsNull()) return false;
  int64_t value = 0;
  bool parsed = false;
  if (e->value.IsScalar()) {
    const std::string& s = e->value.Scalar();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    parsed = !s.empty() && ec == std::errc() && end == s.data() + s.size();
  }
  if (!parsed || value < min || value > max) {
    Report(e->value, path,
           "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  *out = value;
  return true;
}

bool ConfigParser::Bool(const Entry* e, const std::string& path, bool* out) {
  if (e == nullptr || e->value.IsNull()) return false;
  bool value = false;
  if (!e->value.IsScalar() || !YAML::convert<bool>::decode(e->value, value)) {
    Report(e->value, path, "must be true or false");
    return false;
  }
  *out = value;
  return true;
}

bool ConfigParser::DurationValue(const Entry* e, const std::string& path, bool allow_zero,
                                 Duration* out) {
  std::string text;
  if (!String(e, path, &text)) return false;
  auto d = ParseDuration(text);
  if (!d.ok()) {
    Report(e->value, path, d.error().message + " (e.g. 30s, 5m, 1h30m)");
    return false;
  }
  if (!allow_zero && *d <= Duration::zero()) {
    Report(e->value, path, "must be longer than 0");
    return false;
  }
  *out = *d;
  return true;
}

bool ConfigParser::EnvValue(const Entry* e, const std::string& path, std::string* name,
                            std::string* value) {
  if (e == nullptr) return false;
  if (!String(e, path, name)) {
    // A null value's mark points past it: name the key's line.
    if (e->value.IsNull()) Report(e->key, path, "names no variable");
    return false;
  }
  if (!IsEnvName(*name)) {
    Report(e->value, path, "'" + *name + "' is not an environment variable name");
    return false;
  }
  const char* v = Env(*name);
  if (v == nullptr || *v == '\0') {
    Report(e->value, path, "environment variable " + *name + " is not set");
    return false;
  }
  *value = v;
  return true;
}

void ConfigParser::ParseServer(const Entry& section, ServerConfig* out) {
  auto m = Mapping(section.value, "server",
                   {"listen", "data_dir", "public_url", "tls_cert", "tls_key", "threads"});
  if (!m) return;
  if (const Entry* e = Find(*m, "listen"); e != nullptr && e->value.IsSequence()) {
    // An unquoted [::1]:8080 is a YAML list.
    Report(e->value, "server.listen", "must be a string; quote IPv6 addresses: \"[::1]:8080\"");
  } else if (String(e, "server.listen", &out->listen)) {
    if (std::string why = ListenProblem(out->listen); !why.empty()) {
      Report(e->value, "server.listen", why);
    }
  }
  if (const Entry* e = Find(*m, "data_dir"); String(e, "server.data_dir", &out->data_dir)) {
    if (out->data_dir.empty()) Report(e->value, "server.data_dir", "must not be empty");
  }
  if (const Entry* e = Find(*m, "public_url"); String(e, "server.public_url", &out->public_url)) {
    if (!out->public_url.starts_with("http://") && !out->public_url.starts_with("https://")) {
      Report(e->value, "server.public_url", "must start with http:// or https://");
    }
    while (out->public_url.size() > 8 && out->public_url.back() == '/') out->public_url.pop_back();
  }
  const Entry* cert = Find(*m, "tls_cert");
  const Entry* key = Find(*m, "tls_key");
  String(cert, "server.tls_cert", &out->tls_cert);
  String(key, "server.tls_key", &out->tls_key);
  if (!out->tls_cert.empty() && out->tls_key.empty()) {
    Report(cert->value, "server.tls_cert",
           "tls_cert is set but tls_key is not (set both or neither)");
  } else if (out->tls_cert.empty() && !out->tls_key.empty()) {
    Report(key->value, "server.tls_key",
           "tls_key is set but tls_cert is not (set both or neither)");
  }
  int64_t threads = 0;
  if (Int(Find(*m, "threads"), "server.threads", 0, 256, &threads)) {
    out->threads = static_cast<int>(threads);
  }
}

void ConfigParser::ParseStore(const Entry& section, StoreConfig* out) {
  auto m = Mapping(section.value, "store", {"kind", "path", "url_env"});
  if (!m) return;
  const Entry* kind = Find(*m, "kind");
  if (String(kind, "store.kind", &out->kind)) {
    if (out->kind != "sqlite" && out->kind != "postgres") {
      Report(kind->value, "store.kind",
             "'" + out->kind + "' is not a store kind (sqlite, postgres)");
      out->kind = "sqlite";
    }
  }
  const Entry* path = Find(*m, "path");
  const Entry* url_env = Find(*m, "url_env");
  String(path, "store.path", &out->path);
  String(url_env, "store.url_env", &out->url_env);
  if (out->kind == "postgres") {
    if (!out->path.empty()) Report(path->key, "store.path", "applies only to kind: sqlite");
    if (out->url_env.empty()) {
      Report(kind->value, "store.url_env",
             "is required for kind: postgres (the environment variable holding the URL)");
    } else if (!IsEnvName(out->url_env)) {
      Report(url_env->value, "store.url_env",
             "'" + out->url_env + "' is not an environment variable name");
    } else if (const char* v = Env(out->url_env); v == nullptr || *v == '\0') {
      Report(url_env->value, "store.url_env",
             "environment variable " + out->url_env + " is not set");
    } else {
      out->url = v;
    }
  } else if (!out->url_env.empty()) {
    Report(url_env->key, "store.url_env", "applies only to kind: postgres");
  }
}

void ConfigParser::ParseLog(const Entry& section, LogOptions* out) {
  auto m = Mapping(section.value, "log", {"level"});
  if (!m) return;
  const Entry* level = Find(*m, "level");
  if (String(level, "log.level", &out->level)) {
    const auto& l = out->level;
    if (l != "trace" && l != "debug" && l != "info" && l != "warn" && l != "error") {
      Report(level->value, "log.level",
             "'" + l + "' is not a log level (trace, debug, info, warn, error)");
      out->level = "info";
    }
  }
}

void ConfigParser::ParseDrills(const Entry& section, DrillSettings* out) {
  auto m = Mapping(section.value, "drills", {"dir", "every", "alternate", "service"});
  if (!m) return;
  if (String(Find(*m, "dir"), "drills.dir", &out->dir) && out->dir.empty()) {
    Report(Find(*m, "dir")->value, "drills.dir", "must not be empty");
  }
  std::string every;
  if (const Entry* e = Find(*m, "every"); String(e, "drills.every", &every)) {
    Result<DrillInterval> interval = ParseDrillInterval(every);
    if (interval.ok()) {
      out->every = *interval;
    } else {
      Report(e->value, "drills.every", interval.error().message);
    }
  }
  if (const Entry* e = Find(*m, "alternate"); e != nullptr && !e->value.IsNull()) {
    if (!e->value.IsSequence() || e->value.size() == 0) {
      Report(e->value, "drills.alternate", "must be a list of scenarios: availability, security");
    } else {
      out->alternate.clear();
      for (size_t i = 0; i < e->value.size(); ++i) {
        const YAML::Node& item = e->value[i];
        std::optional<IncidentKind> kind =
            item.IsScalar() ? ParseIncidentKind(item.Scalar()) : std::nullopt;
        if (!kind || *kind == IncidentKind::kOther) {
          Report(item, Index("drills.alternate", i),
                 "'" + (item.IsScalar() ? item.Scalar() : std::string("?")) +
                     "' is not a drill scenario (availability, security)");
          continue;
        }
        out->alternate.push_back(*kind);
      }
      if (out->alternate.empty()) out->alternate = DrillSettings().alternate;
    }
  }
  if (String(Find(*m, "service"), "drills.service", &out->service) && out->service.empty()) {
    Report(Find(*m, "service")->value, "drills.service", "must not be empty");
  }
}

void ConfigParser::ParseServices(const Entry& section, std::vector<ServiceConfig>* out) {
  const YAML::Node& list = section.value;
  if (list.IsNull()) return;
  if (!list.IsSequence()) {
    Report(list, "services", "must be a list of services (lines starting with '- ')");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    ServiceConfig service;
    ParseService(list[i], Index("services", i), &service);
    out->push_back(std::move(service));
  }
}

void ConfigParser::ParseService(const YAML::Node& node, const std::string& path,
                                ServiceConfig* out) {
  auto m = Mapping(
      node, path,
      {"id", "name", "integration_keys", "severity_map", "auto_resolve", "rate_limit_per_minute",
       "roles", "business_hours", "incident_channels", "probe", "grouping"});
  if (!m) return;
  Service& s = out->service;

  const Entry* id = Find(*m, "id");
  if (!String(id, Join(path, "id"), &s.id)) {
    if (id == nullptr || id->value.IsNull()) Report(node, Join(path, "id"), "is required");
  } else if (!IsValidServiceId(s.id)) {
    Report(id->value, Join(path, "id"),
           "'" + s.id +
               "' is not a valid service id (1-63 of a-z 0-9 - _, starting with a letter "
               "or digit)");
  } else if (auto [it, fresh] = service_id_lines_.emplace(s.id, LineOf(id->value)); !fresh) {
    Report(
        id->value, Join(path, "id"),
        "duplicate service id '" + s.id + "' (first at line " + std::to_string(it->second) + ")");
  }
  if (!String(Find(*m, "name"), Join(path, "name"), &s.name) || s.name.empty()) s.name = s.id;

  if (const Entry* keys = Find(*m, "integration_keys"); keys && !keys->value.IsNull()) {
    const std::string keys_path = Join(path, "integration_keys");
    if (!keys->value.IsSequence()) {
      Report(keys->value, keys_path, "must be a list of { key_env: VAR } or { key: <32 hex> }");
    } else {
      for (size_t i = 0; i < keys->value.size(); ++i) {
        ParseIntegrationKey(keys->value[i], Index(keys_path, i), &out->integration_keys);
      }
    }
  }
  if (const Entry* map = Find(*m, "severity_map")) {
    ParseSeverityMap(*map, Join(path, "severity_map"), &s.settings.severity_map);
  }
  Bool(Find(*m, "auto_resolve"), Join(path, "auto_resolve"), &s.settings.auto_resolve);
  Int(Find(*m, "rate_limit_per_minute"), Join(path, "rate_limit_per_minute"), 0, 1'000'000'000,
      &s.settings.rate_limit_per_minute);

  if (const Entry* e = Find(*m, "roles")) ParseRoles(*e, Join(path, "roles"), &out->roles);
  if (const Entry* e = Find(*m, "business_hours"); e != nullptr && !e->value.IsNull()) {
    out->business_hours.emplace();
    ParseBusinessHours(*e, Join(path, "business_hours"), &*out->business_hours);
  }
  if (const Entry* e = Find(*m, "incident_channels")) {
    ParseIncidentChannels(*e, Join(path, "incident_channels"), &out->incident_channels);
  }
  if (const Entry* e = Find(*m, "probe"); e != nullptr && !e->value.IsNull()) {
    out->probe.emplace();
    ParseProbe(*e, Join(path, "probe"), &*out->probe);
  }
  if (const Entry* e = Find(*m, "grouping"); e != nullptr && !e->value.IsNull()) {
    ParseGrouping(*e, Join(path, "grouping"), &s.settings.grouping);
  }
}

// `grouping: { window: 30m, match_labels: [service, env] }` (core/service.h AlertGrouping).
void ConfigParser::ParseGrouping(const Entry& e, const std::string& path, AlertGrouping* out) {
  auto m = Mapping(e.value, path, {"window", "match_labels"});
  if (!m) return;
  const Entry* window = Find(*m, "window");
  if (window == nullptr || window->value.IsNull()) {
    Report(window != nullptr ? window->key : e.value, Join(path, "window"),
           "is required (e.g. 30m)");
  } else if (DurationValue(window, Join(path, "window"), false, &out->window) &&
             out->window > std::chrono::hours(24)) {
    Report(window->value, Join(path, "window"), "must be at most 24h");
    out->window = Duration::zero();
  }
  const Entry* labels = Find(*m, "match_labels");
  const std::string labels_path = Join(path, "match_labels");
  if (labels == nullptr || labels->value.IsNull() ||
      (labels->value.IsSequence() && labels->value.size() == 0)) {
    Report(labels != nullptr ? labels->key : e.value, labels_path,
           "is required: the labels whose values alerts must share (e.g. [service, env])");
    return;
  }
  ForEachItem(*labels, labels_path, "label names",
              [&](const YAML::Node& item, const std::string& item_path) {
                const std::string name = item.IsScalar() ? item.Scalar() : std::string();
                const bool valid =
                    !name.empty() &&
                    (std::isalpha(static_cast<unsigned char>(name[0])) != 0 || name[0] == '_') &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                    });
                if (!valid) {
                  Report(item, item_path, "must be a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
                } else if (std::find(out->match_labels.begin(), out->match_labels.end(), name) !=
                           out->match_labels.end()) {
                  Report(item, item_path, "duplicate label '" + name + "'");
                } else {
                  out->match_labels.push_back(name);
                }
              });
}

void ConfigParser::ParseProbe(const Entry& e, const std::string& path, ProbeConfig* out) {
  auto m = Mapping(e.value, path,
                   {"base_url", "admin_token_env", "interval", "timeout", "lag_threshold_ms"});
  if (!m) return;
  if (RequiredString(*m, e.value, path, "base_url", &out->base_url)) {
    if (std::string why = HttpUrlProblem(out->base_url); !why.empty()) {
      Report(Find(*m, "base_url")->value, Join(path, "base_url"), why);
    }
    while (out->base_url.ends_with('/')) out->base_url.pop_back();
  }
  EnvValue(Find(*m, "admin_token_env"), Join(path, "admin_token_env"), &out->admin_token_env,
           &out->admin_token);
  DurationValue(Find(*m, "interval"), Join(path, "interval"), false, &out->interval);
  DurationValue(Find(*m, "timeout"), Join(path, "timeout"), false, &out->timeout);
  if (out->interval < std::chrono::seconds(1)) {
    Report(Find(*m, "interval")->value, Join(path, "interval"), "must be at least 1s");
  }
  Int(Find(*m, "lag_threshold_ms"), Join(path, "lag_threshold_ms"), 1, 86'400'000,
      &out->lag_threshold_ms);
}

void ConfigParser::ParseIntegrationKey(const YAML::Node& node, const std::string& path,
                                       std::vector<std::string>* out) {
  if (node.IsNull()) {
    Report(node, path, "must be { key_env: VAR } or { key: <32 hex characters> }");
    return;
  }
  auto m = Mapping(node, path, {"key_env", "key"});
  if (!m) return;
  const Entry* key_env = Find(*m, "key_env");
  const Entry* key = Find(*m, "key");
  if ((key_env == nullptr) == (key == nullptr)) {
    Report(node, path, "set exactly one of key_env (preferred) or key");
    return;
  }
  std::string value;
  const Entry* site = key_env != nullptr ? key_env : key;
  std::string site_path;
  if (key_env != nullptr) {
    site_path = Join(path, "key_env");
    std::string name;
    if (!EnvValue(key_env, site_path, &name, &value)) return;
    if (value.size() != kIntegrationKeyLength || !IsHex(value)) {
      Report(key_env->value, site_path,
             "environment variable " + name + " must hold 32 hex characters (it has " +
                 std::to_string(value.size()) + " characters" +
                 (IsHex(value) ? "" : ", not all hex") + ")");
      return;
    }
  } else {
    site_path = Join(path, "key");
    if (!String(key, site_path, &value)) {
      if (key->value.IsNull()) Report(key->key, site_path, "is empty");
      return;
    }
    // Never echo the value: it is a secret.
    if (value.size() != kIntegrationKeyLength || !IsHex(value)) {
      Report(key->value, site_path,
             "must be 32 hex characters (it has " + std::to_string(value.size()) + " characters" +
                 (IsHex(value) ? "" : ", not all hex") + ")");
      return;
    }
  }
  int line = LineOf(site->value);
  if (auto [it, fresh] = key_sites_.emplace(value, std::make_pair(site_path, line)); !fresh) {
    Report(line, site_path,
           "the same integration key is already configured at " + it->second.first + " (line " +
               std::to_string(it->second.second) + ")");
    return;
  }
  out->push_back(std::move(value));
}

// ---- users, schedules, roles, business hours ----

template <typename T>
Status StatusOf(const Result<T>& r) {
  if (r.ok()) return OkStatus();
  return r.error();
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

void ConfigParser::ForEachItem(
    const Entry& e, const std::string& path, const char* hint,
    const std::function<void(const YAML::Node&, const std::string&)>& item) {
  if (e.value.IsNull()) return;
  if (!e.value.IsSequence()) {
    Report(e.value, path, std::string("must be a list of ") + hint);
    return;
  }
  for (size_t i = 0; i < e.value.size(); ++i) item(e.value[i], Index(path, i));
}

bool ConfigParser::RequiredString(const Entries& m, const YAML::Node& node, const std::string& path,
                                  std::string_view key, std::string* out) {
  const Entry* e = Find(m, key);
  if (String(e, Join(path, key), out) && !out->empty()) return true;
  if (e == nullptr || e->value.IsNull() || (e->value.IsScalar() && out->empty())) {
    Report(e != nullptr ? e->key : node, Join(path, key), "is required");
  }
  return false;
}

bool ConfigParser::CheckedString(const Entry* e, const std::string& path, std::string* out,
                                 const std::function<Status(const std::string&)>& check) {
  std::string text;
  if (!String(e, path, &text)) return false;
  if (Status s = check(text); !s.ok()) {
    Report(e->value, path, s.error().message);
    return false;
  }
  *out = std::move(text);
  return true;
}

void ConfigParser::ParseUsers(const Entry& e, std::vector<UserConfig>* out) {
  ParseItems(e, "users", "users (lines starting with '- id:')", out, &ConfigParser::ParseUser);
}

void ConfigParser::ParseUser(const YAML::Node& node, const std::string& path, UserConfig* out) {
  auto m = Mapping(node, path,
                   {"id", "name", "email", "time_zone", "contact_methods", "notification_rules"});
  if (!m) return;
  User& u = out->user;
  if (RequiredString(*m, node, path, "id", &u.id)) {
    const Entry* id = Find(*m, "id");
    if (!IsValidUserId(u.id)) {
      Report(id->value, Join(path, "id"),
             "'" + u.id +
                 "' is not a valid user id (1-63 of a-z 0-9 . _ -, starting with a letter or "
                 "digit)");
    } else if (auto [it, fresh] = user_id_lines_.emplace(u.id, LineOf(id->value)); !fresh) {
      Report(id->value, Join(path, "id"),
             "duplicate user id '" + u.id + "' (first at line " + std::to_string(it->second) + ")");
    }
  }
  if (!String(Find(*m, "name"), Join(path, "name"), &u.name) || u.name.empty()) u.name = u.id;
  if (const Entry* email = Find(*m, "email"); String(email, Join(path, "email"), &u.email)) {
    if (u.email.find('@') == std::string::npos) {
      Report(email->value, Join(path, "email"), "'" + u.email + "' is not an e-mail address");
    }
  }
  CheckedString(Find(*m, "time_zone"), Join(path, "time_zone"), &u.time_zone, CheckTimeZone);
  std::set<std::string> method_ids;
  if (const Entry* methods = Find(*m, "contact_methods")) {
    ParseContactMethods(*methods, Join(path, "contact_methods"), &u.contact_methods, &method_ids);
  }
  if (const Entry* rules = Find(*m, "notification_rules")) {
    ParseNotificationRules(*rules, Join(path, "notification_rules"), method_ids, &u);
  }
}

void ConfigParser::ParseContactMethods(const Entry& e, const std::string& path,
                                       std::vector<ContactMethod>* out,
                                       std::set<std::string>* ids) {
  std::map<std::string, int> id_lines;
  ForEachItem(
      e, path, "{ id, type, address | url | url_env, secret_env }",
      [&](const YAML::Node& node, const std::string& item_path) {
        auto m =
            Mapping(node, item_path, {"id", "type", "address", "url", "url_env", "secret_env"});
        if (!m) return;
        ContactMethod cm;
        if (RequiredString(*m, node, item_path, "id", &cm.id)) {
          const Entry* id = Find(*m, "id");
          ids->insert(cm.id);
          if (auto [it, fresh] = id_lines.emplace(cm.id, LineOf(id->value)); !fresh) {
            Report(id->value, Join(item_path, "id"),
                   "duplicate contact method id '" + cm.id + "' (first at line " +
                       std::to_string(it->second) + ")");
          }
        }
        const Entry* type = Find(*m, "type");
        if (!RequiredString(*m, node, item_path, "type", &cm.type)) return;
        const ChannelType* channel = FindChannelType(cm.type);
        if (channel == nullptr) {
          Report(type->value, Join(item_path, "type"),
                 "'" + cm.type + "' is not a contact method type (" + ChannelTypeNames(", ") + ")");
          return;
        }
        if (channel->address == ChannelAddress::kUrl) {
          // A URL, from the file or the environment.
          if (const Entry* wrong = Find(*m, "address")) {
            Report(wrong->key, Join(item_path, "address"),
                   "does not apply to type " + cm.type + " (use url or url_env)");
          }
          WebDestination d;
          ParseWebDestination(*m, node, item_path, cm.type, &d);
          cm.address = std::move(d.url);
          cm.address_is_secret = !d.url_env.empty();
          cm.url_env = std::move(d.url_env);
          cm.secret_env = std::move(d.secret_env);
          cm.secrets = std::move(d.secrets);
          out->push_back(std::move(cm));
          return;
        }
        for (const char* key : {"url", "url_env", "secret_env"}) {
          if (const Entry* wrong = Find(*m, key)) {
            Report(wrong->key, Join(item_path, key),
                   "does not apply to type " + cm.type + " (use address)");
          }
        }
        if (channel->via_smtp && !smtp_configured_) {
          Report(type->value, Join(item_path, "type"),
                 "contact method type " + cm.type +
                     " needs notify.smtp (the mail server to send through)");
        }
        if (RequiredString(*m, node, item_path, "address", &cm.address) &&
            !IsEmailAddress(cm.address)) {
          Report(Find(*m, "address")->value, Join(item_path, "address"),
                 "'" + cm.address + "' is not an e-mail address");
        }
        out->push_back(std::move(cm));
      });
}

void ConfigParser::ParseNotificationRules(const Entry& e, const std::string& path,
                                          const std::set<std::string>& method_ids, User* out) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    Report(e.value, path,
           "must be a mapping of urgency to rules, e.g. { high: [ { method: mail, after: 0m } ] }");
    return;
  }
  auto m = Mapping(e.value, path, {"high", "low"});
  if (!m) return;
  for (const auto& [key, list] : *m) {
    // A named copy: lambdas cannot capture structured bindings before C++20's P1091 everywhere.
    const std::string urgency = key;
    std::vector<NotificationRule>* rules = urgency == "high" ? &out->high_rules : &out->low_rules;
    std::map<std::string, int> seen;  // method → line
    ForEachItem(list, Join(path, urgency), "rules { method, after }",
                [&](const YAML::Node& node, const std::string& item_path) {
                  auto r = Mapping(node, item_path, {"method", "after"});
                  if (!r) return;
                  NotificationRule rule;
                  if (RequiredString(*r, node, item_path, "method", &rule.method)) {
                    const Entry* method = Find(*r, "method");
                    if (method_ids.count(rule.method) == 0) {
                      Report(method->value, Join(item_path, "method"),
                             "unknown contact method '" + rule.method +
                                 "' (not in this user's contact_methods)");
                    } else if (auto [it, fresh] = seen.emplace(rule.method, LineOf(method->value));
                               !fresh) {
                      Report(method->value, Join(item_path, "method"),
                             "contact method '" + rule.method + "' is already in " + urgency +
                                 " (line " + std::to_string(it->second) + ")");
                    }
                  }
                  DurationValue(Find(*r, "after"), Join(item_path, "after"), true, &rule.after);
                  rules->push_back(std::move(rule));
                });
  }
}

// ---- delivery: web destinations, incident channels, notify ----

void ConfigParser::ParseWebDestination(const Entries& m, const YAML::Node& node,
                                       const std::string& path, const std::string& type,
                                       WebDestination* out) {
  const Entry* url = Find(m, "url");
  const Entry* url_env = Find(m, "url_env");
  if ((url == nullptr) == (url_env == nullptr)) {
    Report(node, path, "set exactly one of url or url_env (preferred: the URL is a secret)");
  } else if (url != nullptr) {
    const std::string url_path = Join(path, "url");
    if (!String(url, url_path, &out->url)) {
      if (url->value.IsNull()) Report(url->key, url_path, "is empty");
    } else if (out->url.empty()) {
      Report(url->value, url_path, "is empty");
    } else if (std::string why = HttpUrlProblem(out->url); !why.empty()) {
      Report(url->value, url_path, why);
    }
  } else {
    const std::string env_path = Join(path, "url_env");
    if (EnvValue(url_env, env_path, &out->url_env, &out->url)) {
      if (std::string why = HttpUrlProblem(out->url); !why.empty()) {
        Report(url_env->value, env_path,
               "the URL in environment variable " + out->url_env + " " + why);
      }
    } else {
      out->url_env.clear();
    }
  }
  const Entry* secret_env = Find(m, "secret_env");
  if (secret_env == nullptr) return;
  const std::string secret_path = Join(path, "secret_env");
  if (const ChannelType* channel = FindChannelType(type); channel == nullptr || !channel->signs) {
    Report(secret_env->key, secret_path,
           "does not apply to type " + type + " (only webhooks are signed)");
    return;
  }
  std::string value;
  if (!EnvValue(secret_env, secret_path, &out->secret_env, &value)) return;
  // Several secrets during a rotation, newest first, separated by white space.
  std::istringstream words(value);
  int n = 0;
  for (std::string secret; words >> secret;) {
    ++n;
    if (!IsWebhookSecret(secret)) {
      Report(secret_env->value, secret_path,
             "environment variable " + out->secret_env + ": secret " + std::to_string(n) +
                 " is not a webhook secret (whsec_ followed by base64)");
    }
    out->secrets.push_back(std::move(secret));
  }
  if (n == 0) {
    Report(secret_env->value, secret_path,
           "environment variable " + out->secret_env + " holds no secret");
  }
}

void ConfigParser::ParseIncidentChannels(const Entry& e, const std::string& path,
                                         std::vector<IncidentChannelConfig>* out) {
  std::map<std::string, int> id_lines;
  size_t index = 0;
  const std::string incident_channel_hint =
      "{ id, type: " + ChannelTypeNames(" | ", true) + ", url | url_env, secret_env }";
  ForEachItem(e, path, incident_channel_hint.c_str(),
              [&](const YAML::Node& node, const std::string& item_path) {
                const size_t i = index++;
                auto m = Mapping(node, item_path, {"id", "type", "url", "url_env", "secret_env"});
                if (!m) return;
                IncidentChannelConfig channel;
                const Entry* type = Find(*m, "type");
                if (!RequiredString(*m, node, item_path, "type", &channel.type)) return;
                if (const ChannelType* t = FindChannelType(channel.type);
                    t == nullptr || !t->incident_channel) {
                  Report(type->value, Join(item_path, "type"),
                         "'" + channel.type + "' is not an incident channel type (" +
                             ChannelTypeNames(", ", true) + ")");
                  return;
                }
                const Entry* id = Find(*m, "id");
                const YAML::Node& id_at = id != nullptr ? id->value : node;
                if (!String(id, Join(item_path, "id"), &channel.id)) {
                  channel.id = channel.type + "-" + std::to_string(i);
                }
                if (!IsValidUserId(channel.id)) {
                  Report(id_at, Join(item_path, "id"),
                         "'" + channel.id +
                             "' is not a valid channel id (1-63 of a-z 0-9 . _ -, starting with a "
                             "letter or digit)");
                } else if (auto [it, fresh] = id_lines.emplace(channel.id, LineOf(id_at)); !fresh) {
                  Report(id_at, Join(item_path, "id"),
                         "duplicate incident channel id '" + channel.id + "' (first at line " +
                             std::to_string(it->second) + ")");
                }
                WebDestination d;
                ParseWebDestination(*m, node, item_path, channel.type, &d);
                channel.url = std::move(d.url);
                channel.url_is_secret = !d.url_env.empty();
                channel.url_env = std::move(d.url_env);
                channel.secret_env = std::move(d.secret_env);
                channel.secrets = std::move(d.secrets);
                out->push_back(std::move(channel));
              });
}

void ConfigParser::ParseSmtp(const Entry& e, const std::string& path, SmtpConfig* out) {
  auto m =
      Mapping(e.value, path, {"url", "from", "starttls", "username", "password_env", "verify_tls"});
  if (!m) return;
  if (RequiredString(*m, e.value, path, "url", &out->url)) {
    if (std::string why = SmtpUrlProblem(out->url); !why.empty()) {
      Report(Find(*m, "url")->value, Join(path, "url"), why);
    }
  }
  if (RequiredString(*m, e.value, path, "from", &out->from) && !IsEmailAddress(out->from)) {
    Report(Find(*m, "from")->value, Join(path, "from"),
           "'" + out->from + "' is not an e-mail address");
  }
  if (const Entry* starttls = Find(*m, "starttls");
      Bool(starttls, Join(path, "starttls"), &out->starttls) && out->starttls &&
      out->url.starts_with("smtps://")) {
    Report(starttls->value, Join(path, "starttls"),
           "applies only to smtp:// (smtps:// uses TLS from the start)");
  }
  Bool(Find(*m, "verify_tls"), Join(path, "verify_tls"), &out->verify_tls);
  const Entry* username = Find(*m, "username");
  const Entry* password_env = Find(*m, "password_env");
  String(username, Join(path, "username"), &out->username);
  std::string password_var;
  EnvValue(password_env, Join(path, "password_env"), &password_var, &out->password);
  if (!out->username.empty() && password_env == nullptr) {
    Report(username->value, Join(path, "username"),
           "username is set but password_env is not (set both or neither)");
  } else if (out->username.empty() && password_env != nullptr) {
    Report(password_env->key, Join(path, "password_env"),
           "password_env is set but username is not (set both or neither)");
  }
}

void ConfigParser::ParseNotify(const Entry& section, NotifyConfig* out) {
  auto m = Mapping(section.value, "notify",
                   {"smtp", "allow_hosts", "workers", "per_destination", "max_attempts", "retry",
                    "bundle_window", "timeout", "link_ttl", "link_secret_env"});
  if (!m) return;
  if (const Entry* e = Find(*m, "smtp"); e != nullptr && !e->value.IsNull()) {
    smtp_configured_ = true;  // even when invalid: its own errors say what is wrong
    out->smtp.emplace();
    ParseSmtp(*e, "notify.smtp", &*out->smtp);
  }
  if (const Entry* e = Find(*m, "allow_hosts")) {
    ForEachItem(*e, "notify.allow_hosts", "host names, IP addresses or CIDR ranges",
                [&](const YAML::Node& item, const std::string& item_path) {
                  if (!item.IsScalar() || item.Scalar().empty() ||
                      item.Scalar().find_first_of(" \t\r\n") != std::string::npos) {
                    Report(item, item_path,
                           "must be a host name, an IP address or a CIDR range (10.0.0.0/8)");
                    return;
                  }
                  out->allow_hosts.push_back(item.Scalar());
                });
  }
  int64_t n = 0;
  if (Int(Find(*m, "workers"), "notify.workers", 1, 64, &n)) out->workers = static_cast<int>(n);
  if (Int(Find(*m, "per_destination"), "notify.per_destination", 1, 64, &n)) {
    out->per_destination = static_cast<int>(n);
  }
  if (Int(Find(*m, "max_attempts"), "notify.max_attempts", 1, 100, &n)) {
    out->max_attempts = static_cast<int>(n);
  }
  if (const Entry* e = Find(*m, "retry")) {
    if (auto r = Mapping(e->value, "notify.retry", {"initial", "max"})) {
      const bool initial_ok =
          DurationValue(Find(*r, "initial"), "notify.retry.initial", false, &out->retry_initial);
      const Entry* max = Find(*r, "max");
      if (DurationValue(max, "notify.retry.max", false, &out->retry_max) && initial_ok &&
          out->retry_max < out->retry_initial) {
        Report(max->value, "notify.retry.max", "must not be shorter than notify.retry.initial");
      }
    }
  }
  DurationValue(Find(*m, "bundle_window"), "notify.bundle_window", true, &out->bundle_window);
  DurationValue(Find(*m, "timeout"), "notify.timeout", false, &out->timeout);
  DurationValue(Find(*m, "link_ttl"), "notify.link_ttl", false, &out->link_ttl);
  std::string var;
  if (const Entry* e = Find(*m, "link_secret_env");
      EnvValue(e, "notify.link_secret_env", &var, &out->link_secret) &&
      out->link_secret.size() < kMinLinkSecretLength) {
    Report(e->value, "notify.link_secret_env",
           "environment variable " + var + " is too short: at least 32 characters (it has " +
               std::to_string(out->link_secret.size()) + ")");
    out->link_secret.clear();
  }
}

void ConfigParser::ParseSchedules(const Entry& e, std::vector<ScheduleConfig>* out) {
  ParseItems(e, "schedules", "schedules (lines starting with '- id:')", out,
             &ConfigParser::ParseSchedule);
}

void ConfigParser::ParseSchedule(const YAML::Node& node, const std::string& path,
                                 ScheduleConfig* out) {
  auto m = Mapping(node, path, {"id", "name", "time_zone", "layers", "overrides"});
  if (!m) return;
  if (RequiredString(*m, node, path, "id", &out->id)) {
    const Entry* id = Find(*m, "id");
    if (!IsValidServiceId(out->id)) {
      Report(id->value, Join(path, "id"),
             "'" + out->id +
                 "' is not a valid schedule id (1-63 of a-z 0-9 - _, starting with a letter or "
                 "digit)");
    } else if (auto [it, fresh] = schedule_id_lines_.emplace(out->id, LineOf(id->value)); !fresh) {
      Report(id->value, Join(path, "id"),
             "duplicate schedule id '" + out->id + "' (first at line " +
                 std::to_string(it->second) + ")");
    }
  }
  CheckedString(Find(*m, "time_zone"), Join(path, "time_zone"), &out->time_zone, CheckTimeZone);
  if (const Entry* layers = Find(*m, "layers")) {
    ParseItems(*layers, Join(path, "layers"), "layers { participants, shift, handoff, start }",
               &out->layers, &ConfigParser::ParseLayer);
  }
  if (const Entry* overrides = Find(*m, "overrides")) {
    ParseItems(*overrides, Join(path, "overrides"), "overrides { user, from, to }", &out->overrides,
               &ConfigParser::ParseOverride);
  }
}

void ConfigParser::CheckUserRef(const YAML::Node& at, const std::string& path,
                                const std::string& user) {
  if (user_id_lines_.count(user) == 0) {
    Report(at, path, "unknown user '" + user + "' (not in users:)");
  }
}

void ConfigParser::ParseLayer(const YAML::Node& node, const std::string& path, RotationLayer* out) {
  auto m = Mapping(node, path, {"participants", "shift", "handoff", "start", "restrictions"});
  if (!m) return;
  const std::string participants_path = Join(path, "participants");
  const Entry* participants = Find(*m, "participants");
  if (participants == nullptr || participants->value.IsNull() ||
      (participants->value.IsSequence() && participants->value.size() == 0)) {
    Report(participants != nullptr ? participants->key : node, participants_path,
           "needs at least one user id");
  } else if (!participants->value.IsSequence()) {
    Report(participants->value, participants_path, "must be a list of user ids, e.g. [alice, bob]");
  } else {
    for (size_t i = 0; i < participants->value.size(); ++i) {
      const YAML::Node& p = participants->value[i];
      const std::string p_path = Index(participants_path, i);
      if (!p.IsScalar()) {
        Report(p, p_path, "must be a user id");
        continue;
      }
      CheckUserRef(p, p_path, p.Scalar());
      out->participants.push_back(p.Scalar());
    }
  }
  std::string text;
  if (const Entry* shift = Find(*m, "shift"); String(shift, Join(path, "shift"), &text)) {
    auto d = ParseDuration(text);
    const int64_t minutes =
        d.ok() ? std::chrono::duration_cast<std::chrono::minutes>(*d).count() : 0;
    if (!d.ok() || minutes < 60 || minutes % 60 != 0 || std::chrono::minutes(minutes) != *d) {
      Report(shift->value, Join(path, "shift"),
             "'" + text + "' is not a shift length in whole hours, days or weeks (12h, 1d, 1w)");
    } else {
      out->shift_length_minutes = minutes;
    }
  }
  if (const Entry* handoff = Find(*m, "handoff"); String(handoff, Join(path, "handoff"), &text)) {
    auto minute = ParseTimeOfDay(text);
    if (!minute.ok()) {
      Report(handoff->value, Join(path, "handoff"), minute.error().message);
    } else {
      out->handoff_minute = *minute;
    }
  }
  if (RequiredString(*m, node, path, "start", &text)) {
    auto days = ParseCivilDate(text);
    if (!days.ok()) {
      Report(Find(*m, "start")->value, Join(path, "start"), days.error().message);
    } else {
      out->start_days = *days;
    }
  }
  if (const Entry* restrictions = Find(*m, "restrictions")) {
    ForEachItem(*restrictions, Join(path, "restrictions"), "{ days, from, to }",
                [&](const YAML::Node& item, const std::string& item_path) {
                  Restriction r;
                  ParseRestriction(item, item_path, &r);
                  out->restrictions.push_back(r);
                });
  }
}

void ConfigParser::ParseRestriction(const YAML::Node& node, const std::string& path,
                                    Restriction* out) {
  auto m = Mapping(node, path, {"days", "from", "to"});
  if (!m) return;
  std::string text;
  if (const Entry* days = Find(*m, "days"); String(days, Join(path, "days"), &text)) {
    auto bits = ParseWeekdays(text);
    if (!bits.ok()) {
      Report(days->value, Join(path, "days"), bits.error().message);
    } else {
      out->weekdays = *bits;
    }
  }
  for (const char* key : {"from", "to"}) {
    const Entry* e = Find(*m, key);
    if (!String(e, Join(path, key), &text)) continue;
    auto minute = ParseTimeOfDay(text);
    if (!minute.ok()) {
      Report(e->value, Join(path, key), minute.error().message);
    } else {
      (std::string_view(key) == "from" ? out->from_minute : out->to_minute) = *minute;
    }
  }
}

void ConfigParser::ParseOverride(const YAML::Node& node, const std::string& path,
                                 OverrideConfig* out) {
  auto m = Mapping(node, path, {"user", "from", "to"});
  if (!m) return;
  if (RequiredString(*m, node, path, "user", &out->user)) {
    CheckUserRef(Find(*m, "user")->value, Join(path, "user"), out->user);
  }
  bool times_ok = true;
  for (const char* key : {"from", "to"}) {
    std::string text;
    if (!RequiredString(*m, node, path, key, &text)) {
      times_ok = false;
      continue;
    }
    auto local = ParseLocalDateTime(text);
    if (!local.ok()) {
      Report(Find(*m, key)->value, Join(path, key), local.error().message);
      times_ok = false;
      continue;
    }
    (std::string_view(key) == "from" ? out->from : out->to) = *local;
  }
  if (times_ok && std::make_pair(out->to.days, out->to.minute) <=
                      std::make_pair(out->from.days, out->from.minute)) {
    Report(Find(*m, "to")->value, Join(path, "to"), "must be after from");
  }
}

void ConfigParser::ParseRoles(const Entry& e, const std::string& path,
                              std::map<OnCallRole, std::string>* out) {
  auto m = Mapping(e.value, path, {"primary", "secondary", "escalation_manager", "security_lead"});
  if (!m) return;
  for (const auto& [name, entry] : *m) {
    const std::string role_path = Join(path, name);
    std::string schedule;
    if (!String(&entry, role_path, &schedule)) continue;
    if (schedule_id_lines_.count(schedule) == 0) {
      Report(entry.value, role_path, "unknown schedule '" + schedule + "' (not in schedules:)");
      continue;
    }
    if (auto role = ParseOnCallRole(name)) (*out)[*role] = std::move(schedule);
  }
}

void ConfigParser::ParseBusinessHours(const Entry& e, const std::string& path,
                                      BusinessHoursConfig* out) {
  auto m = Mapping(e.value, path, {"time_zone", "days", "from", "to", "holidays"});
  if (!m) return;
  if (Find(*m, "time_zone") == nullptr) Report(e.value, Join(path, "time_zone"), "is required");
  CheckedString(Find(*m, "time_zone"), Join(path, "time_zone"), &out->time_zone, CheckTimeZone);
  CheckedString(Find(*m, "days"), Join(path, "days"), &out->days,
                [](const std::string& t) { return StatusOf(ParseWeekdays(t)); });
  auto time_of_day = [](const std::string& t) { return StatusOf(ParseTimeOfDay(t)); };
  const Entry* from = Find(*m, "from");
  const Entry* to = Find(*m, "to");
  const bool from_ok = CheckedString(from, Join(path, "from"), &out->from, time_of_day);
  const bool to_ok = CheckedString(to, Join(path, "to"), &out->to, time_of_day);
  if ((from == nullptr || from_ok) && (to == nullptr || to_ok) &&
      *ParseTimeOfDay(out->to) <= *ParseTimeOfDay(out->from)) {
    Report(to != nullptr ? to->value : e.value, Join(path, "to"),
           "business hours must end after they start (" + out->from + "-" + out->to + ")");
  }
  if (const Entry* holidays = Find(*m, "holidays")) {
    ForEachItem(*holidays, Join(path, "holidays"), "dates YYYY-MM-DD",
                [&](const YAML::Node& item, const std::string& item_path) {
                  if (!item.IsScalar() || !ParseCivilDate(item.Scalar()).ok()) {
                    Report(item, item_path, "is not a date YYYY-MM-DD");
                    return;
                  }
                  out->holidays.push_back(item.Scalar());
                });
  }
}

void ConfigParser::ParseSeverityMap(const Entry& e, const std::string& path, SeverityMapping* out) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    Report(e.value, path, "must be a mapping like { critical: sev1, warning: sev3 }");
    return;
  }
  std::map<std::string, int> seen;
  for (auto it = e.value.begin(); it != e.value.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar() || key.Scalar().empty()) {
      Report(key, path, "keys must be severity words such as critical");
      continue;
    }
    std::string word = key.Scalar();
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string entry_path = Join(path, key.Scalar());
    if (auto [at, fresh] = seen.emplace(word, LineOf(key)); !fresh) {
      Report(key, entry_path,
             "duplicate key (first set at line " + std::to_string(at->second) + ")");
      continue;
    }
    std::optional<Severity> sev;
    if (value.IsScalar()) sev = ParseSeverity(value.Scalar());
    if (!sev) {
      Report(value.IsDefined() && !value.IsNull() ? value : key, entry_path,
             "must be one of sev1, sev2, sev3, sev4");
      continue;
    }
    out->by_word[word] = *sev;
  }
}

bool ConfigParser::PolicyDurationValue(const Entry* e, const std::string& path,
                                       PolicyDuration* out) {
  std::string text;
  if (!String(e, path, &text)) return false;
  auto parsed = ParsePolicyDuration(text);
  if (!parsed.ok()) {
    Report(e->value, path, parsed.error().message);
    return false;
  }
  *out = std::move(parsed).value();
  return true;
}

void ConfigParser::ParseSeverityOverride(const Entry& e, const std::string& path,
                                         SeverityOverride* out) {
  auto m = Mapping(e.value, path, {"definition", "ack_target", "update_cadence", "page"});
  if (!m) return;
  if (const Entry* d = Find(*m, "definition"); d != nullptr) {
    std::string text;
    if (String(d, Join(path, "definition"), &text)) {
      out->definition = std::move(text);
      out->definition_source = ConfigSource(d->value);
    }
  }
  PolicyDuration duration;
  if (const Entry* d = Find(*m, "ack_target");
      PolicyDurationValue(d, Join(path, "ack_target"), &duration)) {
    out->ack_target = duration;
    out->ack_source = ConfigSource(d->value);
  }
  if (const Entry* d = Find(*m, "update_cadence");
      PolicyDurationValue(d, Join(path, "update_cadence"), &duration)) {
    out->update_cadence = duration;
    out->cadence_source = ConfigSource(d->value);
  }
  bool page = false;
  if (const Entry* d = Find(*m, "page"); Bool(d, Join(path, "page"), &page)) {
    out->page = page;
    out->page_source = ConfigSource(d->value);
  }
}

void ConfigParser::ParsePolicy(const Entry& section, PolicyOverrides* out) {
  auto m = Mapping(section.value, "policy", {"severities", "repeat"});
  if (!m) return;
  if (const Entry* sevs = Find(*m, "severities")) {
    auto s = Mapping(sevs->value, "policy.severities", {"sev1", "sev2", "sev3", "sev4"});
    if (s) {
      for (const auto& [name, entry] : *s) {
        std::optional<Severity> sev = ParseSeverity(name);
        if (!sev) continue;  // Mapping() allowed only sev1..sev4
        ParseSeverityOverride(entry, "policy.severities." + name, &out->For(*sev));
      }
    }
  }
  int64_t repeat = 0;
  if (const Entry* r = Find(*m, "repeat"); Int(r, "policy.repeat", 0, 100, &repeat)) {
    out->repeat = static_cast<int>(repeat);
    out->repeat_source = ConfigSource(r->value);
  }
}

void ConfigParser::ParseSecurity(const Entry& section, SecurityPlaybookConfig* out) {
  auto m = Mapping(section.value, "security", {"rotate"});
  if (!m) return;
  const Entry* rotate = Find(*m, "rotate");
  if (rotate == nullptr) return;
  std::vector<std::string> names;
  ForEachItem(*rotate, "security.rotate", "credential names",
              [&](const YAML::Node& node, const std::string& path) {
                if (!node.IsScalar()) return Report(node, path, "must be a string");
                names.push_back(node.Scalar());
              });
  if (!rotate->value.IsSequence()) return;  // reported by ForEachItem
  out->rotate = std::move(names);
  for (const auto& [path, reason] : ValidateSecurityConfig(*out)) Report(rotate->key, path, reason);
}

Result<Config> ConfigParser::Parse(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Report(e.mark.is_null() ? 0 : e.mark.line + 1, "", "invalid YAML: " + e.msg);
    return Error::Invalid(fields_.front().detail, fields_);
  }

  Config config;
  config.source = source_;
  std::initializer_list<std::string_view> top = {"server",    "store",    "runbook", "users",
                                                 "schedules", "services", "log",     "policy",
                                                 "notify",    "security", "drills"};
  std::optional<Entries> m;
  if (root.IsDefined() && !root.IsNull()) {
    std::vector<std::string_view> also_allowed(std::begin(kDeferredSections),
                                               std::end(kDeferredSections));
    also_allowed.push_back("admin_token");  // refused below with its own message
    m = Mapping(root, "", top, also_allowed);
  } else {
    m = Entries{};  // an empty file: every default
  }
  if (m) {
    // admin_token gets its own message: a secret that only ever comes from the environment.
    if (const Entry* e = Find(*m, "admin_token")) {
      Report(e->key, "admin_token",
             "not allowed in the file: set the environment variable LOOM_ONCALL_ADMIN_TOKEN");
    }
    if (const Entry* e = Find(*m, "server")) ParseServer(*e, &config.server);
    if (const Entry* e = Find(*m, "store")) ParseStore(*e, &config.store);
    String(Find(*m, "runbook"), "runbook", &config.runbook);
    // notify before users: an e-mail contact method needs notify.smtp.
    if (const Entry* e = Find(*m, "notify")) ParseNotify(*e, &config.notify);
    // Users before schedules before services: each refers to the ones before it.
    if (const Entry* e = Find(*m, "users")) ParseUsers(*e, &config.users);
    if (const Entry* e = Find(*m, "schedules")) ParseSchedules(*e, &config.schedules);
    if (const Entry* e = Find(*m, "services")) ParseServices(*e, &config.services);
    if (const Entry* e = Find(*m, "log")) ParseLog(*e, &config.log);
    if (const Entry* e = Find(*m, "policy")) ParsePolicy(*e, &config.policy);
    if (const Entry* e = Find(*m, "security")) ParseSecurity(*e, &config.security);
    if (const Entry* e = Find(*m, "drills")) ParseDrills(*e, &config.drills);
    for (std::string_view name : kDeferredSections) {
      if (const Entry* e = Find(*m, name)) {
        config.deferred_sections[std::string(name)] = YAML::Dump(e->value);
      }
    }
  }

  if (const char* token = Env(kAdminTokenEnv); token != nullptr && *token != '\0') {
    config.admin_token = token;
    if (config.admin_token.size() < kMinAdminTokenLength) {
      Report(0, kAdminTokenEnv,
             "environment variable is too short: at least 16 characters (it has " +
                 std::to_string(config.admin_token.size()) + ")");
    }
  }

  if (!fields_.empty()) {
    std::string message;
    for (const auto& f : fields_) message += (message.empty() ? "" : "\n") + f.detail;
    return Error::Invalid(std::move(message), std::move(fields_));
  }

  // Defaults that depend on other keys.
  if (config.server.public_url.empty()) {
    config.server.public_url =
        (config.server.tls_cert.empty() ? "http://" : "https://") + config.server.listen;
  }
  // store.path stays empty unless set: the store then lives in server.data_dir, which a
  // command-line --data-dir may still change.
  return config;
}

Result<Config> ParseText(const std::string& text, const std::string& source, const EnvLookup& env) {
  try {
    ConfigParser parser(source, env);
    return parser.Parse(text);
  } catch (const std::exception& e) {
    return Error::Internal(source + ": reading the configuration failed: " + e.what());
  }
}

// ---- demo ----

struct DemoSecrets {
  std::string key;
  std::string token;
};

constexpr char kDemoKeyVar[] = "LOOM_ONCALL_KEY_LOOM";

// Reads KEY=VALUE lines; '#' comments and blank lines are skipped.
Result<std::map<std::string, std::string>> ReadEnvFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Internal("cannot read " + path + ": " + std::strerror(errno));
  std::map<std::string, std::string> vars;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t eq = line.find('=', start);
    if (eq == std::string::npos) continue;
    std::string name = line.substr(start, eq - start);
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    vars[name] = value;
  }
  return vars;
}

// Writes `text` to `path` with mode 0600, atomically (temp file + rename).
Status WritePrivateFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Internal("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;  // in case the temp file existed with another mode
  size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(tmp.c_str());
    return Error::Internal("cannot write " + path + ": " + std::strerror(saved));
  }
  return OkStatus();
}

Result<DemoSecrets> LoadOrCreateDemoSecrets(const std::string& data_dir) {
  const std::string path = (std::filesystem::path(data_dir) / "demo.env").string();
  DemoSecrets secrets;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto vars = ReadEnvFile(path);
    if (!vars.ok()) return std::move(vars).error();
    secrets.key = (*vars)[kDemoKeyVar];
    secrets.token = (*vars)[kAdminTokenEnv];
    if (!secrets.key.empty() &&
        (secrets.key.size() != kIntegrationKeyLength || !IsHex(secrets.key))) {
      return Error::Invalid(path + ": " + kDemoKeyVar + " must be 32 hex characters");
    }
    if (!secrets.token.empty() && secrets.token.size() < kMinAdminTokenLength) {
      return Error::Invalid(path + ": " + kAdminTokenEnv + " must be at least 16 characters");
    }
    if (!secrets.key.empty() && !secrets.token.empty()) return secrets;
  }
  // First run (or a file missing one of the two): generate what is missing, keep the rest.
  if (secrets.key.empty()) secrets.key = RandomHex(16);
  if (secrets.token.empty()) secrets.token = "loa_" + RandomHex(24);
  std::string text =
      "# loom-oncall --demo secrets, generated on the first run and reused after. Keep private.\n"
      "# The integration key of the demo service 'loom', and the bootstrap admin token.\n";
  text += std::string(kDemoKeyVar) + "=" + secrets.key + "\n";
  text += std::string(kAdminTokenEnv) + "=" + secrets.token + "\n";
  if (Status s = WritePrivateFile(path, text); !s.ok()) return std::move(s).error();
  return secrets;
}

// The demo's on-call picture, in the shape of DESIGN.md's sketch, parsed like a config file: four
// users, one schedule per role of service `loom`, so that the demo always pages someone.
constexpr char kDemoOnCall[] = R"(users:
  - { id: demo-primary, name: Demo Primary, email: primary@example.com }
  - { id: demo-secondary, name: Demo Secondary, email: secondary@example.com }
  - { id: demo-manager, name: Demo Escalation Manager, email: manager@example.com }
  - { id: demo-security, name: Demo Security Lead, email: security@example.com }
schedules:
  - id: loom-primary
    time_zone: UTC
    layers:
      - { participants: [demo-primary, demo-secondary], shift: 1w, handoff: "09:00", start: 2026-01-05 }
  - id: loom-secondary
    time_zone: UTC
    layers:
      - { participants: [demo-secondary, demo-primary], shift: 1w, handoff: "09:00", start: 2026-01-05 }
  - id: loom-escalation
    time_zone: UTC
    layers:
      - { participants: [demo-manager], shift: 1w, handoff: "09:00", start: 2026-01-05 }
  - id: loom-security
    time_zone: UTC
    layers:
      - { participants: [demo-security], shift: 1w, handoff: "09:00", start: 2026-01-05 }
services:
  - id: loom
    name: LOOM node
    roles: { primary: loom-primary, secondary: loom-secondary,
             escalation_manager: loom-escalation, security_lead: loom-security }
    business_hours: { time_zone: UTC, days: mon-fri, from: "09:00", to: "17:00" }
    grouping: { window: 30m, match_labels: [service, env] }
)";

Result<Config> BuildDemoConfig(const std::string& data_dir, const EnvLookup& env) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Error::Invalid("cannot create data directory " + data_dir + ": " + ec.message());
  auto secrets = LoadOrCreateDemoSecrets(data_dir);
  if (!secrets.ok()) return std::move(secrets).error();

  Config config;
  config.source = "demo";
  config.server.listen = "127.0.0.1:8080";
  config.server.data_dir = data_dir;
  config.server.public_url = "http://127.0.0.1:8080";
  config.store.kind = "sqlite";
  config.store.path = (std::filesystem::path(data_dir) / "loom-oncall.db").string();
  config.runbook = "docs/INCIDENT-RESPONSE-ONCALL.md";
  const EnvLookup no_env;  // the demo text names no variables
  ConfigParser parser("demo", no_env);
  auto oncall = parser.Parse(kDemoOnCall);
  if (!oncall.ok())
    return Error::Internal("the built-in demo on-call configuration: " + oncall.error().message);
  config.users = std::move(oncall->users);
  config.schedules = std::move(oncall->schedules);
  ServiceConfig service = std::move(oncall->services.front());
  service.integration_keys.push_back(secrets->key);
  config.services.push_back(std::move(service));
  config.admin_token = secrets->token;
  if (const char* token = env ? env(kAdminTokenEnv) : nullptr; token != nullptr && *token != '\0') {
    if (std::strlen(token) < kMinAdminTokenLength) {
      return Error::Invalid(std::string(kAdminTokenEnv) +
                            ": environment variable is too short: at least 16 characters");
    }
    config.admin_token = token;
  }
  return config;
}

}  // namespace

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& source_name,
                           const EnvLookup& env) {
  return ParseText(yaml_text, source_name, env);
}

Result<Config> LoadConfig(const std::string& path, const EnvLookup& env) {
  if (path.empty()) return Error::Invalid("no configuration file given");
  // A directory opens like a file and reads as empty, which would mean "all defaults".
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error::Invalid("cannot read configuration file " + path +
                          ": it is a directory (pass the YAML file itself)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string msg = "cannot read configuration file " + path + ": " + std::strerror(err);
    return err == ENOENT ? Error::NotFound(std::move(msg)) : Error::Invalid(std::move(msg));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::Invalid("cannot read configuration file " + path);

  return ParseText(text.str(), path, env);
}

Result<Config> DemoConfig(const std::string& data_dir, const EnvLookup& env) {
  try {
    return BuildDemoConfig(data_dir, env);
  } catch (const std::exception& e) {
    return Error::Internal("demo configuration failed: " + std::string(e.what()));
  }
}

}  // namespace loom
