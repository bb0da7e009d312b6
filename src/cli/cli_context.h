// CliContext: everything a subcommand touches outside its own arguments — output streams, the
// environment, the clock, and the factories for the store, the HTTP server, the HTTP client
// transport and the shutdown signal.
//
// RunCli (cli_main.cc) wires the real implementations; unit tests wire fakes and run the whole
// command line in-process with RunCliWith. Keeping the factories here also keeps loom_cli free of
// a link-time dependency on loom_http: only the binary's RunCli names StartHttpServer.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/http_client.h"
#include "cli/shutdown_signal.h"
#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "http/server.h"
#include "store/sql/postgres_store.h"
#include "store/sql/sqlite_store.h"
#include "store/store.h"

namespace loom {

struct CliContext {
  std::ostream& out;
  std::ostream& err;
  EnvLookup env;
  Clock& clock;

  std::function<Result<Config>(const std::string& path, const EnvLookup& env)> load_config;
  std::function<Result<Config>(const std::string& data_dir, const EnvLookup& env)> demo_config;
  std::function<Result<std::unique_ptr<Store>>(const SqliteOptions& options, Clock& clock)>
      open_sqlite_store;
  std::function<Result<std::unique_ptr<Store>>(const PostgresOptions& options, Clock& clock)>
      open_postgres_store;
  std::function<Result<std::unique_ptr<HttpServer>>(const ServerOptions& options, ServerDeps deps)>
      start_http_server;
  std::function<std::unique_ptr<HttpTransport>(const TransportOptions& options)> make_transport;
  std::function<std::unique_ptr<ShutdownSignal>()> shutdown_signal;

  // $NAME, or "" when unset.
  std::string Env(const char* name) const {
    const char* value = env ? env(name) : nullptr;
    return value != nullptr ? value : "";
  }
};

// Prints "error: <message>" to ctx.err; returns ExitCodeFor(error.code).
int ReportError(CliContext& ctx, const Error& error);

// Runs one command line; `args` excludes the program name. Returns the process exit code:
// 0 success, 2 usage or invalid input, and ExitCodeFor(...) of the failure otherwise.
int RunCliWith(const std::vector<std::string>& args, CliContext& ctx);

}  // namespace loom
