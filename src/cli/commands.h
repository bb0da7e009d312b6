// The subcommand groups of the loom-oncall command line, each in its own file and registered on
// one CLI11 App by RunCliWith (cli_app.cc). A new group (oncall, check, probe, migrate, export,
// import, ...) adds a Register function here and a <group>_command(s).cc beside the others.
//
// Contract of a Register function: it adds its subcommands (with their flags) to `app`; when
// CLI11 selects one of them, its parse callback stores the work in `*action`, which RunCliWith
// runs only after the whole command line parsed. The action returns the process exit code and
// prints failures through ReportError. Flag storage is owned by the callbacks (shared_ptr), so
// `app` may be destroyed only after the action ran.
#pragma once

#include <CLI/App.hpp>
#include <functional>

#include "cli/cli_context.h"

namespace loom {

using CommandAction = std::function<int()>;

void RegisterServeCommand(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterIncidentCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
// `incident evidence ...` (security_commands.cc). REQUIRES: RegisterIncidentCommands ran.
void RegisterSecurityCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterOnCallCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterTokenCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterServiceCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterAuditCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterMigrateCommand(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterTransferCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterCheckCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterDrillCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterVersionCommand(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterProbeCommand(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterFollowupCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterHeartbeatCommands(CLI::App& app, CliContext& ctx, CommandAction* action);
void RegisterMaintenanceCommands(CLI::App& app, CliContext& ctx, CommandAction* action);

}  // namespace loom
