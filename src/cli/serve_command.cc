#include "cli/serve_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "cli/delivery_setup.h"
#include "cli/store_open.h"
#include "cli/version.h"
#include "common/log.h"
#include "core/builtin_runbook.h"
#include "core/severity_policy.h"
#include "server/data_dir_lock.h"
#include "server/server.h"

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

// Creates `dir` when missing and locks it with `acquire`: the claim the server holds
// (server/data_dir_lock.h); a directory created here goes again unless the server starts.
Result<DataDirClaim> ClaimDataDir(const std::string& dir,
                                  const std::function<Result<DataDirLock>()>& acquire) {
  bool created = false;
  Status made = EnsureDirectory(dir, &created);
  if (!made.ok()) return std::move(made).error();
  Result<DataDirLock> locked = acquire();
  if (!locked.ok()) return std::move(locked).error();
  return DataDirClaim(std::move(locked).value(), created ? dir : std::string());
}

int RunServe(const ServeFlags& flags, CliContext& ctx) {
  if (!spdlog::get(kLoggerName)) InitLogging(LogOptions{flags.log_level});

  // One data directory, one server (server/data_dir_lock.h). The demo writes its secrets into the
  // directory, so it takes the lock before anything else.
  std::optional<DataDirClaim> claim;
  if (flags.demo) {
    Result<DataDirClaim> claimed =
        ClaimDataDir(DemoDataDir(flags), [&] { return DataDirLock::Acquire(DemoDataDir(flags)); });
    if (!claimed.ok()) return ReportError(ctx, claimed.error());
    claim.emplace(std::move(claimed).value());
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
    Result<DataDirClaim> claimed =
        ClaimDataDir(config.server.data_dir, [&] { return LockStoreDirectory(config); });
    if (!claimed.ok()) return ReportError(ctx, claimed.error());
    claim.emplace(std::move(claimed).value());
  }

  // Before the first thread starts (the store's writer), so that every thread inherits the mask.
  std::unique_ptr<ShutdownSignal> shutdown = ctx.shutdown_signal();

  Server::Parts parts{
      .clock = ctx.clock,
      .open_store = [&config, &ctx]() -> Result<std::unique_ptr<Store>> {
        Result<OpenedStore> opened = OpenConfiguredStore(config, StoreUse::kServe, ctx);
        if (!opened.ok()) return std::move(opened).error();
        return std::move(opened->store);
      },
      .store_name = StoreDescription(config),
      .start_http = ctx.start_http_server,
      .load_delivery =
          [&config, &ctx](Store& store, std::shared_ptr<Roster> roster, MessageLinks links) {
            return LoadDelivery(config, store, ctx.clock, std::move(roster), std::move(links),
                                &store, &store);
          },
      .make_mail = [&config, &ctx] { return MakeMailChannel(config, ctx.clock); },
  };
  Result<std::unique_ptr<Server>> started = Server::Start({.config = config,
                                                           .policy = shared_policy,
                                                           .data_dir = std::move(*claim),
                                                           .public_url_derived = public_url_derived,
                                                           .version = kLoomOncallVersion},
                                                          std::move(parts));
  if (!started.ok()) return ReportError(ctx, started.error());
  std::unique_ptr<Server> server = std::move(started).value();

  ctx.out << "loom-oncall listening on " << server->url() << "\n";
  if (flags.demo) {
    for (const ServiceConfig& service : config.services) {
      if (service.integration_keys.empty()) continue;
      ctx.out << "demo integration key (service " << service.service.id
              << "): " << service.integration_keys.front() << "\n";
    }
    if (!config.demo_password.empty() && !config.users.empty()) {
      ctx.out << "demo sign-in: user " << config.users.front().user.id;
      for (size_t i = 1; i < config.users.size(); ++i) ctx.out << ", " << config.users[i].user.id;
      ctx.out << " with password " << config.demo_password
              << " (until they change it; also in demo.env)\n";
    }
    ctx.out << "demo admin token: in "
            << (std::filesystem::path(config.server.data_dir) / "demo.env").string()
            << " (LOOM_ONCALL_ADMIN_TOKEN)\n";
  }
  ctx.out.flush();

  int signal_number = shutdown->Wait();
  spdlog::info("received {}: stopping the HTTP server, then the store",
               signal_number == SIGINT    ? "SIGINT"
               : signal_number == SIGTERM ? "SIGTERM"
                                          : "a signal");
  server.reset();  // the teardown (server/server.h)
  spdlog::info("stopped");
  return 0;
}

}  // namespace

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
