#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "testing/temp_dir.h"

namespace loom {
namespace {

using ::testing::HasSubstr;

constexpr char kKeyA[] = "0123456789abcdef0123456789abcdef";
constexpr char kKeyB[] = "fedcba9876543210fedcba9876543210";

// A fake environment: tests never read or change the real one.
class FakeEnv {
 public:
  FakeEnv() = default;
  explicit FakeEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  EnvLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars_.find(name);
      return it == vars_.end() ? nullptr : it->second.c_str();
    };
  }
  std::map<std::string, std::string> vars_;
};

FakeEnv EnvOf(std::map<std::string, std::string> vars) { return FakeEnv(std::move(vars)); }

Result<Config> Parse(const std::string& yaml, const FakeEnv& env = FakeEnv()) {
  return ParseConfig(yaml, "loom-oncall.yaml", env.lookup());
}

// The whole error message of a parse that must fail.
std::string ErrorOf(const std::string& yaml, const FakeEnv& env = FakeEnv()) {
  auto r = Parse(yaml, env);
  if (r.ok()) {
    ADD_FAILURE() << "expected an error for:\n" << yaml;
    return "";
  }
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

TEST(ParseConfig, FullValidFile) {
  FakeEnv env(std::map<std::string, std::string>{
      {"LOOM_ONCALL_KEY_LOOM", kKeyA}, {"LOOM_ONCALL_ADMIN_TOKEN", "admin-token-0123456789"}});
  auto r = Parse(R"(
server:
  listen: 0.0.0.0:9090
  data_dir: /var/lib/loom-oncall
  public_url: https://oncall.example.com/
  tls_cert: /etc/tls.crt
  tls_key: /etc/tls.key
  threads: 4
store:
  kind: sqlite
  path: /var/lib/loom-oncall/db.sqlite
runbook: /etc/loom-oncall/runbook.md
log:
  level: debug
services:
  - id: loom
    name: LOOM node
    integration_keys:
      - key_env: LOOM_ONCALL_KEY_LOOM
      - key: fedcba9876543210fedcba9876543210
    severity_map: { critical: sev1, Warning: sev2, page-me: sev1 }
    auto_resolve: yes
    rate_limit_per_minute: 120
    roles: { primary: loom-primary }
  - id: billing-api
users:
  - id: alice
    name: Alice Example
schedules: [ { id: loom-primary, time_zone: Europe/Berlin } ]
policy: { repeat: 2 }
notify: { allow_hosts: [127.0.0.1] }
drills: { dir: ops/drills, every: 2 weeks, alternate: [security, availability], service: billing-api }
escalation: {}
)",
                 env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.source, "loom-oncall.yaml");
  EXPECT_EQ(c.server.listen, "0.0.0.0:9090");
  EXPECT_EQ(c.server.data_dir, "/var/lib/loom-oncall");
  EXPECT_EQ(c.server.public_url, "https://oncall.example.com");
  EXPECT_EQ(c.server.tls_cert, "/etc/tls.crt");
  EXPECT_EQ(c.server.tls_key, "/etc/tls.key");
  EXPECT_EQ(c.server.threads, 4);
  EXPECT_EQ(c.store.kind, "sqlite");
  EXPECT_EQ(c.store.path, "/var/lib/loom-oncall/db.sqlite");
  EXPECT_EQ(c.runbook, "/etc/loom-oncall/runbook.md");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.admin_token, "admin-token-0123456789");

  ASSERT_EQ(c.services.size(), 2u);
  const ServiceConfig& loom = c.services[0];
  EXPECT_EQ(loom.service.id, "loom");
  EXPECT_EQ(loom.service.name, "LOOM node");
  EXPECT_EQ(loom.integration_keys, (std::vector<std::string>{kKeyA, kKeyB}));
  const SeverityMapping& map = loom.service.settings.severity_map;
  EXPECT_EQ(map.Map("critical"), Severity::kSev1);
  EXPECT_EQ(map.Map("warning"), Severity::kSev2);  // overridden (key lower-cased)
  EXPECT_EQ(map.Map("error"), Severity::kSev2);    // default kept
  EXPECT_EQ(map.Map("info"), Severity::kSev4);     // default kept
  EXPECT_EQ(map.Map("page-me"), Severity::kSev1);  // a new word
  EXPECT_TRUE(loom.service.settings.auto_resolve);
  EXPECT_EQ(loom.service.settings.rate_limit_per_minute, 120);
  EXPECT_EQ(loom.roles,
            (std::map<OnCallRole, std::string>{{OnCallRole::kPrimary, "loom-primary"}}));

  const ServiceConfig& billing = c.services[1];
  EXPECT_EQ(billing.service.id, "billing-api");
  EXPECT_EQ(billing.service.name, "billing-api");  // name defaults to the id
  EXPECT_TRUE(billing.integration_keys.empty());
  EXPECT_FALSE(billing.service.settings.auto_resolve);
  EXPECT_EQ(billing.service.settings.rate_limit_per_minute, 0);

  EXPECT_EQ(c.deferred_sections.count("escalation"), 1u);
  EXPECT_EQ(c.deferred_sections.count("drills"), 0u);  // loaded now
  EXPECT_EQ(c.drills.dir, "ops/drills");
  EXPECT_EQ(DrillIntervalText(c.drills.every), "2 weeks");
  EXPECT_EQ(c.drills.alternate,
            (std::vector<IncidentKind>{IncidentKind::kSecurity, IncidentKind::kAvailability}));
  EXPECT_EQ(c.drills.service, "billing-api");
  EXPECT_EQ(c.deferred_sections.count("policy"), 0u);
  EXPECT_EQ(c.deferred_sections.count("notify"), 0u);  // loaded now
  EXPECT_EQ(c.notify.allow_hosts, std::vector<std::string>{"127.0.0.1"});
  EXPECT_FALSE(c.notify.smtp.has_value());
  EXPECT_EQ(c.policy.repeat, 2);
  ASSERT_EQ(c.users.size(), 1u);
  EXPECT_EQ(c.users[0].user.name, "Alice Example");
  ASSERT_EQ(c.schedules.size(), 1u);
  EXPECT_EQ(c.schedules[0].time_zone, "Europe/Berlin");
}

TEST(ParseConfig, PolicyOverridesKeepTheirConfigLine) {
  auto r = Parse(R"(policy:
  severities:
    sev2:
      ack_target: 10m
      update_cadence: Every 45 minutes
      page: false
    sev3: { ack_target: 2 business hours, definition: Minor }
  repeat: 3
)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const PolicyOverrides& p = r->policy;
  const SeverityOverride& s2 = p.For(Severity::kSev2);
  ASSERT_TRUE(s2.ack_target && s2.update_cadence && s2.page);
  EXPECT_EQ(s2.ack_target->amount, std::chrono::minutes(10));
  EXPECT_EQ(s2.ack_source, "config loom-oncall.yaml:4");
  EXPECT_EQ(s2.update_cadence->amount, std::chrono::minutes(45));
  EXPECT_EQ(s2.cadence_source, "config loom-oncall.yaml:5");
  EXPECT_FALSE(*s2.page);
  EXPECT_EQ(s2.page_source, "config loom-oncall.yaml:6");
  const SeverityOverride& s3 = p.For(Severity::kSev3);
  ASSERT_TRUE(s3.ack_target.has_value());
  EXPECT_EQ(s3.ack_target->basis, TimeBasis::kBusinessHours);
  EXPECT_EQ(s3.definition, "Minor");
  EXPECT_FALSE(s3.page.has_value());
  EXPECT_FALSE(p.For(Severity::kSev1).ack_target.has_value());
  EXPECT_EQ(p.repeat, 3);
  EXPECT_EQ(p.repeat_source, "config loom-oncall.yaml:8");
}

TEST(ParseConfig, PolicyErrorsNameLineAndKey) {
  auto r = Parse(R"(policy:
  severities:
    sev2: { ack_target: soonish, page: maybe }
    sev5: { ack_target: 5m }
  repeat: -1
  escalate: yes
)");
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:3: policy.severities.sev2.ack_target: cannot read "
                           "'soonish'"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:3: policy.severities.sev2.page: must be true or "
                           "false"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:4: policy.severities.sev5: unknown key"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:5: policy.repeat: must be an integer from 0 to 100"));
  EXPECT_THAT(m, HasSubstr("loom-oncall.yaml:6: policy.escalate: unknown key"));
}

