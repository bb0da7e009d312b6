// `loom-oncall token create --role admin|responder|viewer|calendar [--name N] [--user ID]`:
// POST /v1/tokens. With --user the token is bound to that user and acts as them (user:<id>).
//
// The token is printed alone on stdout (so `export LOOM_ONCALL_TOKEN=$(loom-oncall token create
// --role responder)` works) and the reminder that it is shown only once goes to stderr.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/json_fields.h"
#include "common/crypto.h"
#include "core/service.h"

namespace loom {
namespace {

struct TokenCreateFlags {
  ClientFlags client;
  std::string role;
  std::string name;
  std::string user;  // "" = bound to nobody
};

int RunTokenCreate(const TokenCreateFlags& flags, CliContext& ctx) {
  Role role;
  if (!ParseRole(flags.role, &role)) {
    return ReportError(ctx, Error::Invalid("invalid role '" + flags.role +
                                           "': expected admin, responder, viewer or calendar"));
  }
  // A default name that tells tokens apart in the timeline ("token:<name>").
  std::string name =
      !flags.name.empty() ? flags.name : std::string(RoleName(role)) + "-" + RandomHex(3);
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  nlohmann::json body = {{"name", name}, {"role", RoleName(role)}};
  if (!flags.user.empty()) body["user"] = flags.user;
  auto response = (*client)->Post("/v1/tokens", body);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  std::string token = GetString(response->json, "token");
  if (token.empty()) {
    return ReportError(ctx, Error::Internal("the server's answer has no \"token\""));
  }
  ctx.out << token << "\n";
  ctx.out.flush();
  ctx.err << "created " << GetString(response->json, "role", RoleName(role)) << " token '"
          << PrintableText(GetString(response->json, "name", name)) << "'"
          << (flags.user.empty() ? "" : " acting as " + PrintableText(flags.user))
          << "; it is shown only this once\n";
  return 0;
}

}  // namespace

void RegisterTokenCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* token = app.add_subcommand("token", "Manage API tokens (admin)");
  token->require_subcommand(1);

  auto flags = std::make_shared<TokenCreateFlags>();
  CLI::App* create = token->add_subcommand("create", "Create an API token and print it once");
  create
      ->add_option("--role", flags->role,
                   "admin, responder, viewer, or calendar (reads only the .ics feeds)")
      ->required()
      ->check(CLI::IsMember({"admin", "responder", "viewer", "calendar"}));
  create->add_option("--name", flags->name, "A name for the token (default <role>-<random>)");
  create->add_option("--user", flags->user,
                     "Bind the token to this user: it acts as them (recorded as user:<id>)");
  AddClientFlags(*create, flags->client);
  create->callback(
      [flags, &ctx, action] { *action = [flags, &ctx] { return RunTokenCreate(*flags, ctx); }; });
}

}  // namespace loom
