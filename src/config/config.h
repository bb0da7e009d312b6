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
#include "core/heartbeat.h"
#include "core/maintenance.h"
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

// `notify.providers.twilio:` — the Twilio account the sms and voice channels send through.
struct TwilioConfig {
  std::string account_sid_env, auth_token_env;  // the variables named
  std::string account_sid;                      // from `account_sid_env`
  std::string auth_token;                       // from `auth_token_env`; never logged or shown
  std::string from;                             // E.164 sender number
  std::string messaging_service_sid;            // "MG…": SMS through a messaging service
  std::string api_url = "https://api.twilio.com/2010-04-01";  // without a trailing '/'
  // SMS and voice messages to one person per hour (`per_person_hourly`); beyond it the pages
  // wait and go out bundled, never dropped.
  int per_person_hourly = 20;
};

// `notify:` — delivery of the outbox (docs/configuration.md).
// `notify.providers.pushover`: the Pushover application pages are sent through.
struct PushoverProviderConfig {
  std::string app_token;  // from `app_token_env`; never stored or logged
  std::string api_url;    // "" = https://api.pushover.net
};

// `notify.providers.telegram`: the bot pages are sent by, and the secret its webhook carries.
struct TelegramProviderConfig {
  std::string bot_token;     // from `bot_token_env`; never stored or logged
  std::string secret_token;  // from `secret_token_env`: X-Telegram-Bot-Api-Secret-Token
  std::string api_url;       // "" = https://api.telegram.org
};

struct NotifyConfig {
  std::optional<SmtpConfig> smtp;
  std::optional<PushoverProviderConfig> pushover;  // notify.providers.pushover
  std::optional<TelegramProviderConfig> telegram;  // notify.providers.telegram
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
  std::optional<TwilioConfig> twilio;  // `providers.twilio`
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
  std::optional<ProbeConfig> probe;   // `probe:`
  std::vector<Heartbeat> heartbeats;  // `heartbeats:` (core/heartbeat.h)
  // Per-service keys of later features, accepted and kept as YAML text like
  // Config::deferred_sections (none at the moment).
  std::map<std::string, std::string> deferred;
};

// One entry of `users:` (notification rules are in User::high_rules / low_rules).
struct UserConfig {
  User user;
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

// `auth.oidc:` — single sign-on with an OpenID Connect provider (config/oidc_section.cc,
// docs/authentication.md "Single sign-on").
struct OidcGroupRole {
  std::string group;  // a value of the `claim_groups` claim
  std::string team;   // "" = the person's global role
  Role role = Role::kViewer;
};
struct OidcConfig {
  std::string issuer;  // https://idp.example/realms/x, exactly as the provider says
  std::string client_id;
  std::string client_secret_env;  // the variable named by `client_secret_env`
  std::string client_secret;      // its value; never logged or shown
  std::vector<std::string> scopes = {"openid", "email", "profile"};
  std::string claim_user = "email";  // matched to users[].email, an e-mail method or the user id
  std::string claim_groups;          // "" = groups are not read
  std::vector<OidcGroupRole> group_roles;
  std::string name;  // the button's "Sign in with <name>"; default: the issuer's host
};

// `auth:` — how people sign in (docs/authentication.md). auth_section.cc parses it; its `oidc`
// key is single sign-on's (oidc_section.cc).
struct AuthSessionConfig {
  Duration idle = std::chrono::hours(8);           // signed out after this long unused
  Duration absolute = std::chrono::hours(24 * 7);  // signed out this long after signing in
};
struct AuthConfig {
  bool local = true;          // `local:` sign-in with a password (false: only single sign-on)
  AuthSessionConfig session;  // `session: {idle, absolute}`
  Duration reset_ttl = std::chrono::minutes(30);  // `reset_ttl:` how long a reset link works
  std::optional<OidcConfig> oidc;  // `oidc:` single sign-on (oidc_section.cc); nullopt = off
};

struct Config {
  std::string source;  // file path, or "demo"
  ServerConfig server;
  StoreConfig store;
  std::string runbook;  // path of the runbook Markdown; "" = built-in docs copy
  // `policy:` — overrides of the runbook's severity policy; sources "config <file>:<line>".
  PolicyOverrides policy;
  std::vector<ServiceConfig> services;
  std::vector<UserConfig> users;               // `users:`
  std::vector<Team> teams;                     // `teams:` (members, visibility)
  std::vector<ScheduleConfig> schedules;       // `schedules:`
  NotifyConfig notify;                         // `notify:`
  LogOptions log;                              // `log: {level}`
  SecurityPlaybookConfig security;             // `security: {rotate: [...]}` (security playbook)
  DrillSettings drills;                        // `drills: {dir, every, alternate, service}`
  AuthConfig auth;                             // `auth:` (people signing in)
  std::vector<MaintenanceWindow> maintenance;  // `maintenance:` (core/maintenance.h)
  std::string admin_token;                     // from $LOOM_ONCALL_ADMIN_TOKEN; never from the file
  // `serve --demo` only (demo.env): the password every configured user gets at start-up when
  // they have none yet. Never from the file.
  std::string demo_password;
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
