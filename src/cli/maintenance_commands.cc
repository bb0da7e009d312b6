// `loom-oncall maintenance start|list|end|delete` (docs/maintenance.md): maintenance windows
// through the server's /v1/maintenance.
//   start --service S [--service S2] (--for 1h | --end T) [--start T] --reason TEXT
//   list [--service S]          active, scheduled and past windows as one table
//   end <id>                    ends a window early; its held escalations start now
//   delete <id>                 cancels a window that has not started
// Output on stdout (the server's JSON with --json); one "error: ..." line and a non-zero exit
// code on failure.
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

struct StartFlags {
  ClientFlags client;
  std::vector<std::string> services;
  std::string duration;
  std::string start;
  std::string end;
  std::string reason;
};

struct ListFlags {
  ClientFlags client;
  std::string service;
};

struct IdFlags {
  ClientFlags client;
  std::string id;
};

std::string Services(const nlohmann::json& w) {
  std::string out;
  if (!w.contains("services") || !w["services"].is_array()) return out;
  for (const nlohmann::json& s : w["services"]) {
    if (!s.is_string()) continue;
    if (!out.empty()) out += ",";
    out += s.get<std::string>();
  }
  return PrintableText(out);
}

// "sat,sun 02:00-04:00 Europe/Berlin" for a weekly window; "" for a one-off one.
std::string WeeklyText(const nlohmann::json& w) {
  if (!w.contains("weekly") || !w["weekly"].is_object()) return "";
  const nlohmann::json& weekly = w["weekly"];
  return GetString(weekly, "days") + " " + GetString(weekly, "from") + "-" +
         GetString(weekly, "to") + " " + GetString(weekly, "time_zone");
}

// When a one-off window ended: its planned end, or when and by whom it was ended early or deleted.
// (Ending a weekly window early ends one occurrence: its planned times stay what they are.)
std::string EndText(const nlohmann::json& w) {
  const std::string planned = GetString(w, "end", "-");
  if (WeeklyText(w).empty()) {
    if (const std::string at = GetString(w, "ended_at"); !at.empty()) {
      return at + " (ended early by " + PrintableText(GetString(w, "ended_by", "-")) + ")";
    }
    if (const std::string at = GetString(w, "cancelled_at"); !at.empty()) {
      return planned + " (deleted by " + PrintableText(GetString(w, "cancelled_by", "-")) + ")";
    }
  }
  return planned;
}

std::string Describe(const nlohmann::json& w) {
  std::string text = "maintenance window " + std::to_string(w.value("id", int64_t{0})) + " on " +
                     Services(w) + " (" + GetString(w, "state");
  const std::string weekly = WeeklyText(w);
  if (!weekly.empty()) text += ", weekly " + weekly;
  return text + "): " + GetString(w, "start", "-") + " to " + EndText(w);
}

int RunStart(const StartFlags& flags, CliContext& ctx) {
  if (flags.duration.empty() == flags.end.empty()) {
    return ReportError(ctx, Error::Invalid("give exactly one of --for (e.g. 1h) and --end"));
  }
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  nlohmann::json body = {{"services", flags.services}, {"reason", flags.reason}};
  if (!flags.start.empty()) body["start"] = flags.start;
  if (!flags.end.empty()) body["end"] = flags.end;
  if (!flags.duration.empty()) body["duration"] = flags.duration;
  auto response = (*client)->Post("/v1/maintenance", body);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  ctx.out << "Scheduled " << Describe(response->json) << "\n";
  ctx.out.flush();
  return 0;
}

