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

std::string RenderHeartbeats(const nlohmann::json& body, const std::string& service) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "SERVICE", "STATE", "EVERY", "GRACE", "LAST PING", "INCIDENT"}};
  if (body.is_object() && body.contains("heartbeats") && body["heartbeats"].is_array()) {
    for (const nlohmann::json& hb : body["heartbeats"]) {
      if (!service.empty() && GetString(hb, "service") != service) continue;
      std::string state = GetString(hb, "state");
      if (hb.contains("enabled") && hb["enabled"].is_boolean() && !hb["enabled"].get<bool>()) {
        state += " (disabled)";
      }
      rows.push_back({PrintableText(GetString(hb, "id")), PrintableText(GetString(hb, "service")),
                      state, GetString(hb, "interval"), GetString(hb, "grace"),
                      OrDash(GetString(hb, "last_ping_at")), OrDash(GetString(hb, "incident"))});
    }
  }
  return rows.size() == 1 ? "No heartbeats.\n" : RenderTable(rows);
}

int RunHeartbeatList(const HeartbeatListFlags& flags, CliContext& ctx) {
  return PrintListing(flags.client, ctx, "/v1/heartbeats", [&flags](const nlohmann::json& body) {
    return RenderHeartbeats(body, flags.service);
  });
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
