// `loom-oncall service create ID [--name N]` (POST /v1/services; prints the integration key once,
// alone on stdout) and `loom-oncall service list` (GET /v1/services).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/json_fields.h"
#include "core/service.h"

namespace loom {
namespace {

struct ServiceCreateFlags {
  ClientFlags client;
  std::string id;
  std::string name;
};

int RunServiceCreate(const ServiceCreateFlags& flags, CliContext& ctx) {
  if (!IsValidServiceId(flags.id)) {
    return ReportError(ctx, Error::Invalid("invalid service id '" + PrintableText(flags.id) +
                                           "': use lower-case letters, digits, '-' and '_', "
                                           "starting with a letter or digit (at most 63)"));
  }
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  std::string name = flags.name.empty() ? flags.id : flags.name;
  auto response = (*client)->Post("/v1/services", {{"id", flags.id}, {"name", name}});
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  std::string key = GetString(response->json, "integration_key");
  if (key.empty()) {
    return ReportError(ctx, Error::Internal("the server's answer has no \"integration_key\""));
  }
  ctx.out << key << "\n";
  ctx.out.flush();
  ctx.err << "created service '" << PrintableText(flags.id)
          << "'; its integration key is shown only this once\n";
  return 0;
}

int RunServiceList(const ClientFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/services");
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  if (!body.is_object() || !body.contains("services") || !body["services"].is_array() ||
      body["services"].empty()) {
    ctx.out << "No services.\n";
    return 0;
  }
  size_t width = 2;
  for (const auto& s : body["services"]) width = std::max(width, GetString(s, "id").size());
  ctx.out << "ID" << std::string(width - 2 + 2, ' ') << "NAME\n";
  for (const auto& s : body["services"]) {
    std::string id = PrintableText(GetString(s, "id"));
    ctx.out << id << std::string(width - std::min(width, id.size()) + 2, ' ')
            << PrintableText(GetString(s, "name")) << "\n";
  }
  ctx.out.flush();
  return 0;
}

}  // namespace

void RegisterServiceCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* service = app.add_subcommand("service", "Manage services (admin)");
  service->require_subcommand(1);
  {
    auto flags = std::make_shared<ServiceCreateFlags>();
    CLI::App* create =
        service->add_subcommand("create", "Create a service and print its integration key once");
    create->add_option("id", flags->id, "Service id, e.g. loom")->required();
    create->add_option("--name", flags->name, "Display name (default: the id)");
    AddClientFlags(*create, flags->client);
    create->callback([flags, &ctx, action] {
      *action = [flags, &ctx] { return RunServiceCreate(*flags, ctx); };
    });
  }
  {
    auto flags = std::make_shared<ClientFlags>();
    CLI::App* list = service->add_subcommand("list", "List services");
    AddClientFlags(*list, *flags);
    list->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunServiceList(*flags, ctx); }; });
  }
}

}  // namespace loom
