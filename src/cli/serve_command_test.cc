#include "cli/serve_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/cli_test_harness.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "server/data_dir_lock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using testing::CliHarness;
using testing::TempDir;

Config DemoLikeConfig(const std::string& data_dir) {
  Config config;
  config.source = "demo";
  config.server.data_dir = data_dir;
  config.admin_token = "admin-secret-token-value";
  ServiceConfig loom;
  loom.service.id = "loom";
  loom.service.name = "LOOM node";
  loom.integration_keys = {"0123456789abcdef0123456789abcdef"};
  config.services.push_back(loom);
  return config;
}

TEST(ServeCommandTest, DemoStartsPrintsAndShutsDownInOrder) {
  TempDir tmp;
  std::string data_dir = tmp.File("data");
  CliHarness h;
  h.config = DemoLikeConfig(data_dir);
  h.port = 40123;
  EXPECT_EQ(h.Run({"serve", "--demo", "--data-dir", data_dir, "--listen", "127.0.0.1:0"}), 0)
      << h.err.str();

  EXPECT_EQ(h.out.str(),
            "loom-oncall listening on http://127.0.0.1:40123\n"
            "demo integration key (service loom): 0123456789abcdef0123456789abcdef\n"
            "demo admin token: in " +
                data_dir + "/demo.env (LOOM_ONCALL_ADMIN_TOKEN)\n");
  EXPECT_EQ(h.out.str().find("admin-secret-token-value"), std::string::npos);
  EXPECT_EQ(h.err.str().find("admin-secret-token-value"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_directory(data_dir));

  std::vector<std::string> expected = {
      "config.demo " + data_dir,
      "signal.block",
      "store.open " + data_dir + "/loom-oncall.db",
      "server.start 127.0.0.1:0",
      "store.services 1",  // the configured service is in the store before the server starts
      "signal.wait",
      "server.stop",
      "store writable",  // the store closes after the server stopped
      "server.wait",
  };
  EXPECT_EQ(h.events, expected);
  EXPECT_EQ(h.admin_token_hash, Sha256Hex("admin-secret-token-value"));

  // The configured service and its key are in the store.
  std::unique_ptr<Store> store = h.OpenStore(data_dir + "/loom-oncall.db");
  ASSERT_NE(store, nullptr);
  Result<std::vector<Service>> services = store->ListServices();
  ASSERT_TRUE(services.ok()) << services.error().message;
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].name, "LOOM node");
  Result<std::optional<IntegrationKey>> key =
      store->FindIntegrationKey(Sha256Hex("0123456789abcdef0123456789abcdef"));
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->service_id, "loom");
}

TEST(ServeCommandTest, ConfigFileFromTheEnvironmentAndFlagOverrides) {
  TempDir tmp;
  CliHarness h;
  h.env["LOOM_ONCALL_CONFIG"] = "/etc/loom-oncall.yaml";
  Config config = DemoLikeConfig(tmp.File("from-file"));
  config.admin_token.clear();
  config.store.path = tmp.File("db/custom.db");
  h.config = config;
  EXPECT_EQ(h.Run({"serve", "--listen", "127.0.0.1:0", "--data-dir", tmp.File("flag")}), 0)
      << h.err.str();
  EXPECT_EQ(h.events.front(), "config.load /etc/loom-oncall.yaml");
  EXPECT_EQ(h.events[2], "store.open " + tmp.File("db/custom.db"));
  EXPECT_TRUE(std::filesystem::is_directory(tmp.File("flag")));
  EXPECT_TRUE(std::filesystem::is_directory(tmp.File("db")));
  EXPECT_EQ(h.server_options.listen, "127.0.0.1:0");
  EXPECT_EQ(h.admin_token_hash, "");
  // Not in demo mode: only the listening line.
  EXPECT_EQ(h.out.str(), "loom-oncall listening on http://127.0.0.1:43210\n");
}

// The value of setting `name` in the store at `path`, "" when it is not set (read after a run;
// reading an absent setting stores a placeholder).
std::string StoredSetting(CliHarness& h, const std::string& path, const std::string& name) {
  std::unique_ptr<Store> store = h.OpenStore(path);
  if (store == nullptr) return "not opened";
  bool absent = false;
  Result<std::string> value = store->GetOrCreateSetting(name, [&] {
    absent = true;
    return std::string("absent");
  });
  EXPECT_TRUE(value.ok()) << value.error().message;
  store->Shutdown();
  return absent || !value.ok() ? "" : *value;
}

