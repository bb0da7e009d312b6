// `loom-oncall version` (also `loom-oncall --version`, handled by RunCliWith).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/version.h"

namespace loom {

void RegisterVersionCommand(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* version = app.add_subcommand("version", "Print the version");
  version->callback([&ctx, action] {
    *action = [&ctx] {
      ctx.out << "loom-oncall " << kLoomOncallVersion << "\n";
      ctx.out.flush();
      return 0;
    };
  });
}

}  // namespace loom
