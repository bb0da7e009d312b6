// `loom-oncall migrate [--config FILE]`: applies the store's migrations (serve also applies them
// at start) and exits — for upgrades run one instance at a time against one PostgreSQL
// (docs/operations.md). Without a configuration, the SQLite file under --data-dir.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/store_open.h"

namespace loom {
namespace {

struct MigrateFlags {
  std::string config;
  std::string data_dir;
};

int RunMigrate(const MigrateFlags& flags, CliContext& ctx) {
  Result<Config> config = StoreCommandConfig(flags.config, flags.data_dir, ctx);
  if (!config.ok()) return ReportError(ctx, config.error());
  // Never beside a running server on the same SQLite file (server/data_dir_lock.h).
  Result<DataDirLock> lock = LockStoreDirectory(*config);
  if (!lock.ok()) return ReportError(ctx, lock.error());
  Result<OpenedStore> opened = OpenConfiguredStore(*config, StoreUse::kTool, ctx);
  if (!opened.ok()) return ReportError(ctx, opened.error());
  opened->store->Shutdown();
  ctx.out << "migrate: " << opened->description << " is at the current schema\n";
  ctx.out.flush();
  return 0;
}

}  // namespace

void RegisterMigrateCommand(CLI::App& app, CliContext& ctx, CommandAction* action) {
  auto flags = std::make_shared<MigrateFlags>();
  CLI::App* migrate = app.add_subcommand("migrate", "Apply the store's schema migrations and exit");
  migrate->add_option(
      "--config", flags->config,
      "The configuration file (default $LOOM_ONCALL_CONFIG); its store is migrated");
  migrate->add_option("--data-dir", flags->data_dir,
                      "The data directory of the SQLite store (default ./data)");
  migrate->callback(
      [flags, &ctx, action] { *action = [flags, &ctx] { return RunMigrate(*flags, ctx); }; });
}

}  // namespace loom
