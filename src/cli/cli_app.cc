// RunCliWith: one CLI11 App with every subcommand group, parsed, then the selected action run.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "cli/cli_context.h"
#include "cli/commands.h"
#include "cli/version.h"

namespace loom {

int ReportError(CliContext& ctx, const Error& error) {
  ctx.err << "error: " << error.message << "\n";
  ctx.err.flush();
  return ExitCodeFor(error.code);
}

int RunCliWith(const std::vector<std::string>& args, CliContext& ctx) {
  CLI::App app{"loom-oncall: on-call paging and incident management", "loom-oncall"};
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version, "Print the version and exit");

  CommandAction action;
  RegisterServeCommand(app, ctx, &action);
  RegisterIncidentCommands(app, ctx, &action);
  RegisterSecurityCommands(app, ctx, &action);
  RegisterOnCallCommands(app, ctx, &action);
  RegisterTokenCommands(app, ctx, &action);
  RegisterServiceCommands(app, ctx, &action);
  RegisterAuditCommands(app, ctx, &action);
  RegisterMigrateCommand(app, ctx, &action);
  RegisterTransferCommands(app, ctx, &action);
  RegisterCheckCommands(app, ctx, &action);
  RegisterDrillCommands(app, ctx, &action);
  RegisterVersionCommand(app, ctx, &action);
  RegisterProbeCommand(app, ctx, &action);
  RegisterFollowupCommands(app, ctx, &action);
  RegisterHeartbeatCommands(app, ctx, &action);
  RegisterMaintenanceCommands(app, ctx, &action);

  try {
    // CLI11 takes the arguments in reverse order.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, ctx.out, ctx.err);  // --help
    ctx.err << "error: " << e.what() << "\n"
            << "Run with --help for usage.\n";
    ctx.err.flush();
    return 2;
  }

  if (show_version) {
    ctx.out << "loom-oncall " << kLoomOncallVersion << "\n";
    ctx.out.flush();
    return 0;
  }
  if (!action) {
    ctx.err << app.help();
    return 2;
  }
  // Libraries that throw (the standard library, nlohmann-json) are wrapped here, at the edge.
  try {
    return action();
  } catch (const std::exception& e) {
    return ReportError(ctx, Error::Internal(std::string("unexpected failure: ") + e.what()));
  }
}

}  // namespace loom
