// loom-oncall's configuration: one YAML file (--config or $LOOM_ONCALL_CONFIG), documented key by
// key in docs/configuration.md. Secrets come from environment variables named in the file
// (`key_env`, `url_env`, ...); a secret by value is accepted only where the docs say so.
//
// LoadConfig refuses an invalid file with an Error whose message names the file, the line, the
// key path and the reason, e.g.
//   "loom-oncall.yaml:14: services[0].integration_keys[0].key_env: environment variable
//    LOOM_ONCALL_KEY_LOOM is not set" (one line).
//
// These are the public types and entry points. config.cc reads the top level of the file; each
// section has its parser in its own file (config/config_sections.h) over one YamlWalker
// (config/yaml_walker.h); the demo configuration is demo_config.cc with its secrets file
// demo_secrets.h.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "core/drill.h"
#include "core/escalation.h"
#include "core/schedule.h"
#include "core/security_playbook.h"
#include "core/service.h"
#include "core/severity_policy.h"
#include "core/team.h"
#include "core/user.h"

namespace loom {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string public_url;         // defaults to http://<listen>
  std::string tls_cert, tls_key;  // both or neither
  int threads = 0;                // I/O threads; 0 = one per core
};

struct StoreConfig {
  std::string kind = "sqlite";  // "sqlite" or "postgres"
  std::string path;             // sqlite file; default <data_dir>/loom-oncall.db
  std::string url_env;          // postgres: env var with the connection URL
  std::string url;              // postgres: its value — a secret, never shown or logged
};

// `business_hours:` of a service, validated (BusinessCalendar::Create accepts it as is).
struct BusinessHoursConfig {
  std::string time_zone;
  std::string days = "mon-fri";
  std::string from = "09:00";
  std::string to = "17:00";
  std::vector<std::string> holidays;  // YYYY-MM-DD
};

// One entry of a service's `incident_channels:`, e.g.
// `{ type: slack, url_env: LOOM_INCIDENT_SLACK }` or
// `{ id: ops, type: webhook, url: "https://...", secret_env: OPS_HOOK_SECRET }`.
struct IncidentChannelConfig {
  std::string id;                    // unique per service; default "<type>-<index>"
  std::string type;                  // a channel type that may be an incident channel
  std::string url;                   // resolved (from `url` or `url_env`)
  bool url_is_secret = false;        // came from `url_env`: never shown or stored
  std::string url_env;               // the variable named by `url_env` ("" = `url` in the file)
  std::string secret_env;            // webhook: the variable named by `secret_env`, if any
  std::vector<std::string> secrets;  // webhook: signing secrets from `secret_env`, newest first
};

// `notify.smtp:` — the mail server e-mail contact methods go through.
struct SmtpConfig {
  std::string url;        // smtp://host:port (STARTTLS when `starttls`) or smtps://host:port (TLS)
  std::string from;       // envelope and From: address
  bool starttls = false;  // require STARTTLS on smtp://
  std::string username;
  std::string password;  // from `password_env`; never from the file, never logged
  bool verify_tls = true;
};

// `notify:` — delivery of the outbox (docs/configuration.md).
struct NotifyConfig {
  std::optional<SmtpConfig> smtp;
  // Hosts (names or IP addresses / CIDR ranges) that the channels' URLs and SMTP may reach
  // even when they resolve to loopback, private or link-local addresses (which are refused
  // otherwise).
  std::vector<std::string> allow_hosts;
  int workers = 4;          // concurrent deliveries
  int per_destination = 4;  // messages in flight to one destination at once
  int max_attempts = 8;     // then the row is dead-lettered
  Duration retry_initial = std::chrono::seconds(5);  // first backoff (doubled each attempt)
  Duration retry_max = std::chrono::minutes(10);     // backoff ceiling
  // Minimum gap between two messages to one destination (0 = no bundling).
  Duration bundle_window = std::chrono::seconds(30);
  Duration timeout = std::chrono::seconds(10);  // per delivery attempt
  Duration link_ttl = std::chrono::hours(24);   // one-click links expire after this
  std::string link_secret;  // from `link_secret_env`; "" = generated once and kept in the store
};