// The token of a link URL ("<public_url>/a/<token>").
std::string TokenOf(const std::string& url) { return url.substr(url.rfind('/') + 1); }

TEST(ServeCommandTest, GeneratedLinkKeyIsKeptAcrossRestarts) {
  TempDir tmp;
  CliHarness h;
  Config config = DemoLikeConfig(tmp.path());
  config.server.public_url = "https://oncall.example.com";
  h.config = config;
  ASSERT_EQ(h.Run({"serve", "--config", "x.yaml"}), 0) << h.err.str();
  ASSERT_NE(h.links, nullptr);
  EXPECT_EQ(StoredSetting(h, tmp.File("loom-oncall.db"), "link_key").size(), 64u);
  LinkSigner::Links before = h.links->For(7, "alice", "email", h.clock.Now());
  EXPECT_EQ(before.ack_url.rfind("https://oncall.example.com/a/", 0), 0u) << before.ack_url;

  ASSERT_EQ(h.Run({"serve", "--config", "x.yaml"}), 0) << h.err.str();
  Result<ActionClaims> after = h.links->Verify(TokenOf(before.ack_url), h.clock.Now());
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->incident_number, 7);
}

// notify.link_secret (from link_secret_env) signs the links instead of a generated key.
TEST(ServeCommandTest, LinkSecretFromTheNotifySection) {
  TempDir tmp;
  CliHarness h;
  Config config = DemoLikeConfig(tmp.path());
  const std::string secret = "a-link-secret-of-more-than-32-characters";
  config.notify.link_secret = secret;
  h.config = config;
  ASSERT_EQ(h.Run({"serve", "--config", "x.yaml"}), 0) << h.err.str();
  ASSERT_NE(h.links, nullptr);
  EXPECT_EQ(StoredSetting(h, tmp.File("loom-oncall.db"), "link_key"), "");
  LinkSigner same(secret, "http://x", std::chrono::hours(1));
  EXPECT_TRUE(
      h.links->Verify(TokenOf(same.For(3, "bob", "slack", h.clock.Now()).ack_url), h.clock.Now())
          .ok());

  config.notify.link_secret = "too-short";
  h.config = config;
  EXPECT_EQ(h.Run({"serve", "--config", "x.yaml"}), 2);
  EXPECT_NE(h.err.str().find("notify.link_secret must have at least 32 characters"),
            std::string::npos)
      << h.err.str();
}

TEST(ServeCommandTest, InvalidConfigExits2WithTheMessageAndStartsNothing) {
  CliHarness h;
  h.config = Error::Invalid(
      "loom-oncall.yaml:14: services[0].integration_keys[0].key_env: LOOM_ONCALL_KEY_LOOM is not "
      "set");
  EXPECT_EQ(h.Run({"serve", "--config", "loom-oncall.yaml"}), 2);
  EXPECT_EQ(h.err.str(),
            "error: loom-oncall.yaml:14: services[0].integration_keys[0].key_env: "
            "LOOM_ONCALL_KEY_LOOM is not set\n");
  EXPECT_EQ(h.out.str(), "");
  EXPECT_EQ(h.events, std::vector<std::string>{"config.load loom-oncall.yaml"});
}

TEST(ServeCommandTest, PassesTheBuiltInPolicyWithConfigOverrides) {
  TempDir tmp;
  CliHarness h;
  Config config = DemoLikeConfig(tmp.path());
  config.policy.For(Severity::kSev2).ack_target = *ParsePolicyDuration("10m");
  config.policy.For(Severity::kSev2).ack_source = "config x.yaml:3";
  h.config = config;
  EXPECT_EQ(h.Run({"serve", "--config", "x.yaml"}), 0) << h.err.str();
  ASSERT_NE(h.policy, nullptr);
  EXPECT_EQ(h.policy->runbook, "built-in INCIDENT-RESPONSE-ONCALL.md");
  EXPECT_EQ(h.policy->For(Severity::kSev1).ack_source, "built-in INCIDENT-RESPONSE-ONCALL.md:22");
  EXPECT_EQ(h.policy->For(Severity::kSev2).ack_target.amount, std::chrono::minutes(10));
  EXPECT_EQ(h.policy->For(Severity::kSev2).ack_source, "config x.yaml:3");
}