std::string RenderWindows(const nlohmann::json& body, const std::string& service) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "STATE", "SERVICES", "START", "END", "WEEKLY", "REASON"}};
  for (const char* group : {"active", "scheduled", "past"}) {
    if (!body.is_object() || !body.contains(group) || !body[group].is_array()) continue;
    for (const nlohmann::json& w : body[group]) {
      const std::string services = Services(w);
      if (!service.empty() &&
          ("," + services + ",").find("," + service + ",") == std::string::npos) {
        continue;
      }
      const std::string weekly = WeeklyText(w);
      rows.push_back({std::to_string(w.value("id", int64_t{0})), GetString(w, "state"), services,
                      GetString(w, "start", "-"), EndText(w),
                      weekly.empty() ? "-" : PrintableText(weekly),
                      PrintableText(GetString(w, "reason"))});
    }
  }
  return rows.size() == 1 ? "No maintenance windows.\n" : RenderTable(rows);
}

int RunList(const ListFlags& flags, CliContext& ctx) {
  return PrintListing(flags.client, ctx, "/v1/maintenance", [&flags](const nlohmann::json& body) {
    return RenderWindows(body, flags.service);
  });
}

int RunEnd(const IdFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Post("/v1/maintenance/" + flags.id + "/end", nlohmann::json::object());
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  ctx.out << "Ended " << Describe(response->json) << "\n";
  std::string released;
  if (response->json.contains("released") && response->json["released"].is_array()) {
    for (const nlohmann::json& id : response->json["released"]) {
      if (!id.is_string()) continue;
      if (!released.empty()) released += ", ";
      released += PrintableText(id.get<std::string>());
    }
  }
  if (!released.empty()) ctx.out << "Escalation starts now for " << released << "\n";
  ctx.out.flush();
  return 0;
}

int RunDelete(const IdFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Delete("/v1/maintenance/" + flags.id);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  ctx.out << "Cancelled " << Describe(response->json) << "\n";
  ctx.out.flush();
  return 0;
}

}  // namespace

void RegisterMaintenanceCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* maintenance =
      app.add_subcommand("maintenance", "Maintenance windows (no paging during planned work)");
  maintenance->require_subcommand(1);

  auto start_flags = std::make_shared<StartFlags>();
  CLI::App* start = maintenance->add_subcommand("start", "Schedule a maintenance window");
  start->add_option("--service", start_flags->services, "A service in maintenance (repeatable)")
      ->required();
  start->add_option("--for", start_flags->duration, "How long, from the start (e.g. 1h, 30m)");
  start->add_option("--start", start_flags->start, "When it starts (RFC 3339; default: now)");
  start->add_option("--end", start_flags->end, "When it ends (RFC 3339), instead of --for");
  start->add_option("--reason", start_flags->reason, "Why (shown on the incidents)")->required();
  AddClientFlags(*start, start_flags->client);
  start->callback([start_flags, &ctx, action] {
    *action = [start_flags, &ctx] { return RunStart(*start_flags, ctx); };
  });

  auto list_flags = std::make_shared<ListFlags>();
  CLI::App* list = maintenance->add_subcommand("list", "List active, scheduled and past windows");
  list->add_option("--service", list_flags->service, "Only the windows of this service");
  AddClientFlags(*list, list_flags->client);
  list->callback([list_flags, &ctx, action] {
    *action = [list_flags, &ctx] { return RunList(*list_flags, ctx); };
  });

  auto end_flags = std::make_shared<IdFlags>();
  CLI::App* end = maintenance->add_subcommand("end", "End a window early (escalation starts now)");
  end->add_option("id", end_flags->id, "The window's id")->required();
  AddClientFlags(*end, end_flags->client);
  end->callback([end_flags, &ctx, action] {
    *action = [end_flags, &ctx] { return RunEnd(*end_flags, ctx); };
  });

  auto delete_flags = std::make_shared<IdFlags>();
  CLI::App* del = maintenance->add_subcommand("delete", "Cancel a window that has not started");
  del->add_option("id", delete_flags->id, "The window's id")->required();
  AddClientFlags(*del, delete_flags->client);
  del->callback([delete_flags, &ctx, action] {
    *action = [delete_flags, &ctx] { return RunDelete(*delete_flags, ctx); };
  });
}

}  // namespace loom
