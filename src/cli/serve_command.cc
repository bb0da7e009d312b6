#include "cli/serve_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "cli/delivery_setup.h"
#include "cli/open_files.h"
#include "cli/probe_setup.h"
#include "cli/store_open.h"
#include "cli/version.h"
#include "common/crypto.h"
#include "common/log.h"
#include "config/oncall_snapshot.h"
#include "core/builtin_runbook.h"
#include "core/roster.h"
#include "core/severity_policy.h"
#include "engine/drill_deadline.h"
#include "engine/escalation_engine.h"
#include "engine/link_key.h"

namespace loom {
namespace {

constexpr char kLoggerName[] = "loom-oncall";

struct ServeFlags {
  std::string config;
  std::string listen;
  std::string data_dir;
  std::string tls_cert;
  std::string tls_key;
  std::string log_level = "info";
  bool demo = false;
};

// The demo's data directory: --data-dir, else the default.
std::string DemoDataDir(const ServeFlags& flags) {
  return !flags.data_dir.empty() ? flags.data_dir : ServerConfig{}.data_dir;
}

// REQUIRES: with --demo, DemoDataDir(flags) exists (and is locked: the demo keeps its secrets
// there).
Result<Config> LoadServeConfig(const ServeFlags& flags, CliContext& ctx) {
  if (flags.demo) return ctx.demo_config(DemoDataDir(flags), ctx.env);
  std::string path = !flags.config.empty() ? flags.config : ctx.Env("LOOM_ONCALL_CONFIG");
  if (path.empty()) {
    return Error::Invalid(
        "no configuration: pass --config FILE, set LOOM_ONCALL_CONFIG, or run with --demo");
  }
  return ctx.load_config(path, ctx.env);
}

// Flags override the file; the result must still be consistent.
Status ApplyOverrides(const ServeFlags& flags, Config& config) {
  if (!flags.listen.empty()) config.server.listen = flags.listen;
  if (!flags.data_dir.empty()) config.server.data_dir = flags.data_dir;
  if (!flags.tls_cert.empty()) config.server.tls_cert = flags.tls_cert;
  if (!flags.tls_key.empty()) config.server.tls_key = flags.tls_key;
  if (config.server.tls_cert.empty() != config.server.tls_key.empty()) {
    return Error::Invalid("server.tls_cert and server.tls_key must be set together");
  }
  if (config.server.data_dir.empty()) return Error::Invalid("server.data_dir is empty");
  return OkStatus();
}

// The severity policy: the configured runbook (a path relative to the working directory) or, when
// none is configured, the built-in copy; then the config's overrides. The demo's runbook path
// falls back to the built-in copy when it is absent, so `serve --demo` runs from any directory.
// A configured runbook that cannot be read, or a cell that cannot be parsed, is an error.
Result<SeverityPolicy> LoadSeverityPolicy(const Config& config, bool demo) {
  std::error_code ec;
  bool use_file = !config.runbook.empty();
  if (use_file && demo && !std::filesystem::exists(config.runbook, ec)) use_file = false;
  if (!use_file) return BuildSeverityPolicy(BuiltInRunbook(), kBuiltInRunbookName, config.policy);

  const std::string& path = config.runbook;
  if (std::filesystem::is_directory(path, ec)) {
    return Error::Invalid("cannot read runbook " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Invalid("cannot read runbook " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::Invalid("cannot read runbook " + path);
  return BuildSeverityPolicy(text.str(), path, config.policy);
}

Status SeedServices(const Config& config, Store& store) {
  for (const ServiceConfig& configured : config.services) {
    std::vector<std::string> hashes;
    hashes.reserve(configured.integration_keys.size());
    for (const std::string& key : configured.integration_keys) hashes.push_back(Sha256Hex(key));
    Status seeded = store.UpsertConfiguredService(configured.service, hashes);
    if (!seeded.ok()) {
      const Error& e = seeded.error();
      return Error{e.code, "cannot seed service '" + configured.service.id + "': " + e.message, {}};
    }
  }
  return OkStatus();
}

// Seeds the configured users, then builds the on-call picture from the configuration and the
// overrides stored through the API. The file is re-applied at every start; stored overrides of a
// schedule that is no longer configured are kept in the store but left out (with a warning).
Result<OnCallDeps> LoadOnCall(const Config& config, Store& store) {
  std::vector<User> users;
  for (const UserConfig& u : config.users) users.push_back(u.user);
  Status seeded = store.UpsertConfiguredUsers(users);
  if (!seeded.ok()) {
    const Error& e = seeded.error();
    return Error{e.code, "cannot seed users: " + e.message, {}};
  }
  auto stored = store.ListOverrides();
  if (!stored.ok()) {
    const Error& e = stored.error();
    return Error{e.code, "cannot read schedule overrides: " + e.message, {}};
  }
  std::vector<std::string> skipped;
  auto snapshot = BuildOnCallSnapshot(config, *stored, &skipped);
  if (!snapshot.ok()) return std::move(snapshot).error();
  for (const std::string& line : skipped) spdlog::warn("on-call: {}", line);

  OnCallDeps deps;
  deps.roster = std::make_shared<Roster>(std::move(snapshot).value());
  auto shared_config = std::make_shared<const Config>(config);
  deps.rebuild = [shared_config](const std::vector<ScheduleOverride>& overrides) {
    return BuildOnCallSnapshot(*shared_config, overrides);
  };
  deps.stored_overrides = std::move(stored).value();
  return deps;
}

// A start that fails removes the data directory it created (with --demo: and the fresh secrets
// in it), so that trying again starts from where the user was. Declared after the lock and before
// the store, so it runs with the store closed and the directory still locked.
class RemoveCreatedDirUnlessServed {
 public:
  RemoveCreatedDirUnlessServed() = default;
  RemoveCreatedDirUnlessServed(const RemoveCreatedDirUnlessServed&) = delete;
  RemoveCreatedDirUnlessServed& operator=(const RemoveCreatedDirUnlessServed&) = delete;
  ~RemoveCreatedDirUnlessServed() {
    if (dir_.empty() || served_) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    if (ec) spdlog::warn("could not remove the data directory {}: {}", dir_, ec.message());
  }
  void Created(std::string dir) { dir_ = std::move(dir); }
  void Served() { served_ = true; }

 private:
  std::string dir_;
  bool served_ = false;
};

// Creates `dir` when missing and holds the lock `acquire` takes in `lock`; a directory created
// here is removed by `cleanup` unless the server starts.
Status LockDataDir(const std::string& dir, const std::function<Result<DataDirLock>()>& acquire,
                   DataDirLock& lock, RemoveCreatedDirUnlessServed& cleanup) {
  bool created = false;
  Status made = EnsureDirectory(dir, &created);
  if (!made.ok()) return made;
  Result<DataDirLock> locked = acquire();
  if (!locked.ok()) return std::move(locked).error();
  lock = std::move(locked).value();
  if (created) cleanup.Created(dir);
  return OkStatus();
}

int RunServe(const ServeFlags& flags, CliContext& ctx) {
  if (!spdlog::get(kLoggerName)) InitLogging(LogOptions{flags.log_level});

  // One data directory, one server (cli/data_dir_lock.h). The demo writes its secrets into the
  // directory, so it takes the lock before anything else.
  DataDirLock lock;
  RemoveCreatedDirUnlessServed cleanup;
  if (flags.demo) {
    Status locked = LockDataDir(
        DemoDataDir(flags), [&] { return DataDirLock::Acquire(DemoDataDir(flags)); }, lock,
        cleanup);
    if (!locked.ok()) return ReportError(ctx, locked.error());
  }

  Result<Config> loaded = LoadServeConfig(flags, ctx);
  if (!loaded.ok()) {
    // Whatever LoadConfig refused, an unusable configuration is a usage error.
    ctx.err << "error: " << loaded.error().message << "\n";
    return 2;
  }
  Config config = std::move(loaded).value();
  // A public URL the file did not set follows the address actually bound (--listen, port 0).
  const bool public_url_derived =
      config.server.public_url ==
      (config.server.tls_cert.empty() ? "http://" : "https://") + config.server.listen;
  Status overrides = ApplyOverrides(flags, config);
  if (!overrides.ok()) {
    ctx.err << "error: " << overrides.error().message << "\n";
    return 2;
  }
  // Before anything is opened or served: a policy the runbook cannot give is a start-up error.
  Result<SeverityPolicy> policy = LoadSeverityPolicy(config, flags.demo);
  if (!policy.ok()) {
    ctx.err << "error: " << policy.error().message << "\n";
    return 2;
  }
  auto shared_policy = std::make_shared<const SeverityPolicy>(std::move(policy).value());
  spdlog::info("severity policy from {}", shared_policy->runbook);

  if (!flags.demo) {
    Status locked = LockDataDir(
        config.server.data_dir, [&] { return LockStoreDirectory(config); }, lock, cleanup);
    if (!locked.ok()) return ReportError(ctx, locked.error());
  }

  // Before the store, the probes and the clients take descriptors: the soft open-file limit up to
  // the hard one (the connection cap below is sized from it).
  const OpenFileLimit open_files = RaiseOpenFileLimit();
  if (!open_files.error.empty()) {
    spdlog::warn("cannot raise the open-file limit ({}); keeping soft limit {}", open_files.error,
                 open_files.soft);
  }

  // Before the first thread starts (the store's writer), so that every thread inherits the mask.
  std::unique_ptr<ShutdownSignal> shutdown = ctx.shutdown_signal();

  Result<OpenedStore> opened = OpenConfiguredStore(config, StoreUse::kServe, ctx);
  if (!opened.ok()) return ReportError(ctx, opened.error());
  const std::string store_name = opened->description;
  std::unique_ptr<Store> store = std::move(opened->store);

  Status seeded = SeedServices(config, *store);
  if (!seeded.ok()) {
    store->Shutdown();
    return ReportError(ctx, seeded.error());
  }

  Result<OnCallDeps> oncall = LoadOnCall(config, *store);
  if (!oncall.ok()) {
    store->Shutdown();
    return ReportError(ctx, oncall.error());
  }

  // One-click links: one key (read or created once) signs the links notifications carry and
  // verifies them at /a/.
  Result<std::string> link_key = LoadOrCreateLinkKey(config.notify.link_secret, *store);
  if (!link_key.ok()) {
    store->Shutdown();
    return ReportError(ctx, link_key.error());
  }
  auto link_signer = std::make_shared<const LinkSigner>(*link_key, config.server.public_url,
                                                        config.notify.link_ttl);

  // The drill schedule: it starts with the first start-up (kept in the store), and the next
  // drill's deadline is planned before the engine loads the pending ones.
  Result<TimePoint> drill_anchor = StartDrillSchedule(config.drills, *store, ctx.clock.Now());
  if (!drill_anchor.ok()) {
    store->Shutdown();
    return ReportError(ctx, drill_anchor.error());
  }

  // The escalation engine: its hooks in the store before the first request (a new incident's
  // first page is decided in its own transaction, on every instance); it runs while this
  // instance leads (below).
  std::shared_ptr<Roster> oncall_roster = oncall->roster;
  EscalationEngine engine(*store, ctx.clock, shared_policy, oncall_roster);
  Status engine_loaded = engine.Load();
  if (!engine_loaded.ok()) {
    store->Shutdown();
    const Error& e = engine_loaded.error();
    return ReportError(ctx, {e.code, "cannot load pending deadlines: " + e.message, {}});
  }
  // The availability playbook's probes (cli/probe_setup.h); stopped after the HTTP server.
  Result<std::shared_ptr<ProbeRunner>> probes = MakeProbeRunner(config, *store, ctx.clock);
  if (!probes.ok()) {
    engine.Stop();
    store->Shutdown();
    return ReportError(ctx, probes.error());
  }
  (*probes)->Start();
  // Set once the outbox workers run (they start after the server, see below).
  std::atomic<const DeliveryService*> delivery_ready{nullptr};

  ServerOptions server_options;
  server_options.listen = config.server.listen;
  server_options.tls_cert = config.server.tls_cert;
  server_options.tls_key = config.server.tls_key;
  server_options.threads = config.server.threads;
  server_options.version = kLoomOncallVersion;
  server_options.drills = config.drills;
  server_options.drill_anchor = *drill_anchor;
  {
    const ConnectionBudget budget =
        HttpConnectionBudget(open_files.soft, CountOpenFiles().value_or(0), config.notify.workers,
                             server_options.max_connections);
    server_options.max_connections = budget.max_connections;
    spdlog::info(
        "open files: soft limit {}{} (hard limit {}); HTTP connections capped at {}, {} "
        "descriptors kept for the store, probes and deliveries",
        open_files.soft,
        open_files.soft != open_files.before ? ", raised from " + std::to_string(open_files.before)
                                             : std::string(),
        open_files.hard == RLIM_INFINITY ? std::string("unlimited")
                                         : std::to_string(open_files.hard),
        budget.max_connections, budget.reserved);
  }
  std::string admin_hash = config.admin_token.empty() ? "" : Sha256Hex(config.admin_token);
  if (admin_hash.empty()) {
    spdlog::warn("LOOM_ONCALL_ADMIN_TOKEN is not set: only API tokens created earlier work");
  }
  auto started = ctx.start_http_server(
      server_options,
      ServerDeps{*store, ctx.clock, admin_hash, shared_policy, std::move(oncall).value(),
                 [&engine, &delivery_ready] {
                   EngineStats stats = engine.Stats();
                   if (const DeliveryService* d = delivery_ready.load())
                     stats.delivery = d->Stats();
                   return stats;
                 },
                 link_signer, *probes});
  if (!started.ok()) {
    (*probes)->Stop();
    engine.Stop();
    store->Shutdown();
    const Error& e = started.error();
    return ReportError(ctx, {e.code, "cannot start the HTTP server: " + e.message, {}});
  }
  std::unique_ptr<HttpServer> server = std::move(started).value();

  bool tls = !config.server.tls_cert.empty();
  std::string url = ListeningUrl(config.server.listen, server->port(), tls);

  // The outbox workers, once the links they put in messages can name the bound address:
  // pending messages back in their heap, then sending.
  const std::string public_url = public_url_derived ? url : config.server.public_url;
  auto message_links =
      std::make_shared<const LinkSigner>(*link_key, public_url, config.notify.link_ttl);
  Result<std::unique_ptr<DeliveryService>> delivery = LoadDelivery(
      config, *store, ctx.clock, oncall_roster,
      [message_links](int64_t incident, const std::string& recipient, const std::string& via,
                      TimePoint now) { return message_links->For(incident, recipient, via, now); });
  if (!delivery.ok()) {
    server->Stop();
    server->Wait();
    (*probes)->Stop();
    engine.Stop();
    store->Shutdown();
    return ReportError(ctx, delivery.error());
  }
  delivery_ready = delivery->get();
  // The engine, the outbox workers and the scheduled probe rounds run on one instance at a time
  // (Store::SetLeadershipHooks: at once with SQLite; with PostgreSQL while this instance holds
  // the leader's lock). Leading after following reloads what is pending, as another instance may
  // have left it.
  DeliveryService& sender = **delivery;
  ProbeRunner& prober = **probes;
  prober.SetScheduled(false);  // until this instance leads
  // PostgreSQL runs `lead` again every second while this instance leads: what could not be
  // loaded (the database was away a moment ago) is loaded then, and once everything is, Load
  // reads nothing. A failure is logged when its cause changes, not every second.
  store->SetLeadershipHooks(
      [&engine, &sender, &prober, last_error = std::string()]() mutable {
        prober.SetScheduled(true);
        engine.Start();
        sender.Start();
        Status loaded = engine.Load();
        if (loaded.ok()) loaded = sender.Load();
        if (loaded.ok()) {
          if (!last_error.empty()) spdlog::info("loaded the pending work");
          last_error.clear();
        } else if (loaded.error().message != last_error) {
          last_error = loaded.error().message;
          spdlog::error("loading the pending work (tried again every second): {}", last_error);
        }
      },
      [&engine, &sender, &prober] {
        prober.SetScheduled(false);
        sender.Stop();
        engine.Stop();
      });
  cleanup.Served();
  ctx.out << "loom-oncall listening on " << url << "\n";
  if (flags.demo) {
    for (const ServiceConfig& service : config.services) {
      if (service.integration_keys.empty()) continue;
      ctx.out << "demo integration key (service " << service.service.id
              << "): " << service.integration_keys.front() << "\n";
    }
    ctx.out << "demo admin token: in "
            << (std::filesystem::path(config.server.data_dir) / "demo.env").string()
            << " (LOOM_ONCALL_ADMIN_TOKEN)\n";
  }
  ctx.out.flush();
  spdlog::info(
      "loom-oncall {} serving on {} (config {}, store {}, {} service(s), {} user(s), {} "
      "schedule(s))",
      kLoomOncallVersion, url, config.source, store_name, config.services.size(),
      config.users.size(), config.schedules.size());

  int signal_number = shutdown->Wait();
  spdlog::info("received {}: stopping the HTTP server, then the store",
               signal_number == SIGINT    ? "SIGINT"
               : signal_number == SIGTERM ? "SIGTERM"
                                          : "a signal");
  server->Stop();
  server->Wait();
  server.reset();
  store->SetLeadershipHooks(nullptr, nullptr);
  delivery_ready = nullptr;
  (*delivery)->Stop();
  (*probes)->Stop();
  engine.Stop();
  store->Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

std::string ListeningUrl(const std::string& listen, uint16_t port, bool tls) {
  std::string host = listen;
  size_t colon = listen.rfind(':');
  // "[::1]:8080" and "host:8080" split at the last ':'; a bare IPv6 address has ':' inside.
  if (colon != std::string::npos && (listen.find(':') == colon || listen.front() == '[')) {
    host = listen.substr(0, colon);
  }
  if (host.empty()) host = "0.0.0.0";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

void RegisterServeCommand(CLI::App& app, CliContext& ctx, CommandAction* action) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* serve = app.add_subcommand("serve", "Run the on-call server");
  serve->footer(
      "Environment:\n"
      "  LOOM_ONCALL_ADMIN_TOKEN  The bootstrap admin token (at least 16 characters; never read\n"
      "                           from the file). Without it only API tokens created earlier "
      "work.\n"
      "  LOOM_ONCALL_CONFIG       The configuration file when --config is not given.\n"
      "The data directory's SQLite store serves one process at a time: a second serve, migrate or\n"
      "import on it exits at once naming the PID that holds it (docs/operations.md).");
  CLI::Option* config = serve->add_option("--config", flags->config,
                                          "YAML configuration (default $LOOM_ONCALL_CONFIG)");
  CLI::Option* demo = serve->add_flag(
      "--demo", flags->demo,
      "Run with a built-in demo configuration (service 'loom'; keys kept in <data-dir>/demo.env)");
  demo->excludes(config);
  serve->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0 picks a free one)");
  serve->add_option("--data-dir", flags->data_dir,
                    "Directory for the database, locked while serving (default ./data)");
  CLI::Option* cert =
      serve->add_option("--tls-cert", flags->tls_cert, "PEM certificate: serve HTTPS")
          ->check(CLI::ExistingFile);
  CLI::Option* key =
      serve->add_option("--tls-key", flags->tls_key, "PEM private key for --tls-cert")
          ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  serve->add_option("--log-level", flags->log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  serve->callback(
      [flags, &ctx, action] { *action = [flags, &ctx] { return RunServe(*flags, ctx); }; });
}

}  // namespace loom
