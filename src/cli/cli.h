// The loom-oncall command line (CLI11): serve, check, incident, token, audit, ...
// Every subcommand prints a one-line reason to stderr and returns a non-zero exit code on failure
// (ExitCodeFor(error.code)); `--json` prints machine-readable output.
#pragma once

namespace loom {

int RunCli(int argc, char** argv);

}  // namespace loom