TEST(ParseConfig, EmptyFileGivesDefaults) {
  for (const char* text : {"", "# only a comment\n", "---\n"}) {
    auto r = Parse(text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const Config& c = *r;
    EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
    EXPECT_EQ(c.server.data_dir, "./data");
    EXPECT_EQ(c.server.public_url, "http://127.0.0.1:8080");
    EXPECT_EQ(c.server.threads, 0);
    EXPECT_TRUE(c.server.tls_cert.empty());
    EXPECT_EQ(c.store.kind, "sqlite");
    EXPECT_EQ(c.store.path, "");  // the store lives in server.data_dir
    EXPECT_EQ(c.runbook, "");
    EXPECT_EQ(c.log.level, "info");
    EXPECT_TRUE(c.services.empty());
    EXPECT_TRUE(c.deferred_sections.empty());
    EXPECT_EQ(c.admin_token, "");
  }
}

TEST(ParseConfig, DerivedDefaults) {
  auto r = Parse(
      "server: { listen: '[::1]:7000', data_dir: /srv/oncall, tls_cert: c, tls_key: k }\n"
      "services:\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server.public_url, "https://[::1]:7000");
  EXPECT_EQ(r->store.path, "");  // derived from data_dir at start (after --data-dir)
  // A null section is an empty one.
  r = Parse("server:\nstore:\nlog:\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server.listen, "127.0.0.1:8080");
}

TEST(ParseConfig, KeyEnvNotSetNamesFileLineAndPath) {
  // The example from config.h: the key_env is on line 14.
  std::string yaml =
      "# loom-oncall\n"  // 1
      "server:\n"        // 2
      "  listen: 127.0.0.1:8080\n"
      "  data_dir: ./data\n"  // 4
      "store:\n"
      "  kind: sqlite\n"  // 6
      "log:\n"
      "  level: info\n"  // 8
      "runbook: docs/INCIDENT-RESPONSE-ONCALL.md\n"
      "services:\n"  // 10
      "  - id: loom\n"
      "    name: LOOM node\n"  // 12
      "    integration_keys:\n"
      "      - key_env: LOOM_ONCALL_KEY_LOOM\n";  // 14
  EXPECT_EQ(ErrorOf(yaml),
            "loom-oncall.yaml:14: services[0].integration_keys[0].key_env: environment variable "
            "LOOM_ONCALL_KEY_LOOM is not set");
  // Set but empty counts as not set.
  EXPECT_THAT(ErrorOf(yaml, EnvOf({{"LOOM_ONCALL_KEY_LOOM", ""}})), HasSubstr("is not set"));
  // Set: the key value comes from the environment.
  auto r = Parse(yaml, EnvOf({{"LOOM_ONCALL_KEY_LOOM", kKeyB}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->services.at(0).integration_keys, std::vector<std::string>{kKeyB});
}

TEST(ParseConfig, IntegrationKeyErrors) {
  const std::string head = "services:\n  - id: loom\n    integration_keys:\n";  // lines 1-3
  EXPECT_EQ(ErrorOf(head + "      - key: abc123\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key: must be 32 hex characters "
            "(it has 6 characters)");
  EXPECT_EQ(ErrorOf(head + "      - key: 0123456789abcdef0123456789abcdeZ\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key: must be 32 hex characters "
            "(it has 32 characters, not all hex)");
  EXPECT_EQ(ErrorOf(head + "      - key_env: K\n", EnvOf({{"K", "short"}})),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key_env: environment variable K "
            "must hold 32 hex characters (it has 5 characters, not all hex)");
  EXPECT_EQ(ErrorOf(head + "      - key_env: not-a-name\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key_env: 'not-a-name' is not an "
            "environment variable name");
  EXPECT_EQ(ErrorOf(head + "      - { key_env: K, key: " + kKeyA + " }\n", EnvOf({{"K", kKeyB}})),
            "loom-oncall.yaml:4: services[0].integration_keys[0]: set exactly one of key_env "
            "(preferred) or key");
  EXPECT_EQ(ErrorOf(head + "      - key_env:\n"),
            "loom-oncall.yaml:4: services[0].integration_keys[0].key_env: names no variable");
  EXPECT_THAT(ErrorOf(head + "      - {}\n"), HasSubstr("set exactly one of key_env"));
  EXPECT_THAT(ErrorOf(head + "      - { secret: x }\n"),
              HasSubstr("services[0].integration_keys[0].secret: unknown key"));
  EXPECT_THAT(ErrorOf(head + "      key_env: K\n"),
              HasSubstr("services[0].integration_keys: must be a list"));
  // The secret itself never appears in a message.
  EXPECT_THAT(ErrorOf(head + "      - key: 0123456789abcdef0123\n"),
              ::testing::Not(HasSubstr("0123456789abcdef0123")));
}

TEST(ParseConfig, DuplicateIntegrationKeys) {
  std::string yaml = std::string("services:\n") +
                     "  - id: a\n"
                     "    integration_keys: [ { key: " +
                     kKeyA +
                     " } ]\n"  // line 3
                     "  - id: b\n"
                     "    integration_keys:\n"
                     "      - key_env: KEY_B\n";  // line 6
  EXPECT_EQ(ErrorOf(yaml, EnvOf({{"KEY_B", kKeyA}})),
            "loom-oncall.yaml:6: services[1].integration_keys[0].key_env: the same integration "
            "key is already configured at services[0].integration_keys[0].key (line 3)");
  EXPECT_TRUE(Parse(yaml, EnvOf({{"KEY_B", kKeyB}})).ok());
}

TEST(ParseConfig, ServiceErrors) {
  EXPECT_EQ(ErrorOf("services:\n  - id: loom\n  - id: other\n  - id: loom\n"),
            "loom-oncall.yaml:4: services[2].id: duplicate service id 'loom' (first at line 2)");
  EXPECT_EQ(ErrorOf("services:\n  - id: Loom Node\n"),
            "loom-oncall.yaml:2: services[0].id: 'Loom Node' is not a valid service id (1-63 of "
            "a-z 0-9 - _, starting with a letter or digit)");
  EXPECT_EQ(ErrorOf("services:\n  - name: no id\n"),
            "loom-oncall.yaml:2: services[0].id: is required");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    auto_resolve: maybe\n"),
            "loom-oncall.yaml:3: services[0].auto_resolve: must be true or false");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    rate_limit_per_minute: -1\n"),
            "loom-oncall.yaml:3: services[0].rate_limit_per_minute: must be an integer from 0 to "
            "1000000000");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    rate_limit_per_minute: 1.5\n"),
            "loom-oncall.yaml:3: services[0].rate_limit_per_minute: must be an integer from 0 to "
            "1000000000");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    severity_map:\n      critical: urgent\n"),
            "loom-oncall.yaml:4: services[0].severity_map.critical: must be one of sev1, sev2, "
            "sev3, sev4");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    severity_map: [sev1]\n"),
            "loom-oncall.yaml:3: services[0].severity_map: must be a mapping like { critical: "
            "sev1, warning: sev3 }");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    color: blue\n"),
            "loom-oncall.yaml:3: services[0].color: unknown key (expected one of: id, name, "
            "integration_keys, severity_map, auto_resolve, rate_limit_per_minute, roles, "
            "business_hours, incident_channels, probe, grouping)");
  EXPECT_EQ(ErrorOf("services:\n  id: a\n"),
            "loom-oncall.yaml:2: services: must be a list of services (lines starting with '- ')");
}

TEST(ParseConfig, ServerErrors) {
  for (const char* listen : {"localhost", "127.0.0.1:99999", ":8080", "::1:8080", "[::1:8080",
                             "host name:80", "127.0.0.1:", "127.0.0.1:80x"}) {
    std::string msg = ErrorOf(std::string("server:\n  listen: \"") + listen + "\"\n");
    EXPECT_THAT(msg, HasSubstr("loom-oncall.yaml:2: server.listen: ")) << listen;
    EXPECT_THAT(msg, HasSubstr("expected HOST:PORT")) << listen;
  }
  for (const char* listen :
       {"127.0.0.1:8080", "localhost:80", "[::1]:8080", "[::]:0", "oncall.example.com:443"}) {
    auto r = Parse(std::string("server:\n  listen: \"") + listen + "\"\n");
    EXPECT_TRUE(r.ok()) << listen << ": " << r.error().message;
  }
  EXPECT_EQ(ErrorOf("server:\n  tls_cert: /etc/c.pem\n"),
            "loom-oncall.yaml:2: server.tls_cert: tls_cert is set but tls_key is not (set both "
            "or neither)");
  EXPECT_EQ(ErrorOf("server:\n  listen: 127.0.0.1:1\n  tls_key: /etc/k.pem\n"),
            "loom-oncall.yaml:3: server.tls_key: tls_key is set but tls_cert is not (set both or "
            "neither)");
  EXPECT_EQ(ErrorOf("server:\n  threads: many\n"),
            "loom-oncall.yaml:2: server.threads: must be an integer from 0 to 256");
  EXPECT_EQ(ErrorOf("server:\n  public_url: oncall.example.com\n"),
            "loom-oncall.yaml:2: server.public_url: must start with http:// or https://");
  EXPECT_EQ(ErrorOf("server:\n  port: 8080\n"),
            "loom-oncall.yaml:2: server.port: unknown key (expected one of: listen, data_dir, "
            "public_url, tls_cert, tls_key, threads)");
  // Unquoted IPv6 is YAML flow syntax: a syntax error, or a list.
  EXPECT_THAT(ErrorOf("server:\n  listen: [::1]:8080\n"),
              ::testing::StartsWith("loom-oncall.yaml:2: invalid YAML"));
  EXPECT_EQ(ErrorOf("server:\n  listen: [::1]\n"),
            "loom-oncall.yaml:2: server.listen: must be a string; quote IPv6 addresses: "
            "\"[::1]:8080\"");
  EXPECT_EQ(ErrorOf("server:\n  data_dir: { a: b }\n"),
            "loom-oncall.yaml:2: server.data_dir: must be a string");
  EXPECT_EQ(ErrorOf("server: 8080\n"),
            "loom-oncall.yaml:1: server: must be a mapping (key: value lines)");
}

TEST(ParseConfig, StoreAndLogErrors) {
  EXPECT_EQ(ErrorOf("store:\n  kind: mysql\n"),
            "loom-oncall.yaml:2: store.kind: 'mysql' is not a store kind (sqlite, postgres)");
  EXPECT_EQ(ErrorOf("store:\n  kind: postgres\n"),
            "loom-oncall.yaml:2: store.url_env: is required for kind: postgres (the environment "
            "variable holding the URL)");
  EXPECT_EQ(ErrorOf("store:\n  kind: postgres\n  url_env: PG_URL\n"),
            "loom-oncall.yaml:3: store.url_env: environment variable PG_URL is not set");
  EXPECT_EQ(ErrorOf("store:\n  kind: sqlite\n  url_env: PG_URL\n"),
            "loom-oncall.yaml:3: store.url_env: applies only to kind: postgres");
  EXPECT_EQ(ErrorOf("log:\n  level: verbose\n"),
            "loom-oncall.yaml:2: log.level: 'verbose' is not a log level (trace, debug, info, "
            "warn, error)");
  auto r = Parse("store:\n  kind: postgres\n  url_env: PG_URL\n",
                 EnvOf({{"PG_URL", "postgres://localhost/oncall"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->store.kind, "postgres");
  EXPECT_EQ(r->store.url_env, "PG_URL");
  EXPECT_EQ(r->store.url, "postgres://localhost/oncall");
  EXPECT_EQ(r->store.path, "");
}

TEST(ParseConfig, SecurityRotateListDefaultsToTheRunbooks) {
  auto r = Parse("");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->security.rotate, SecurityPlaybookConfig{}.rotate);
  r = Parse("security:\n  rotate: [LOOM_ADMIN_TOKEN, Vault root token]\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->security.rotate, (std::vector<std::string>{"LOOM_ADMIN_TOKEN", "Vault root token"}));
  EXPECT_EQ(ErrorOf("security:\n  rotate: [a b, A-B]\n"),
            "loom-oncall.yaml:2: security.rotate[1]: names the same checklist item as an earlier "
            "entry (rotate-a-b)");
  EXPECT_EQ(ErrorOf("security:\n  rotate: x\n"),
            "loom-oncall.yaml:2: security.rotate: must be a list of credential names");
}

TEST(ParseConfig, DrillsSection) {
  auto defaults = Parse("");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->drills.dir, "ops/incidents/drills");
  EXPECT_EQ(DrillIntervalText(defaults->drills.every), "1 month");
  EXPECT_EQ(defaults->drills.service, "loom");
  EXPECT_EQ(ErrorOf("drills:\n  every: fortnightly\n"),
            "loom-oncall.yaml:2: drills.every: 'fortnightly' is not a drill interval (e.g. \"1 "
            "month\", \"2 weeks\", \"30 days\")");
  EXPECT_EQ(ErrorOf("drills:\n  alternate: [availability, chaos]\n"),
            "loom-oncall.yaml:2: drills.alternate[1]: 'chaos' is not a drill scenario "
            "(availability, security)");
  EXPECT_THAT(ErrorOf("drills:\n  cadence: 1 month\n"),
              HasSubstr("loom-oncall.yaml:2: drills.cadence: unknown key"));
}

TEST(ParseConfig, UnknownAndDuplicateKeys) {
  EXPECT_EQ(ErrorOf("server:\n  listen: 127.0.0.1:1\nlistn: x\n"),
            "loom-oncall.yaml:3: listn: unknown key (expected one of: server, store, runbook, "
            "users, schedules, services, log, policy, notify, security, drills)");
  EXPECT_EQ(ErrorOf("runbook: a.md\nlog: {level: info}\nrunbook: b.md\n"),
            "loom-oncall.yaml:3: runbook: duplicate key (first set at line 1)");
  EXPECT_EQ(ErrorOf("services:\n  - id: a\n    severity_map: { critical: sev1, CRITICAL: sev2 }\n"),
            "loom-oncall.yaml:3: services[0].severity_map.CRITICAL: duplicate key (first set at "
            "line 3)");
  EXPECT_EQ(ErrorOf("- server\n"), "loom-oncall.yaml:1: must be a mapping (key: value lines)");
}

TEST(ParseConfig, AdminTokenOnlyFromTheEnvironment) {
  EXPECT_EQ(ErrorOf("admin_token: secret-secret-secret\n"),
            "loom-oncall.yaml:1: admin_token: not allowed in the file: set the environment "
            "variable LOOM_ONCALL_ADMIN_TOKEN");
  EXPECT_EQ(ErrorOf("", EnvOf({{"LOOM_ONCALL_ADMIN_TOKEN", "short"}})),
            "loom-oncall.yaml: LOOM_ONCALL_ADMIN_TOKEN: environment variable is too short: at "
            "least 16 characters (it has 5)");
  auto r = Parse("", EnvOf({{"LOOM_ONCALL_ADMIN_TOKEN", "0123456789abcdef"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->admin_token, "0123456789abcdef");
  r = Parse("", EnvOf({{"LOOM_ONCALL_ADMIN_TOKEN", ""}}));  // set but empty: unset
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->admin_token, "");
}

TEST(ParseConfig, InvalidYamlNamesTheLine) {
  std::string msg = ErrorOf("server:\n  listen: 127.0.0.1:8080\n  data_dir: [unclosed\n");
  EXPECT_THAT(msg, ::testing::StartsWith("loom-oncall.yaml:"));
  EXPECT_THAT(msg, HasSubstr("invalid YAML"));
  msg = ErrorOf("server:\n\tlisten: x\n");
  EXPECT_THAT(msg, ::testing::StartsWith("loom-oncall.yaml:2: invalid YAML"));
}

TEST(ParseConfig, EveryProblemIsReportedOnItsOwnLine) {
  auto r = Parse(
      "server:\n"
      "  listen: nowhere\n"  // 2
      "  threads: -3\n"      // 3
      "services:\n"
      "  - id: BAD\n"            // 5
      "    auto_resolve: 7\n");  // 6
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.size(), 4u);
  EXPECT_THAT(r.error().message, HasSubstr("loom-oncall.yaml:2: server.listen:"));
  EXPECT_THAT(r.error().message, HasSubstr("\nloom-oncall.yaml:3: server.threads:"));
  EXPECT_THAT(r.error().message, HasSubstr("\nloom-oncall.yaml:5: services[0].id:"));
  EXPECT_THAT(r.error().message, HasSubstr("\nloom-oncall.yaml:6: services[0].auto_resolve:"));
  EXPECT_EQ(r.error().fields[0].pointer, "server.listen");
}

TEST(ParseConfig, ExampleFileParses) {
  const std::string path = testing::TestDataPath("../../config/loom-oncall.example.yaml");
  FakeEnv env(std::map<std::string, std::string>{{"LOOM_ONCALL_KEY_LOOM", kKeyA}});
  auto r = LoadConfig(path, env.lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->source, path);
  ASSERT_EQ(r->services.size(), 1u);
  EXPECT_EQ(r->services[0].service.id, "loom");
  EXPECT_EQ(r->services[0].integration_keys, std::vector<std::string>{kKeyA});
  EXPECT_EQ(r->store.path, "");
  EXPECT_EQ(r->runbook, "docs/INCIDENT-RESPONSE-ONCALL.md");
  EXPECT_EQ(r->policy.For(Severity::kSev1).page, std::optional<bool>(true));
  EXPECT_EQ(r->policy.repeat, std::optional<int>(2));
  const AlertGrouping& grouping = r->services[0].service.settings.grouping;
  EXPECT_TRUE(grouping.enabled());
  EXPECT_EQ(grouping.window, std::chrono::minutes(30));
  EXPECT_EQ(grouping.match_labels, (std::vector<std::string>{"service", "env"}));
  // Without the key in the environment, the example says so with its line.
  auto missing = LoadConfig(path, FakeEnv().lookup());
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message,
              HasSubstr("services[0].integration_keys[0].key_env: environment variable "
                        "LOOM_ONCALL_KEY_LOOM is not set"));
}

// The variables DESIGN.md's sketch names.
FakeEnv SketchEnv() {
  return EnvOf({{"LOOM_ONCALL_KEY_LOOM", kKeyA},
                {"ALICE_HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
                {"LOOM_INCIDENT_SLACK_WEBHOOK", "https://hooks.slack.com/services/T0/B0/XyZ"},
                {"LOOM_ADMIN_TOKEN", "loom-admin-token-value"}});
}

TEST(ParseConfig, DesignSketchIsValidatedNow) {
  // DESIGN.md's sketch names users and schedules it never defines: now that users, schedules and
  // roles are loaded, each dangling reference is reported with its line.
  auto r = LoadConfig(testing::TestDataPath("config/design-sketch.yaml"), SketchEnv().lookup());
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_THAT(m, HasSubstr("design-sketch.yaml:19: schedules[0].layers[0].participants[1]: unknown "
                           "user 'bob' (not in users:)"));
  EXPECT_THAT(m, HasSubstr("design-sketch.yaml:20: schedules[0].overrides[0].user: unknown user "
                           "'carol'"));
  EXPECT_THAT(m, HasSubstr("design-sketch.yaml:25: services[0].roles.secondary: unknown schedule "
                           "'loom-secondary'"));
  EXPECT_THAT(m, HasSubstr("services[0].roles.escalation_manager: unknown schedule 'eng-lead'"));
  EXPECT_THAT(m, HasSubstr("services[0].roles.security_lead: unknown schedule 'sec-lead'"));
  EXPECT_THAT(m, ::testing::Not(HasSubstr("roles.primary")));
  EXPECT_THAT(m, ::testing::Not(HasSubstr("business_hours")));
  EXPECT_THAT(m, ::testing::Not(HasSubstr("users[0]")));
  EXPECT_THAT(m, ::testing::Not(HasSubstr("notify")));
  EXPECT_THAT(m, ::testing::Not(HasSubstr("incident_channels")));
}

TEST(ParseConfig, DesignSketchIsValidOnceItsReferencesExist) {
  // The sketch with the users and schedules it names added: valid as a whole, and its delivery
  // keys (contact methods, notification rules, incident channel, notify) are loaded.
  std::ifstream in(testing::TestDataPath("config/design-sketch.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  auto insert_after = [&](const std::string& anchor, const std::string& lines) {
    size_t at = yaml.find(anchor);
    ASSERT_NE(at, std::string::npos) << anchor;
    yaml.insert(at + anchor.size(), lines);
  };
  insert_after("\nusers:\n", "  - { id: bob }\n  - { id: carol }\n");
  insert_after("\nschedules:\n",
               "  - { id: loom-secondary }\n  - { id: eng-lead }\n  - { id: sec-lead }\n");
  FakeEnv env = SketchEnv();
  auto r = Parse(yaml, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const User& alice = r->users.at(2).user;
  ASSERT_EQ(alice.id, "alice");
  ASSERT_EQ(alice.contact_methods.size(), 2u);
  EXPECT_EQ(alice.contact_methods[0].secrets,
            std::vector<std::string>{env.vars_.at("ALICE_HOOK_SECRET")});
  ASSERT_EQ(alice.high_rules.size(), 2u);
  EXPECT_EQ(alice.high_rules[1].method, "mail");
  EXPECT_EQ(alice.high_rules[1].after, std::chrono::minutes(1));
  ASSERT_EQ(alice.low_rules.size(), 1u);
  const auto& channels = r->services.at(0).incident_channels;
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0].id, "slack-0");
  EXPECT_EQ(channels[0].url, env.vars_.at("LOOM_INCIDENT_SLACK_WEBHOOK"));
  EXPECT_TRUE(channels[0].url_is_secret);
  ASSERT_TRUE(r->notify.smtp.has_value());
  EXPECT_EQ(r->notify.smtp->url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(r->notify.smtp->from, "oncall@example.com");
  EXPECT_EQ(r->notify.allow_hosts, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(r->services.at(0).deferred.count("incident_channels"), 0u);
  const auto& probe = r->services.at(0).probe;
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->base_url, "http://127.0.0.1:8787");
  EXPECT_EQ(probe->admin_token_env, "LOOM_ADMIN_TOKEN");
  EXPECT_EQ(probe->admin_token, "loom-admin-token-value");
  EXPECT_EQ(probe->interval, std::chrono::minutes(1));
  EXPECT_EQ(probe->timeout, std::chrono::seconds(5));
  EXPECT_EQ(probe->lag_threshold_ms, 60'000);
  EXPECT_TRUE(r->services.at(0).deferred.empty());
}

TEST(ParseConfig, ProbeKeysAreTypedAndValidated) {
  const std::string head = "services:\n  - id: loom\n    probe: ";
  auto ok = Parse(head +
                      "{ base_url: \"https://loom.example.com/\", interval: 30s, timeout: 2s, "
                      "lag_threshold_ms: 5000 }\n",
                  EnvOf({}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const ProbeConfig& p = *ok->services.at(0).probe;
  EXPECT_EQ(p.base_url, "https://loom.example.com");  // trailing '/' dropped
  EXPECT_TRUE(p.admin_token.empty());
  EXPECT_EQ(p.interval, std::chrono::seconds(30));
  EXPECT_EQ(p.timeout, std::chrono::seconds(2));
  EXPECT_EQ(p.lag_threshold_ms, 5000);

  auto bad = Parse(head +
                       "{ base_url: \"ftp://x\", admin_token_env: MISSING_TOKEN, interval: 0s, "
                       "lag_threshold_ms: 0, port: 1 }\n",
                   EnvOf({}));
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_THAT(m, HasSubstr("services[0].probe.base_url: must start with http:// or https://"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.admin_token_env: environment variable MISSING_TOKEN "
                           "is not set"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.interval: must be longer than 0"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.lag_threshold_ms"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.port"));

  auto missing = Parse(head + "{ interval: 1m }\n", EnvOf({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("services[0].probe.base_url: is required"));
}

TEST(ParseConfig, GroupingKeysAreTypedAndValidated) {
  const std::string head = "services:\n  - id: loom\n    grouping: ";
  auto ok = Parse(head + "{ window: 45m, match_labels: [service, env] }\n", EnvOf({}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const AlertGrouping& g = ok->services.at(0).service.settings.grouping;
  EXPECT_TRUE(g.enabled());
  EXPECT_EQ(g.window, std::chrono::minutes(45));
  EXPECT_EQ(g.match_labels, (std::vector<std::string>{"service", "env"}));

  auto none = Parse("services:\n  - id: loom\n", EnvOf({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->services.at(0).service.settings.grouping.enabled());

  auto bad = Parse(
      head + "{ window: 25h, match_labels: [service, \"env-name\", service], by: x }\n", EnvOf({}));
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_THAT(m, HasSubstr("services[0].grouping.window: must be at most 24h"));
  EXPECT_THAT(m, HasSubstr("services[0].grouping.match_labels[1]: must be a label name"));
  EXPECT_THAT(m, HasSubstr("services[0].grouping.match_labels[2]: duplicate label 'service'"));
  EXPECT_THAT(m, HasSubstr("services[0].grouping.by: unknown key"));

  auto missing = Parse(head + "{ match_labels: [] }\n", EnvOf({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("services[0].grouping.window: is required"));
  EXPECT_THAT(missing.error().message, HasSubstr("services[0].grouping.match_labels: is required"));
}

TEST(LoadConfig, ReadsAFileAndNamesItInErrors) {
  testing::TempDir dir;
  const std::string path = dir.File("oncall.yaml");
  std::ofstream(path) << "server:\n  listen: 127.0.0.1:9000\n  bogus: 1\n";
  auto r = LoadConfig(path, FakeEnv().lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            path +
                ":3: server.bogus: unknown key (expected one of: listen, data_dir, public_url, "
                "tls_cert, tls_key, threads)");

  std::ofstream(path) << "server:\n  listen: 127.0.0.1:9000\n";
  r = LoadConfig(path, FakeEnv().lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->server.listen, "127.0.0.1:9000");

  r = LoadConfig(dir.File("missing.yaml"), FakeEnv().lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message, HasSubstr("missing.yaml"));
}

TEST(LoadConfig, ADirectoryIsRefusedNotReadAsAnEmptyFile) {
  // `serve --config /etc/loom-oncall` used to run with every default.
  testing::TempDir dir;
  auto r = LoadConfig(dir.path(), FakeEnv().lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "cannot read configuration file " + dir.path() +
                                   ": it is a directory (pass the YAML file itself)");
}

TEST(LoadConfig, PostgresTakesItsUrlFromTheEnvironment) {
  testing::TempDir dir;
  const std::string path = dir.File("oncall.yaml");
  std::ofstream(path) << "server:\n  listen: 127.0.0.1:9000\nstore:\n  kind: postgres\n"
                         "  url_env: PG_URL\n";
  auto r = LoadConfig(path, EnvOf({{"PG_URL", "postgres://db/oncall"}}).lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->store.kind, "postgres");
  EXPECT_EQ(r->store.url, "postgres://db/oncall");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DemoConfig, GeneratesSecretsOnceAndReusesThem) {
  testing::TempDir dir;
  const std::string data_dir = dir.File("data/nested");  // created if missing
  auto first = DemoConfig(data_dir, FakeEnv().lookup());
  ASSERT_TRUE(first.ok()) << first.error().message;
  const Config& c = *first;
  EXPECT_EQ(c.source, "demo");
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.data_dir, data_dir);
  EXPECT_EQ(c.server.public_url, "http://127.0.0.1:8080");
  EXPECT_EQ(c.store.kind, "sqlite");
  EXPECT_EQ(c.store.path, data_dir + "/loom-oncall.db");
  EXPECT_EQ(c.runbook, "docs/INCIDENT-RESPONSE-ONCALL.md");
  ASSERT_EQ(c.services.size(), 1u);
  EXPECT_EQ(c.services[0].service.id, "loom");
  EXPECT_EQ(c.services[0].service.name, "LOOM node");
  EXPECT_FALSE(c.services[0].service.settings.auto_resolve);
  // One outage, one incident: the demo groups the LOOM alerts of one service and environment.
  EXPECT_TRUE(c.services[0].service.settings.grouping.enabled());
  EXPECT_EQ(c.services[0].service.settings.grouping.match_labels,
            (std::vector<std::string>{"service", "env"}));
  ASSERT_EQ(c.services[0].integration_keys.size(), 1u);
  const std::string key = c.services[0].integration_keys[0];
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(c.admin_token.starts_with("loa_"));
  EXPECT_GE(c.admin_token.size(), 16u);
  // The demo pages someone: every role of `loom` has a schedule with a participant.
  EXPECT_EQ(c.users.size(), 4u);
  EXPECT_EQ(c.schedules.size(), 4u);
  EXPECT_EQ(c.services[0].roles.size(), 4u);
  EXPECT_TRUE(c.services[0].business_hours.has_value());

  const std::string env_file = data_dir + "/demo.env";
  struct stat st {};
  ASSERT_EQ(::stat(env_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string text = ReadFile(env_file);
  EXPECT_THAT(text, HasSubstr("LOOM_ONCALL_KEY_LOOM=" + key + "\n"));
  EXPECT_THAT(text, HasSubstr("LOOM_ONCALL_ADMIN_TOKEN=" + c.admin_token + "\n"));

  auto second = DemoConfig(data_dir, FakeEnv().lookup());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->services[0].integration_keys[0], key);
  EXPECT_EQ(second->admin_token, c.admin_token);
  EXPECT_EQ(ReadFile(env_file), text);  // not rewritten
}

TEST(DemoConfig, EnvironmentAdminTokenWins) {
  testing::TempDir dir;
  auto first = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_TRUE(first.ok());
  auto r =
      DemoConfig(dir.path(), EnvOf({{"LOOM_ONCALL_ADMIN_TOKEN", "my-own-admin-token"}}).lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->admin_token, "my-own-admin-token");
  EXPECT_EQ(r->services[0].integration_keys, first->services[0].integration_keys);
  r = DemoConfig(dir.path(), EnvOf({{"LOOM_ONCALL_ADMIN_TOKEN", "short"}}).lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("LOOM_ONCALL_ADMIN_TOKEN"));
}

TEST(DemoConfig, UsesAnExistingDemoEnvFile) {
  testing::TempDir dir;
  std::ofstream(dir.File("demo.env")) << "# mine\nLOOM_ONCALL_KEY_LOOM=" << kKeyB
                                      << "\nLOOM_ONCALL_ADMIN_TOKEN=\"admin-token-from-file\"\n";
  auto r = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->services[0].integration_keys, std::vector<std::string>{kKeyB});
  EXPECT_EQ(r->admin_token, "admin-token-from-file");

  // A file with only the key keeps it and gains a token.
  std::ofstream(dir.File("demo.env")) << "LOOM_ONCALL_KEY_LOOM=" << kKeyA << "\n";
  r = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->services[0].integration_keys, std::vector<std::string>{kKeyA});
  EXPECT_THAT(ReadFile(dir.File("demo.env")),
              HasSubstr("LOOM_ONCALL_ADMIN_TOKEN=" + r->admin_token));

  std::ofstream(dir.File("demo.env")) << "LOOM_ONCALL_KEY_LOOM=not-a-key\n";
  r = DemoConfig(dir.path(), FakeEnv().lookup());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("must be 32 hex characters"));
}

}  // namespace
}  // namespace loom

namespace loom {
namespace {

using ::testing::HasSubstr;

// ---- users, schedules, roles, business hours ----

constexpr char kOnCallYaml[] = R"(users:
  - id: alice
    name: Alice Example
    email: alice@example.com
    time_zone: Europe/Berlin
    contact_methods:
      - { id: hook, type: webhook, url: "http://127.0.0.1:9000/a", secret_env: ALICE_HOOK_SECRET }
      - { id: mail, type: email, address: alice@example.com }
    notification_rules: { high: [ { method: hook, after: 0m } ] }
  - id: bob
  - id: carol.c
schedules:
  - id: loom-primary
    time_zone: Europe/Berlin
    layers:
      - participants: [alice, bob]
        shift: 1d
        handoff: "09:00"
        start: 2026-03-23
      - participants: [carol.c]
        shift: 12h
        handoff: "20:00"
        start: 2026-03-23
        restrictions: [ { days: sat-sun, from: "08:00", to: "20:00" } ]
    overrides: [ { user: carol.c, from: 2026-12-24T18:00, to: "2026-12-27 09:00" } ]
  - id: sec
    layers: [ { participants: [bob], shift: 1w, start: 2026-01-05 } ]
services:
  - id: loom
    roles: { primary: loom-primary, security_lead: sec }
    business_hours: { time_zone: Europe/Berlin, days: mon-fri, from: "09:00", to: "17:00",
                      holidays: [2026-12-25] }
notify: { smtp: { url: "smtp://127.0.0.1:2525", from: oncall@example.com } }
)";

TEST(ParseConfig, UsersSchedulesRolesAndBusinessHours) {
  auto r = Parse(kOnCallYaml, EnvOf({{"ALICE_HOOK_SECRET", "whsec_c2VjcmV0"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Config& c = *r;
  ASSERT_EQ(c.users.size(), 3u);
  const User& alice = c.users[0].user;
  EXPECT_EQ(alice.id, "alice");
  EXPECT_EQ(alice.email, "alice@example.com");
  EXPECT_EQ(alice.time_zone, "Europe/Berlin");
  ASSERT_EQ(alice.contact_methods.size(), 2u);
  EXPECT_EQ(alice.contact_methods[0].type, "webhook");
  EXPECT_EQ(alice.contact_methods[0].address, "http://127.0.0.1:9000/a");
  EXPECT_EQ(alice.contact_methods[0].secret_env, "ALICE_HOOK_SECRET");
  EXPECT_EQ(alice.contact_methods[1].address, "alice@example.com");
  EXPECT_EQ(c.users[1].user.name, "bob");  // name defaults to the id
  EXPECT_EQ(c.users[1].user.time_zone, "UTC");

  ASSERT_EQ(c.schedules.size(), 2u);
  const ScheduleConfig& primary = c.schedules[0];
  EXPECT_EQ(primary.time_zone, "Europe/Berlin");
  ASSERT_EQ(primary.layers.size(), 2u);
  EXPECT_EQ(primary.layers[0].participants, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(primary.layers[0].shift_length_minutes, 24 * 60);
  EXPECT_EQ(primary.layers[0].handoff_minute, 9 * 60);
  EXPECT_EQ(primary.layers[0].start_days, 20535);  // 2026-03-23
  EXPECT_EQ(primary.layers[1].shift_length_minutes, 12 * 60);
  ASSERT_EQ(primary.layers[1].restrictions.size(), 1u);
  EXPECT_EQ(primary.layers[1].restrictions[0].weekdays, 0x60u);
  EXPECT_EQ(primary.layers[1].restrictions[0].from_minute, 8 * 60);
  ASSERT_EQ(primary.overrides.size(), 1u);
  EXPECT_EQ(primary.overrides[0].user, "carol.c");
  EXPECT_EQ(primary.overrides[0].from.minute, 18 * 60);
  EXPECT_EQ(primary.overrides[0].to.days - primary.overrides[0].from.days, 3);
  EXPECT_EQ(c.schedules[1].time_zone, "UTC");  // default
  EXPECT_EQ(c.schedules[1].layers[0].shift_length_minutes, 7 * 24 * 60);

  const ServiceConfig& loom = c.services[0];
  EXPECT_EQ(loom.roles, (std::map<OnCallRole, std::string>{{OnCallRole::kPrimary, "loom-primary"},
                                                           {OnCallRole::kSecurityLead, "sec"}}));
  ASSERT_TRUE(loom.business_hours.has_value());
  EXPECT_EQ(loom.business_hours->time_zone, "Europe/Berlin");
  EXPECT_EQ(loom.business_hours->holidays, std::vector<std::string>{"2026-12-25"});
}

TEST(ParseConfig, OnCallErrorsNameFileLineAndKey) {
  const std::string m = ErrorOf(R"(users:
  - id: alice
    time_zone: Mars/Olympus
    contact_methods: [ { id: m, type: pager, address: x } ]
  - id: alice
  - id: Bad!
    contact_methods: [ { id: h, type: webhook, url: "ftp://x" } ]
schedules:
  - id: s1
    time_zone: Europe/Nowhere
    layers:
      - participants: [alice, mallory]
        shift: 90m
        handoff: "25:00"
        start: 2026-02-30
        restrictions: [ { days: funday } ]
      - participants: []
    overrides: [ { user: alice, from: 2026-12-27T09:00, to: 2026-12-24T18:00 },
                 { user: alice, from: tomorrow, to: 2026-12-24T18:00 } ]
  - id: s1
services:
  - id: loom
    roles: { primary: s1, secondary: nope, tertiary: s1 }
    business_hours: { days: mon-fri, from: "17:00", to: "09:00", holidays: [christmas] }
)");
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:3: users[0].time_zone: unknown time zone 'Mars/Olympus'",
      "loom-oncall.yaml:4: users[0].contact_methods[0].type: 'pager' is not a contact method type",
      "loom-oncall.yaml:5: users[1].id: duplicate user id 'alice' (first at line 2)",
      "loom-oncall.yaml:6: users[2].id: 'Bad!' is not a valid user id",
      "loom-oncall.yaml:7: users[2].contact_methods[0].url: must start with http:// or https://",
      "loom-oncall.yaml:10: schedules[0].time_zone: unknown time zone 'Europe/Nowhere'",
      "loom-oncall.yaml:12: schedules[0].layers[0].participants[1]: unknown user 'mallory'",
      "loom-oncall.yaml:13: schedules[0].layers[0].shift: '90m' is not a shift length",
      "loom-oncall.yaml:14: schedules[0].layers[0].handoff: '25:00' is not a time of day",
      "loom-oncall.yaml:15: schedules[0].layers[0].start: '2026-02-30' is not a date",
      "loom-oncall.yaml:16: schedules[0].layers[0].restrictions[0].days: 'funday' is not a list "
      "of weekdays",
      "loom-oncall.yaml:17: schedules[0].layers[1].participants: needs at least one user id",
      "loom-oncall.yaml:18: schedules[0].overrides[0].to: must be after from",
      "loom-oncall.yaml:19: schedules[0].overrides[1].from: 'tomorrow' is not a local date and "
      "time",
      "loom-oncall.yaml:20: schedules[1].id: duplicate schedule id 's1' (first at line 9)",
      "loom-oncall.yaml:23: services[0].roles.secondary: unknown schedule 'nope'",
      "loom-oncall.yaml:23: services[0].roles.tertiary: unknown key",
      "loom-oncall.yaml:24: services[0].business_hours.time_zone: is required",
      "loom-oncall.yaml:24: services[0].business_hours.to: business hours must end after they "
      "start",
      "loom-oncall.yaml:24: services[0].business_hours.holidays[0]: is not a date YYYY-MM-DD",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
}

// ---- delivery: contact methods, notification rules, incident channels, notify ----

constexpr char kHookSecretNew[] = "whsec_bmV3IHNlY3JldCBmb3IgdGVzdHM=";
constexpr char kHookSecretOld[] = "whsec_b2xkIHNlY3JldA==";
constexpr char kSlackUrl[] = "https://hooks.slack.com/services/T000/B000/secretpart";

// Every variable the delivery tests name, set to valid values.
std::map<std::string, std::string> DeliveryVars() {
  return {{"ALICE_HOOK_SECRET", std::string(kHookSecretNew) + "\n " + kHookSecretOld},
          {"ALICE_SLACK", kSlackUrl},
          {"OPS_SLACK", kSlackUrl},
          {"OPS_HOOK_SECRET", kHookSecretNew},
          {"SMTP_PASSWORD", "smtp-password-value"},
          {"LINK_SECRET", "0123456789abcdef0123456789abcdef-link"}};
}

constexpr char kDeliveryYaml[] = R"(users:
  - id: alice
    contact_methods:
      - { id: mail, type: email, address: alice@example.com }
      - { id: hook, type: webhook, url: "https://hooks.example.com/alice", secret_env: ALICE_HOOK_SECRET }
      - { id: chat, type: slack, url_env: ALICE_SLACK }
      - { id: plain, type: webhook, url: "http://127.0.0.1:9000/a" }
    notification_rules:
      high: [ { method: hook, after: 0m }, { method: mail, after: 90s }, { method: chat, after: 1h30m } ]
      low: [ { method: mail } ]
  - id: bob
    contact_methods: [ { id: mail, type: email, address: bob@example.com } ]
services:
  - id: loom
    incident_channels:
      - { type: slack, url_env: OPS_SLACK }
      - { id: ops-hook, type: webhook, url: "https://ops.example.com/hook", secret_env: OPS_HOOK_SECRET }
      - { type: webhook, url: "http://[::1]:8081/x" }
notify:
  smtp:
    url: "smtp://mail.example.com:587"
    from: oncall@example.com
    starttls: true
    username: oncall
    password_env: SMTP_PASSWORD
    verify_tls: false
  allow_hosts: [127.0.0.1, "::1", 10.0.0.0/8, hooks.internal]
  workers: 2
  per_destination: 3
  max_attempts: 5
  retry: { initial: 10s, max: 5m }
  bundle_window: 0s
  timeout: 15s
  link_ttl: 2d
  link_secret_env: LINK_SECRET
)";

TEST(ParseConfig, ContactMethodsRulesChannelsAndNotify) {
  FakeEnv env(DeliveryVars());
  auto r = Parse(kDeliveryYaml, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const User& alice = r->users.at(0).user;
  ASSERT_EQ(alice.contact_methods.size(), 4u);
  const ContactMethod& mail = alice.contact_methods[0];
  EXPECT_EQ(mail.type, "email");
  EXPECT_EQ(mail.address, "alice@example.com");
  EXPECT_FALSE(mail.address_is_secret);
  const ContactMethod& hook = alice.contact_methods[1];
  EXPECT_EQ(hook.address, "https://hooks.example.com/alice");
  EXPECT_FALSE(hook.address_is_secret);
  EXPECT_EQ(hook.secret_env, "ALICE_HOOK_SECRET");
  EXPECT_EQ(hook.secrets, (std::vector<std::string>{kHookSecretNew, kHookSecretOld}));
  const ContactMethod& chat = alice.contact_methods[2];
  EXPECT_EQ(chat.type, "slack");
  EXPECT_EQ(chat.address, kSlackUrl);
  EXPECT_TRUE(chat.address_is_secret);
  EXPECT_EQ(chat.url_env, "ALICE_SLACK");
  EXPECT_TRUE(chat.secrets.empty());
  EXPECT_TRUE(alice.contact_methods[3].secrets.empty());  // secret_env is optional

  ASSERT_EQ(alice.high_rules.size(), 3u);
  EXPECT_EQ(alice.high_rules[0].method, "hook");
  EXPECT_EQ(alice.high_rules[0].after, Duration::zero());
  EXPECT_EQ(alice.high_rules[1].method, "mail");
  EXPECT_EQ(alice.high_rules[1].after, std::chrono::seconds(90));
  EXPECT_EQ(alice.high_rules[2].after, std::chrono::minutes(90));
  ASSERT_EQ(alice.low_rules.size(), 1u);
  EXPECT_EQ(alice.low_rules[0].method, "mail");
  EXPECT_EQ(alice.low_rules[0].after, Duration::zero());  // `after` defaults to 0
  // No rules: empty lists (every method at once).
  EXPECT_TRUE(r->users.at(1).user.high_rules.empty());
  EXPECT_TRUE(r->users.at(1).user.low_rules.empty());

  const auto& channels = r->services.at(0).incident_channels;
  ASSERT_EQ(channels.size(), 3u);
  EXPECT_EQ(channels[0].id, "slack-0");
  EXPECT_EQ(channels[0].type, "slack");
  EXPECT_EQ(channels[0].url, kSlackUrl);
  EXPECT_TRUE(channels[0].url_is_secret);
  EXPECT_EQ(channels[0].url_env, "OPS_SLACK");
  EXPECT_EQ(channels[1].id, "ops-hook");
  EXPECT_FALSE(channels[1].url_is_secret);
  EXPECT_EQ(channels[1].secret_env, "OPS_HOOK_SECRET");
  EXPECT_EQ(channels[1].secrets, std::vector<std::string>{kHookSecretNew});
  EXPECT_EQ(channels[2].id, "webhook-2");
  EXPECT_EQ(channels[2].url, "http://[::1]:8081/x");
  EXPECT_TRUE(channels[2].secrets.empty());

  const NotifyConfig& n = r->notify;
  ASSERT_TRUE(n.smtp.has_value());
  EXPECT_EQ(n.smtp->url, "smtp://mail.example.com:587");
  EXPECT_EQ(n.smtp->from, "oncall@example.com");
  EXPECT_TRUE(n.smtp->starttls);
  EXPECT_EQ(n.smtp->username, "oncall");
  EXPECT_EQ(n.smtp->password, "smtp-password-value");
  EXPECT_FALSE(n.smtp->verify_tls);
  EXPECT_EQ(n.allow_hosts,
            (std::vector<std::string>{"127.0.0.1", "::1", "10.0.0.0/8", "hooks.internal"}));
  EXPECT_EQ(n.workers, 2);
  EXPECT_EQ(n.per_destination, 3);
  EXPECT_EQ(n.max_attempts, 5);
  EXPECT_EQ(n.retry_initial, std::chrono::seconds(10));
  EXPECT_EQ(n.retry_max, std::chrono::minutes(5));
  EXPECT_EQ(n.bundle_window, Duration::zero());
  EXPECT_EQ(n.timeout, std::chrono::seconds(15));
  EXPECT_EQ(n.link_ttl, std::chrono::hours(48));
  EXPECT_EQ(n.link_secret, "0123456789abcdef0123456789abcdef-link");
  EXPECT_TRUE(r->deferred_sections.empty());
  EXPECT_TRUE(r->services.at(0).deferred.empty());
}

TEST(ParseConfig, NotifyDefaults) {
  for (const char* text : {"", "notify:\n", "notify: {}\n"}) {
    auto r = Parse(text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const NotifyConfig& n = r->notify;
    EXPECT_FALSE(n.smtp.has_value());
    EXPECT_TRUE(n.allow_hosts.empty());
    EXPECT_EQ(n.workers, 4);
    EXPECT_EQ(n.per_destination, 4);
    EXPECT_EQ(n.max_attempts, 8);
    EXPECT_EQ(n.retry_initial, std::chrono::seconds(5));
    EXPECT_EQ(n.retry_max, std::chrono::minutes(10));
    EXPECT_EQ(n.bundle_window, std::chrono::seconds(30));
    EXPECT_EQ(n.timeout, std::chrono::seconds(10));
    EXPECT_EQ(n.link_ttl, std::chrono::hours(24));
    EXPECT_EQ(n.link_secret, "");
  }
  auto r = Parse("notify: { smtp: { url: \"smtps://mail.example.com:465\", from: a@b } }\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->notify.smtp->starttls);
  EXPECT_TRUE(r->notify.smtp->verify_tls);
  EXPECT_EQ(r->notify.smtp->username, "");
  EXPECT_EQ(r->notify.smtp->password, "");
}

TEST(ParseConfig, ContactMethodErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  env.vars_["NOT_A_URL"] = "ftp://files.example.com/secret-token-123";
  env.vars_["BAD_SECRET"] = std::string(kHookSecretNew) + " plain-secret-456";
  env.vars_["BLANK"] = "   ";
  const std::string m = ErrorOf(R"(users:
  - id: alice
    contact_methods:
      - { id: mail, type: email, address: alice@example.com }
      - { id: m2, type: email, address: "not an address" }
      - { id: m3, type: email, url: "https://x.example.com" }
      - { id: h1, type: webhook, url: "https://a.example.com", url_env: ALICE_SLACK }
      - { id: h2, type: webhook }
      - { id: h3, type: webhook, url_env: UNSET_URL }
      - { id: h4, type: webhook, url_env: NOT_A_URL }
      - { id: h5, type: webhook, url: "https://:443/x" }
      - { id: h6, type: webhook, url: "https://h.example.com:99999/" }
      - { id: h7, type: webhook, url: "https://h.example.com", secret_env: UNSET_SECRET }
      - { id: h8, type: webhook, url: "https://h.example.com", secret_env: BAD_SECRET }
      - { id: h9, type: webhook, url: "https://h.example.com", secret_env: BLANK }
      - { id: s1, type: slack, url_env: ALICE_SLACK, secret_env: ALICE_HOOK_SECRET }
      - { id: s2, type: slack, address: "https://hooks.slack.com/x" }
      - { id: s3, type: slack, url: "https://hooks.slack.com/x", token: abc }
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:4: users[0].contact_methods[0].type: contact method type email needs "
      "notify.smtp",
      "loom-oncall.yaml:5: users[0].contact_methods[1].address: 'not an address' is not an "
      "e-mail address",
      "loom-oncall.yaml:6: users[0].contact_methods[2].url: does not apply to type email (use "
      "address)",
      "loom-oncall.yaml:6: users[0].contact_methods[2].address: is required",
      "loom-oncall.yaml:7: users[0].contact_methods[3]: set exactly one of url or url_env",
      "loom-oncall.yaml:8: users[0].contact_methods[4]: set exactly one of url or url_env",
      "loom-oncall.yaml:9: users[0].contact_methods[5].url_env: environment variable UNSET_URL "
      "is not set",
      "loom-oncall.yaml:10: users[0].contact_methods[6].url_env: the URL in environment "
      "variable NOT_A_URL must start with http:// or https://",
      "loom-oncall.yaml:11: users[0].contact_methods[7].url: has no host",
      "loom-oncall.yaml:12: users[0].contact_methods[8].url: has an invalid port (1-65535)",
      "loom-oncall.yaml:13: users[0].contact_methods[9].secret_env: environment variable "
      "UNSET_SECRET is not set",
      "loom-oncall.yaml:14: users[0].contact_methods[10].secret_env: environment variable "
      "BAD_SECRET: secret 2 is not a webhook secret (whsec_ followed by base64)",
      "loom-oncall.yaml:15: users[0].contact_methods[11].secret_env: environment variable BLANK "
      "holds no secret",
      "loom-oncall.yaml:16: users[0].contact_methods[12].secret_env: does not apply to type "
      "slack (only webhooks are signed)",
      "loom-oncall.yaml:17: users[0].contact_methods[13].address: does not apply to type slack "
      "(use url or url_env)",
      "loom-oncall.yaml:18: users[0].contact_methods[14].token: unknown key (expected one of: "
      "id, type, address, url, url_env, secret_env)",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  // Secrets from the environment never appear; the variables are named instead.
  for (const char* secret : {"secret-token-123", "plain-secret-456", kHookSecretNew, kSlackUrl}) {
    EXPECT_THAT(m, ::testing::Not(HasSubstr(secret)));
  }
}

TEST(ParseConfig, EmailMethodWithSmtpConfigured) {
  const std::string yaml = R"(users:
  - id: alice
    contact_methods: [ { id: mail, type: email, address: alice@example.com } ]
notify: { smtp: { url: "smtp://127.0.0.1:2525", from: oncall@example.com } }
)";
  EXPECT_TRUE(Parse(yaml).ok());
  // An smtp section with errors of its own does not add "needs notify.smtp".
  const std::string m = ErrorOf(R"(users:
  - id: alice
    contact_methods: [ { id: mail, type: email, address: alice@example.com } ]
notify: { smtp: { url: "http://127.0.0.1:2525" } }
)");
  EXPECT_THAT(m, ::testing::Not(HasSubstr("needs notify.smtp"))) << m;
  EXPECT_THAT(m, HasSubstr("notify.smtp.url: must start with smtp:// or smtps://"));
}

TEST(ParseConfig, NotificationRuleErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  const std::string m = ErrorOf(R"(users:
  - id: alice
    contact_methods:
      - { id: hook, type: webhook, url: "https://a.example.com" }
      - { id: chat, type: slack, url_env: ALICE_SLACK }
    notification_rules:
      high:
        - { method: hook, after: 0m }
        - { method: pager, after: 1m }
        - { method: hook, after: 5m }
        - { method: chat, after: -1m }
        - { after: 1m }
        - { method: chat, after: soon, repeat: 2 }
      low: [ { method: hook } ]
      urgent: [ { method: hook } ]
  - id: bob
    notification_rules: [ { method: mail } ]
  - id: carol
    notification_rules: { high: { method: mail } }
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:9: users[0].notification_rules.high[1].method: unknown contact method "
      "'pager' (not in this user's contact_methods)",
      "loom-oncall.yaml:10: users[0].notification_rules.high[2].method: contact method 'hook' is "
      "already in high (line 8)",
      "loom-oncall.yaml:11: users[0].notification_rules.high[3].after: bad duration '-1m'",
      "loom-oncall.yaml:12: users[0].notification_rules.high[4].method: is required",
      "loom-oncall.yaml:13: users[0].notification_rules.high[5].after: bad duration 'soon'",
      "loom-oncall.yaml:13: users[0].notification_rules.high[5].repeat: unknown key",
      "loom-oncall.yaml:15: users[0].notification_rules.urgent: unknown key (expected one of: "
      "high, low)",
      "loom-oncall.yaml:17: users[1].notification_rules: must be a mapping of urgency to rules",
      "loom-oncall.yaml:19: users[2].notification_rules.high: must be a list of rules",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  // The same method in high and low is fine (line 14): no error names low.
  EXPECT_THAT(m, ::testing::Not(HasSubstr("notification_rules.low")));
}

TEST(ParseConfig, IncidentChannelErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  const std::string m = ErrorOf(R"(services:
  - id: loom
    incident_channels:
      - { type: slack, url_env: OPS_SLACK }
      - { id: slack-0, type: slack, url: "https://hooks.slack.com/a" }
      - { id: Ops Room, type: webhook, url: "https://a.example.com" }
      - { type: teams, url: "https://a.example.com" }
      - { type: slack, url: "https://hooks.slack.com/a", secret_env: OPS_HOOK_SECRET }
      - { type: webhook }
      - { url: "https://a.example.com" }
  - id: other
    incident_channels: { type: slack, url_env: OPS_SLACK }
  - id: third
    incident_channels: [ { type: slack, url_env: OPS_SLACK } ]
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:5: services[0].incident_channels[1].id: duplicate incident channel id "
      "'slack-0' (first at line 4)",
      "loom-oncall.yaml:6: services[0].incident_channels[2].id: 'Ops Room' is not a valid "
      "channel id",
      "loom-oncall.yaml:7: services[0].incident_channels[3].type: 'teams' is not an incident "
      "channel type (slack, webhook",  // a type added to notify/channels.cc extends the list
      "loom-oncall.yaml:8: services[0].incident_channels[4].secret_env: does not apply to type "
      "slack",
      "loom-oncall.yaml:9: services[0].incident_channels[5]: set exactly one of url or url_env",
      "loom-oncall.yaml:10: services[0].incident_channels[6].type: is required",
      "loom-oncall.yaml:12: services[1].incident_channels: must be a list of",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  // Ids are unique per service: services[2] may use slack-0 again.
  EXPECT_THAT(m, ::testing::Not(HasSubstr("services[2]")));
  EXPECT_THAT(m, ::testing::Not(HasSubstr(kSlackUrl)));
}

TEST(ParseConfig, NotifyErrorsNameFileLineAndKey) {
  FakeEnv env(DeliveryVars());
  env.vars_["SHORT_LINK"] = "short-link-secret-789";
  const std::string m = ErrorOf(R"(notify:
  smtp:
    url: "smtps://user:pw-in-url@mail.example.com:465"
    from: "Oncall <oncall@example.com>"
    starttls: true
    password_env: UNSET_PASSWORD
    verify_tls: maybe
  allow_hosts: [127.0.0.1, "", [a]]
  workers: 0
  max_attempts: 101
  retry: { initial: 10m, max: 1m, jitter: 1s }
  bundle_window: -5s
  timeout: 0s
  link_ttl: 1y
  link_secret_env: SHORT_LINK
  channels: []
)",
                                env);
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:3: notify.smtp.url: must not contain credentials (use username and "
      "password_env)",
      "loom-oncall.yaml:4: notify.smtp.from: 'Oncall <oncall@example.com>' is not an e-mail "
      "address",
      "loom-oncall.yaml:5: notify.smtp.starttls: applies only to smtp://",
      "loom-oncall.yaml:6: notify.smtp.password_env: environment variable UNSET_PASSWORD is not "
      "set",
      "loom-oncall.yaml:6: notify.smtp.password_env: password_env is set but username is not",
      "loom-oncall.yaml:7: notify.smtp.verify_tls: must be true or false",
      "loom-oncall.yaml:8: notify.allow_hosts[1]: must be a host name",
      "loom-oncall.yaml:8: notify.allow_hosts[2]: must be a host name",
      "loom-oncall.yaml:9: notify.workers: must be an integer from 1 to 64",
      "loom-oncall.yaml:10: notify.max_attempts: must be an integer from 1 to 100",
      "loom-oncall.yaml:11: notify.retry.max: must not be shorter than notify.retry.initial",
      "loom-oncall.yaml:11: notify.retry.jitter: unknown key",
      "loom-oncall.yaml:12: notify.bundle_window: bad duration '-5s'",
      "loom-oncall.yaml:13: notify.timeout: must be longer than 0",
      "loom-oncall.yaml:14: notify.link_ttl: bad duration '1y'",
      "loom-oncall.yaml:15: notify.link_secret_env: environment variable SHORT_LINK is too "
      "short: at least 32 characters (it has 21)",
      "loom-oncall.yaml:16: notify.channels: unknown key",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
  for (const char* secret : {"short-link-secret-789", "pw-in-url"}) {
    EXPECT_THAT(m, ::testing::Not(HasSubstr(secret)));
  }

  EXPECT_THAT(ErrorOf("notify: { smtp: { from: a@b } }\n"),
              HasSubstr("loom-oncall.yaml:1: notify.smtp.url: is required"));
  EXPECT_THAT(ErrorOf("notify: { smtp: { url: \"smtp://mail.example.com\", from: a@b } }\n"),
              HasSubstr("notify.smtp.url: needs a port, e.g. smtp://mail.example.com:587"));
  EXPECT_THAT(ErrorOf("notify: { smtp: { url: \"smtp://mail.example.com:25/x\", from: a@b } }\n"),
              HasSubstr("notify.smtp.url: must not have a path"));
  EXPECT_THAT(ErrorOf("notify: { smtp: { url: \"smtp://m.example.com:25\" } }\n"),
              HasSubstr("notify.smtp.from: is required"));
  EXPECT_THAT(
      ErrorOf("notify:\n  smtp: { url: \"smtp://m.example.com:25\", from: a@b, username: u }\n"),
      HasSubstr("loom-oncall.yaml:2: notify.smtp.username: username is set but password_env is "
                "not (set both or neither)"));
  EXPECT_THAT(ErrorOf("notify: { link_secret_env: UNSET_LINK }\n"),
              HasSubstr("notify.link_secret_env: environment variable UNSET_LINK is not set"));
  EXPECT_THAT(ErrorOf("notify: [smtp]\n"),
              HasSubstr("loom-oncall.yaml:1: notify: must be a mapping"));
}

}  // namespace
}  // namespace loom