// `probe:` of a service: the LOOM node the availability playbook reads
// (docs/playbook-availability.md).
struct ProbeConfig {
  std::string base_url;         // http(s)://host[:port][/prefix], without a trailing '/'
  std::string admin_token_env;  // the variable named by `admin_token_env` ("" = none)
  std::string admin_token;      // its value; never logged or shown
  Duration interval = std::chrono::minutes(1);  // between rounds while an incident is open
  Duration timeout = std::chrono::seconds(5);   // per endpoint
  int64_t lag_threshold_ms = 60'000;            // the node's own alert rule: lag > 60 s
};

struct ServiceConfig {
  Service service;
  std::string team;                           // `team:` — a configured team id, "" for none
  std::vector<std::string> integration_keys;  // resolved key values (from key_env or key)
  // `roles:` — on-call role → schedule id (every id names a configured schedule).
  std::map<OnCallRole, std::string> roles;
  std::optional<BusinessHoursConfig> business_hours;
  // `incident_channels:` — destinations that receive every lifecycle change and status update
  // of the service's incidents (runbook "Communications").
  std::vector<IncidentChannelConfig> incident_channels;
  std::optional<ProbeConfig> probe;  // `probe:`
  // Per-service keys of later features, accepted and kept as YAML text like
  // Config::deferred_sections (none at the moment).
  std::map<std::string, std::string> deferred;
};

// One entry of `users:` (notification rules are in User::high_rules / low_rules).
struct UserConfig {
  User user;
  // `role:` — the person's global role (owner, admin, responder, viewer; default viewer), beside
  // the roles of their teams (core/authorization.h).
  Role role = Role::kViewer;
};

// A configured override: local wall times in the schedule's zone, [from, to).
struct OverrideConfig {
  std::string user;
  LocalDateTime from, to;
};

// One entry of `schedules:`; every participant and override user is a configured user.
struct ScheduleConfig {
  std::string id;
  std::string time_zone = "UTC";
  std::string team;  // `team:` — a configured team id, "" for none
  std::vector<RotationLayer> layers;
  std::vector<OverrideConfig> overrides;
};

struct Config {
  std::string source;  // file path, or "demo"
  ServerConfig server;
  StoreConfig store;
  std::string runbook;  // path of the runbook Markdown; "" = built-in docs copy
  // `policy:` — overrides of the runbook's severity policy; sources "config <file>:<line>".
  PolicyOverrides policy;
  std::vector<ServiceConfig> services;
  std::vector<UserConfig> users;          // `users:`
  std::vector<Team> teams;                // `teams:` (members, visibility)
  std::vector<ScheduleConfig> schedules;  // `schedules:`
  NotifyConfig notify;                    // `notify:`
  LogOptions log;                         // `log: {level}`
  SecurityPlaybookConfig security;        // `security: {rotate: [...]}` (security playbook)
  DrillSettings drills;                   // `drills: {dir, every, alternate, service}`
  std::string admin_token;                // from $LOOM_ONCALL_ADMIN_TOKEN; never from the file
  // Sections owned by later features (escalation) are
  // accepted and kept as YAML text (keyed by section name) until their loaders exist.
  std::map<std::string, std::string> deferred_sections;
};

// Reads and validates `path`. `env` looks up environment variables (tests pass a fake; main
// passes std::getenv). Every problem in the file is reported, one line each, in the Error's
// message (and as `fields`: pointer = key path, detail = the line). Refuses what this build
// cannot run (store.kind postgres) with the same kind of message.
using EnvLookup = std::function<const char*(const char*)>;
Result<Config> LoadConfig(const std::string& path, const EnvLookup& env);
// Validates YAML text; `source_name` prefixes the messages. Accepts every store kind.
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& source_name,
                           const EnvLookup& env);

// The demo configuration of `serve --demo`: a `loom` service with one integration key, data in
// `data_dir`. The key and the admin token are generated on the first run and kept in
// <data_dir>/demo.env (mode 0600) so they stay the same across restarts.
Result<Config> DemoConfig(const std::string& data_dir, const EnvLookup& env);

}  // namespace loom
