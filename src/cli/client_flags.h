// The flags every API-calling subcommand shares (--server, --token, --json, --cacert, --timeout)
// and how they become an ApiClient: a flag wins over its environment variable
// ($LOOM_ONCALL_SERVER, $LOOM_ONCALL_TOKEN), then the default server http://127.0.0.1:8080.
#pragma once

#include <CLI/App.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_context.h"
#include "cli/http_client.h"
#include "common/result.h"

namespace loom {

inline constexpr char kDefaultServer[] = "http://127.0.0.1:8080";

struct ClientFlags {
  std::string server;
  std::string token;
  std::string ca_cert_file;
  int timeout_seconds = 30;
  bool json = false;
};

// Adds the shared flags to one leaf subcommand.
void AddClientFlags(CLI::App& command, ClientFlags& flags);

// kInvalidArgument for a server URL that is not http(s)://...
Result<std::unique_ptr<ApiClient>> OpenApiClient(const ClientFlags& flags, CliContext& ctx);

// Prints the server's JSON body as received, newline-terminated (for --json).
void PrintJsonBody(CliContext& ctx, const ApiResponse& response);

// A listing command: GETs `path` with `flags`, then prints the body as received with --json, or
// else what `render` makes of the parsed body. Returns the exit code (ReportError's on a failed
// request).
int PrintListing(const ClientFlags& flags, CliContext& ctx, const std::string& path,
                 const std::function<std::string(const nlohmann::json&)>& render);

}  // namespace loom
