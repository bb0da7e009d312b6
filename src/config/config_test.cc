// config.cc: the top level of the file (defaults, unknown keys, the admin token, every problem at
// once), whole files (the example, DESIGN.md's sketch) and LoadConfig's reading of a file. Each
// section's own tests are beside its file (<section>_section_test.cc).

#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_test_util.h"
#include "testing/temp_dir.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

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

TEST(ParseConfig, UnknownAndDuplicateKeys) {
  EXPECT_EQ(ErrorOf("server:\n  listen: 127.0.0.1:1\nlistn: x\n"),
            "loom-oncall.yaml:3: listn: unknown key (expected one of: server, store, runbook, "
            "users, teams, schedules, services, log, policy, notify, security, drills, auth, "
            "maintenance)");
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

}  // namespace
}  // namespace loom::config_test
