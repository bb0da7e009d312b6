// RunCli: the production wiring of the command line — real streams, environment, clock, SQLite
// store, HTTP server, libcurl transport and signal handling. The only file of loom_cli that names
// StartHttpServer (from loom_http, linked into the binary), so unit tests never pull it in.
#include <curl/curl.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/cli_context.h"
#include "config/config.h"
#include "http/server.h"
#include "store/sql/sqlite_store.h"

namespace loom {

int RunCli(int argc, char** argv) {
  // A peer closing a socket must surface as an error on the write, not kill the process.
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "error: cannot initialise libcurl\n";
    return 1;
  }

  CliContext ctx{
      .out = std::cout,
      .err = std::cerr,
      .env = [](const char* name) -> const char* { return std::getenv(name); },
      .clock = SystemClock::Instance(),
      .load_config = &LoadConfig,
      .demo_config = &DemoConfig,
      .open_sqlite_store = &OpenSqliteStore,
      .open_postgres_store = &OpenPostgresStore,
      .start_http_server = &StartHttpServer,
      .make_transport = &MakeCurlTransport,
      .shutdown_signal = &BlockShutdownSignals,
  };
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  int code = RunCliWith(args, ctx);
  std::cout.flush();
  curl_global_cleanup();
  return code;
}

}  // namespace loom