TEST(ServeCommandTest, UnparsableRunbookCellExits2NamingTheCellAndStartsNothing) {
  TempDir tmp;
  const std::string runbook = tmp.File("runbook.md");
  {
    std::ofstream out(runbook);
    out << "## Severity Matrix\n\n"
           "| Severity | Definition | Initial Ack | Update Cadence |\n"
           "| --- | --- | --- | --- |\n"
           "| Sev 1 | Outage | 5 minutes | Every 15 minutes |\n"
           "| Sev 2 | Degraded | soonish | Every 30 minutes |\n";
  }
  CliHarness h;
  Config config = DemoLikeConfig(tmp.path());
  config.runbook = runbook;
  h.config = config;
  EXPECT_EQ(h.Run({"serve", "--config", "x.yaml"}), 2);
  EXPECT_EQ(
      h.err.str().rfind("error: " + runbook + ":6: Initial Ack of sev2: cannot read 'soonish'", 0),
      0u)
      << h.err.str();
  EXPECT_EQ(h.events, std::vector<std::string>{"config.load x.yaml"});
}

TEST(ServeCommandTest, MissingRunbookExits2) {
  CliHarness h;
  Config config = DemoLikeConfig("/tmp/unused");
  config.runbook = "/nonexistent/runbook.md";
  h.config = config;
  EXPECT_EQ(h.Run({"serve", "--config", "x.yaml"}), 2);
  EXPECT_NE(h.err.str().find("cannot read runbook /nonexistent/runbook.md"), std::string::npos)
      << h.err.str();
  EXPECT_EQ(h.events, std::vector<std::string>{"config.load x.yaml"});
}

TEST(ServeCommandTest, NoConfigurationIsAUsageError) {
  CliHarness h;
  EXPECT_EQ(h.Run({"serve"}), 2);
  EXPECT_EQ(h.err.str(),
            "error: no configuration: pass --config FILE, set LOOM_ONCALL_CONFIG, or run with "
            "--demo\n");
  EXPECT_TRUE(h.events.empty());
}

TEST(ServeCommandTest, PostgresStoreIsOpenedByItsVariableNeverByItsUrl) {
  TempDir tmp;
  CliHarness h;  // its context opens no PostgreSQL
  Config config = DemoLikeConfig(tmp.path());
  config.store.kind = "postgres";
  config.store.url_env = "PG_URL";
  config.store.url = "postgresql://loom:s3cret@db.example/loom";
  h.config = config;
  EXPECT_NE(h.Run({"serve", "--config", "x.yaml"}), 0);
  EXPECT_NE(h.err.str().find("cannot open store 'PostgreSQL ($PG_URL)'"), std::string::npos)
      << h.err.str();
  EXPECT_EQ((h.out.str() + h.err.str()).find("s3cret"), std::string::npos);
}

TEST(ServeCommandTest, DemoAndConfigExcludeEachOther) {
  CliHarness h;
  EXPECT_EQ(h.Run({"serve", "--demo", "--config", "x.yaml"}), 2);
  EXPECT_TRUE(h.events.empty());
}

