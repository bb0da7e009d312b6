#include "cli/client_flags.h"

#include <CLI/CLI.hpp>

#include "cli/version.h"

namespace loom {

void AddClientFlags(CLI::App& command, ClientFlags& flags) {
  command
      .add_option("--server", flags.server,
                  "Server base URL (default $LOOM_ONCALL_SERVER, else http://127.0.0.1:8080)")
      ->group("Connection");
  command.add_option("--token", flags.token, "API token (default $LOOM_ONCALL_TOKEN)")
      ->group("Connection");
  command.add_option("--cacert", flags.ca_cert_file, "PEM CA bundle to verify an https server")
      ->check(CLI::ExistingFile)
      ->group("Connection");
  command.add_option("--timeout", flags.timeout_seconds, "Request timeout in seconds")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str()
      ->group("Connection");
  command.add_flag("--json", flags.json, "Print the server's JSON instead of text");
}

Result<std::unique_ptr<ApiClient>> OpenApiClient(const ClientFlags& flags, CliContext& ctx) {
  ApiClientOptions options;
  options.server = !flags.server.empty() ? flags.server : ctx.Env("LOOM_ONCALL_SERVER");
  if (options.server.empty()) options.server = kDefaultServer;
  Status valid = ValidateServerUrl(options.server);
  if (!valid.ok()) return std::move(valid).error();
  options.token = !flags.token.empty() ? flags.token : ctx.Env("LOOM_ONCALL_TOKEN");
  options.user_agent = std::string("loom-oncall/") + kLoomOncallVersion;

  TransportOptions transport;
  transport.timeout_seconds = flags.timeout_seconds;
  transport.ca_cert_file = flags.ca_cert_file;
  return std::make_unique<ApiClient>(std::move(options), ctx.make_transport(transport));
}

void PrintJsonBody(CliContext& ctx, const ApiResponse& response) {
  ctx.out << response.body;
  if (response.body.empty() || response.body.back() != '\n') ctx.out << '\n';
  ctx.out.flush();
}

int PrintListing(const ClientFlags& flags, CliContext& ctx, const std::string& path,
                 const std::function<std::string(const nlohmann::json&)>& render) {
  auto client = OpenApiClient(flags, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get(path);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  ctx.out << render(response->json);
  ctx.out.flush();
  return 0;
}

}  // namespace loom
