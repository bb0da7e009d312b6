// `loom-oncall drill start|finish|list` over the API (docs/drills.md):
//   drill start --scenario availability|security [--service S] [--title T] [--commander C]
//               [--participant P]...
//   drill finish <id> --worked TEXT... --gap TEXT... --followup "title;owner;YYYY-MM-DD"...
//               [--participant P]...
//   drill list
// Each prints a short human answer, or the server's JSON with --json; errors exit non-zero.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/incident_commands.h"
#include "cli/incident_format.h"
#include "cli/json_fields.h"

namespace loom {
namespace {

struct DrillFlags {
  ClientFlags client;
  std::string id;
  std::string scenario, service, title, commander;
  std::vector<std::string> participants, worked, gaps, followups;
};

// "title;owner;due" → {"title","owner","due"}; kInvalidArgument naming the flag otherwise.
Result<nlohmann::json> ParseFollowUpFlag(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t semi = text.find(';', start);
    parts.push_back(
        text.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  auto trim = [](std::string s) {
    const size_t b = s.find_first_not_of(" \t");
    const size_t e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  if (parts.size() != 3 || trim(parts[0]).empty() || trim(parts[1]).empty() ||
      trim(parts[2]).empty()) {
    return Error::Invalid("--followup \"" + text +
                          "\": expected \"title;owner;YYYY-MM-DD\" (all three parts)");
  }
  return nlohmann::json{
      {"title", trim(parts[0])}, {"owner", trim(parts[1])}, {"due", trim(parts[2])}};
}

int RunStart(const DrillFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  nlohmann::json body = {{"scenario", flags.scenario}};
  if (!flags.service.empty()) body["service"] = flags.service;
  if (!flags.title.empty()) body["title"] = flags.title;
  if (!flags.commander.empty()) body["commander"] = flags.commander;
  if (!flags.participants.empty()) body["participants"] = flags.participants;
  auto response = (*client)->Post("/v1/drills", body);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  ctx.out << "drill started: " << FormatIncidentSummary(response->json) << "\n"
          << "pages go out as for a real incident, marked DRILL; finish it with `loom-oncall "
             "drill finish "
          << GetString(response->json, "id") << " --worked ... --gap ... --followup "
          << "\"title;owner;YYYY-MM-DD\"`\n";
  ctx.out.flush();
  return 0;
}

int RunFinish(const DrillFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  nlohmann::json followups = nlohmann::json::array();
  for (const std::string& f : flags.followups) {
    auto parsed = ParseFollowUpFlag(f);
    if (!parsed.ok()) return ReportError(ctx, parsed.error());
    followups.push_back(std::move(*parsed));
  }
  if (followups.empty()) {
    return ReportError(ctx, Error::Invalid("a drill needs at least one --followup "
                                           "\"title;owner;YYYY-MM-DD\""));
  }
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  nlohmann::json body = {
      {"what_worked", flags.worked}, {"gaps", flags.gaps}, {"followups", std::move(followups)}};
  if (!flags.participants.empty()) body["participants"] = flags.participants;
  auto response = (*client)->Post("/v1/drills/" + *id + "/finish", body);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  ctx.out << "drill finished: " << *id << "\n"
          << "notes written by the server to " << GetString(response->json, "notes_path") << "\n";
  ctx.out.flush();
  return 0;
}

int RunList(const DrillFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/drills");
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  if (body.contains("drills") && body["drills"].is_array()) {
    for (const nlohmann::json& d : body["drills"]) {
      ctx.out << GetString(d, "id") << "  " << GetString(d, "started_at").substr(0, 10) << "  "
              << GetString(d, "scenario") << "  " << GetString(d, "state") << "  "
              << GetString(d, "title") << "\n";
    }
    if (body["drills"].empty()) ctx.out << "no drills yet\n";
  }
  if (body.contains("next") && body["next"].is_object()) {
    const nlohmann::json& next = body["next"];
    ctx.out << "next drill: " << GetString(next, "scenario") << ", due "
            << GetString(next, "due_at") << (GetBool(next, "overdue") ? " (OVERDUE)" : "") << "\n";
  }
  ctx.out.flush();
  return 0;
}

}  // namespace

void RegisterDrillCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* drill = app.add_subcommand("drill", "Tabletop drills: start, finish, list");
  drill->require_subcommand(1);
  {
    auto flags = std::make_shared<DrillFlags>();
    CLI::App* start = drill->add_subcommand(
        "start", "Open a drill incident (pages as a real one would, marked DRILL)");
    start->add_option("--scenario", flags->scenario, "The drill's scenario")
        ->required()
        ->check(CLI::IsMember({"availability", "security"}));
    start->add_option("--service", flags->service, "Service (default: drills.service)");
    start->add_option("--title", flags->title,
                      "Title (default: \"sev1 <scenario> tabletop drill\")");
    start->add_option("--commander", flags->commander, "Incident commander of the drill");
    start->add_option("--participant", flags->participants, "A participant (repeatable)");
    AddClientFlags(*start, flags->client);
    start->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunStart(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<DrillFlags>();
    CLI::App* finish = drill->add_subcommand(
        "finish", "Close a drill; the server writes its notes into the drill folder");
    finish->add_option("id", flags->id, "The drill's incident id (INC-7 or 7)")->required();
    finish->add_option("--worked", flags->worked, "What worked (repeatable)");
    finish->add_option("--gap", flags->gaps, "A gap found (repeatable)");
    finish->add_option("--followup", flags->followups,
                       "A follow-up \"title;owner;YYYY-MM-DD\" (repeatable, at least one)");
    finish->add_option("--participant", flags->participants, "A participant (repeatable)");
    AddClientFlags(*finish, flags->client);
    finish->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunFinish(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<DrillFlags>();
    CLI::App* list = drill->add_subcommand("list", "Past drills and the next one due");
    AddClientFlags(*list, flags->client);
    list->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunList(*flags, ctx); }; });
  }
}

}  // namespace loom