TEST(ServeCommandTest, TlsCertWithoutKeyIsAUsageError) {
  TempDir tmp;
  std::string cert = tmp.File("cert.pem");
  FILE* f = fopen(cert.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  CliHarness h;
  EXPECT_EQ(h.Run({"serve", "--demo", "--tls-cert", cert}), 2);
  EXPECT_TRUE(h.events.empty());
}

TEST(ServeCommandTest, StoreFailureExitsWithItsCode) {
  TempDir tmp;
  CliHarness h;
  h.config = DemoLikeConfig(tmp.path());
  h.open_store_error = Error::Unavailable("database is locked");
  EXPECT_EQ(h.Run({"serve", "--config", "x.yaml"}), 6);
  EXPECT_EQ(h.err.str(),
            "error: cannot open store '" + tmp.path() + "/loom-oncall.db': database is locked\n");
  EXPECT_EQ(h.out.str(), "");
}

TEST(ServeCommandTest, ADataDirectoryInUseIsRefusedBeforeAnythingOpens) {
  TempDir tmp;
  Result<DataDirLock> other = DataDirLock::Acquire(tmp.path());
  ASSERT_TRUE(other.ok()) << other.error().message;
  for (bool demo : {false, true}) {
    CliHarness h;
    h.config = DemoLikeConfig(tmp.path());
    std::vector<std::string> args = {"serve", "--data-dir", tmp.path()};
    if (demo) {
      args.emplace_back("--demo");
    } else {
      args.insert(args.end(), {"--config", "x.yaml"});
    }
    EXPECT_EQ(h.Run(args), 5);
    EXPECT_EQ(h.err.str(), "error: data directory '" + tmp.path() +
                               "' is in use by another loom-oncall process (PID " +
                               std::to_string(getpid()) +
                               "): stop it first, or use another data directory (lock file " +
                               tmp.File(kDataDirLockFile) + ")\n");
    for (const std::string& event : h.events) {
      EXPECT_EQ(event.rfind("store.open", 0), std::string::npos) << event;
      EXPECT_EQ(event.rfind("config.demo", 0), std::string::npos) << event;
    }
  }
  EXPECT_TRUE(std::filesystem::is_directory(tmp.path()));
}

TEST(ServeCommandTest, HoldsTheLockWhileServingAndReleasesItAfter) {
  TempDir tmp;
  CliHarness h;
  h.config = DemoLikeConfig(tmp.path());
  bool locked_while_serving = false;
  h.on_signal_wait = [&] { locked_while_serving = !DataDirLock::Acquire(tmp.path()).ok(); };
  EXPECT_EQ(h.Run({"serve", "--config", "x.yaml"}), 0) << h.err.str();
  EXPECT_TRUE(locked_while_serving);
  EXPECT_TRUE(DataDirLock::Acquire(tmp.path()).ok());
}

TEST(ServeCommandTest, AFailedStartRemovesTheDataDirectoryItCreated) {
  TempDir tmp;
  const std::string fresh = tmp.File("demo-data");
  CliHarness h;
  h.config = DemoLikeConfig(fresh);
  h.start_server_error = Error::Unavailable("bind: Address already in use");
  EXPECT_EQ(h.Run({"serve", "--demo", "--data-dir", fresh}), 6);
  EXPECT_EQ(h.err.str(), "error: cannot start the HTTP server: bind: Address already in use\n");
  EXPECT_FALSE(std::filesystem::exists(fresh));

  // A directory that was there before stays, with what it held.
  std::filesystem::create_directory(fresh);
  std::ofstream(fresh + "/demo.env") << "LOOM_ONCALL_ADMIN_TOKEN=kept-from-before-the-failure\n";
  CliHarness again;
  again.config = DemoLikeConfig(fresh);
  again.start_server_error = Error::Unavailable("bind: Address already in use");
  EXPECT_EQ(again.Run({"serve", "--demo", "--data-dir", fresh}), 6);
  EXPECT_TRUE(std::filesystem::exists(fresh + "/demo.env"));
}

TEST(ServeCommandTest, SeedsUsersAndServesTheRosterWithStoredOverrides) {
  TempDir tmp;
  CliHarness h;
  auto config = ParseConfig(R"(users: [ { id: alice }, { id: bob } ]
schedules:
  - id: primary
    layers: [ { participants: [alice], shift: 1w, start: 2026-01-05 } ]
services:
  - id: loom
    roles: { primary: primary }
)",
                            "oncall.yaml", nullptr);
  ASSERT_TRUE(config.ok()) << config.error().message;
  config->server.data_dir = tmp.File("data");
  h.config = std::move(config).value();
  const TimePoint at = *ParseRfc3339("2026-03-02T12:00:00Z");
  {  // an override stored through the API before this start
    std::unique_ptr<Store> store = h.OpenStore(tmp.File("data/loom-oncall.db"));
    ASSERT_NE(store, nullptr);
    Result<ScheduleOverride> stored = AwaitWrite<ScheduleOverride>([&](auto done) {
      store->CreateOverride(
          {0, "primary", "bob", at - std::chrono::hours(1), at + std::chrono::hours(1), "t", {}},
          done);
    });
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    store->Shutdown();
  }
  EXPECT_EQ(h.Run({"serve", "--config", "oncall.yaml", "--listen", "127.0.0.1:0"}), 0)
      << h.err.str();
  std::unique_ptr<Store> store = h.OpenStore(tmp.File("data/loom-oncall.db"));
  ASSERT_NE(store, nullptr);
  for (const char* id : {"alice", "bob"}) {  // the configured users are in the store
    Result<std::optional<StoredAccount>> account = store->GetAccount(id);
    ASSERT_TRUE(account.ok()) << account.error().message;
    ASSERT_TRUE(account->has_value()) << id;
    EXPECT_TRUE((*account)->configured) << id;
  }
  ASSERT_NE(h.roster, nullptr);
  auto snapshot = h.roster->Current();
  EXPECT_EQ(snapshot->resolver.Resolve("loom", OnCallRole::kPrimary, at).user,
            std::optional<std::string>("bob"));
  EXPECT_EQ(
      snapshot->resolver.Resolve("loom", OnCallRole::kPrimary, at + std::chrono::hours(2)).user,
      std::optional<std::string>("alice"));
}

}  // namespace
}  // namespace loom
