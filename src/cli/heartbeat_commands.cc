// `loom-oncall heartbeat list [--service S]`: the heartbeats and their state (GET /v1/heartbeats,
// docs/heartbeats.md). A table (or the server's JSON with --json) on stdout; one "error: ..."
// line and a non-zero exit code on failure.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/incident_format.h"
#include "cli/json_fields.h"

namespace loom {
namespace {

struct HeartbeatListFlags {
  ClientFlags client;
  std::string service;
};

std::string OrDash(std::string s) { return s.empty() ? "-" : s; }

int RunHeartbeatList(const HeartbeatListFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/heartbeats");
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  std::vector<std::vector<std::string>> rows = {
      {"ID", "SERVICE", "STATE", "EVERY", "GRACE", "LAST PING", "INCIDENT"}};
  if (body.is_object() && body.contains("heartbeats") && body["heartbeats"].is_array()) {
    for (const nlohmann::json& hb : body["heartbeats"]) {
      if (!flags.service.empty() && GetString(hb, "service") != flags.service) continue;
      std::string state = GetString(hb, "state");
      if (hb.contains("enabled") && hb["enabled"].is_boolean() && !hb["enabled"].get<bool>()) {
        state += " (disabled)";
      }
      rows.push_back({PrintableText(GetString(hb, "id")), PrintableText(GetString(hb, "service")),
                      state, GetString(hb, "interval"), GetString(hb, "grace"),
                      OrDash(GetString(hb, "last_ping_at")), OrDash(GetString(hb, "incident"))});
    }
  }
  if (rows.size() == 1) {
    ctx.out << "No heartbeats.\n";
    return 0;
  }
  ctx.out << RenderTable(rows);
  ctx.out.flush();
  return 0;
}

}  // namespace

void RegisterHeartbeatCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* heartbeat = app.add_subcommand("heartbeat", "Heartbeats (dead-man switches)");
  heartbeat->require_subcommand(1);
  auto flags = std::make_shared<HeartbeatListFlags>();
  CLI::App* list = heartbeat->add_subcommand("list", "List heartbeats with their state");
  list->add_option("--service", flags->service, "Only the heartbeats of this service");
  AddClientFlags(*list, flags->client);
  list->callback(
      [flags, &ctx, action] { *action = [flags, &ctx] { return RunHeartbeatList(*flags, ctx); }; });
}

}  // namespace loom
