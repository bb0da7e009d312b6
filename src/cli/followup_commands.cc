// `loom-oncall followup list|create|done` and `loom-oncall review draft|show|publish`: thin
// clients of /v1/followups and /v1/incidents/{id}/review (docs/followups.md).
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/incident_commands.h"
#include "cli/incident_format.h"
#include "cli/json_fields.h"
#include "core/followup.h"

namespace loom {
namespace {

struct FollowupFlags {
  ClientFlags client;
  std::string owner, status, source;  // list filters
  bool overdue = false;
  std::string id, title, due, incident, review, drill, service;  // create, done
};

struct ReviewFlags {
  ClientFlags client;
  std::string id;
  bool markdown = false;
};

std::string FollowupSource(const nlohmann::json& f) {
  if (!f.contains("source") || !f["source"].is_object() || f["source"].empty()) return "-";
  auto it = f["source"].begin();
  return it.key() + " " + (it->is_string() ? it->get<std::string>() : "");
}

std::string FollowupTable(const nlohmann::json& list) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "STATUS", "DUE", "OWNER", "SOURCE", "TITLE"}};
  if (list.is_array()) {
    for (const nlohmann::json& f : list) {
      std::string status = GetString(f, "status");
      if (GetBool(f, "overdue")) status += " (overdue)";
      rows.push_back({PrintableText(GetString(f, "id")), PrintableText(status),
                      PrintableText(GetString(f, "due")), PrintableText(GetString(f, "owner")),
                      PrintableText(FollowupSource(f)), PrintableText(GetString(f, "title"))});
    }
  }
  return RenderTable(rows);
}

int PrintFollowup(CliContext& ctx, const ClientFlags& client, const ApiResponse& response,
                  const char* verb) {
  if (client.json) {
    PrintJsonBody(ctx, response);
    return 0;
  }
  const nlohmann::json& f = response.json;
  ctx.out << verb << " " << PrintableText(GetString(f, "id")) << ": "
          << PrintableText(GetString(f, "title")) << " (owner "
          << PrintableText(GetString(f, "owner")) << ", due " << PrintableText(GetString(f, "due"))
          << ", " << GetString(f, "status") << ")\n";
  ctx.out.flush();
  return 0;
}

int RunFollowupList(const FollowupFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/followups", {{"owner", flags.owner},
                                                   {"status", flags.status},
                                                   {"overdue", flags.overdue ? "true" : ""},
                                                   {"source", flags.source}});
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  ctx.out << FollowupTable(
      body.is_object() && body.contains("followups") ? body["followups"] : nlohmann::json::array());
  ctx.out.flush();
  return 0;
}

int RunFollowupCreate(const FollowupFlags& flags, CliContext& ctx) {
  nlohmann::json body = {{"title", flags.title}, {"owner", flags.owner}, {"due", flags.due}};
  int sources = 0;
  for (auto [kind, value] :
       {std::pair{"incident", &flags.incident}, std::pair{"review", &flags.review},
        std::pair{"drill", &flags.drill}}) {
    if (value->empty()) continue;
    body["source"] = {{kind, *value}};
    ++sources;
  }
  if (sources > 1) {
    return ReportError(ctx, Error::Invalid("give at most one of --incident, --review, --drill"));
  }
  if (!flags.service.empty()) body["service"] = flags.service;
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Post("/v1/followups", body);
  if (!response.ok()) return ReportError(ctx, response.error());
  return PrintFollowup(ctx, flags.client, *response, "created");
}

int RunFollowupDone(const FollowupFlags& flags, CliContext& ctx) {
  std::optional<int64_t> number = ParseFollowupId(flags.id);
  if (!number) {
    return ReportError(ctx, Error::Invalid("invalid follow-up id '" + PrintableText(flags.id) +
                                           "': expected FU-<number>, e.g. FU-3"));
  }
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Patch("/v1/followups/" + FollowupId(*number), {{"status", "done"}});
  if (!response.ok()) return ReportError(ctx, response.error());
  return PrintFollowup(ctx, flags.client, *response, "done:");
}

int RunReview(const ReviewFlags& flags, CliContext& ctx, const char* what) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  const std::string path = "/v1/incidents/" + *id + "/review";
  const std::string_view action = what;
  Result<ApiResponse> response = action == "draft" ? (*client)->Post(path, nlohmann::json::object())
                                 : action == "publish"
                                     ? (*client)->Post(path + "/publish", nlohmann::json::object())
                                 : flags.client.json ? (*client)->Get(path)
                                                     : (*client)->GetText(path + ".md");
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
  } else if (action == "show") {
    ctx.out << response->body;
  } else {
    const nlohmann::json& r = response->json;
    ctx.out << "review of " << *id << " " << (action == "draft" ? "drafted" : "published") << " ("
            << GetString(r, "status") << ", "
            << (r.contains("followups") && r["followups"].is_array() ? r["followups"].size() : 0)
            << " follow-ups)\n";
  }
  ctx.out.flush();
  return 0;
}

}  // namespace

void RegisterFollowupCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* followup =
      app.add_subcommand("followup", "List, create and complete follow-ups (owners, due dates)");
  followup->require_subcommand(1);
  {
    auto flags = std::make_shared<FollowupFlags>();
    CLI::App* cmd = followup->add_subcommand("list", "List follow-ups");
    cmd->add_option("--owner", flags->owner, "Only this owner's");
    cmd->add_option("--status", flags->status, "Only this status")
        ->check(CLI::IsMember({"open", "done", "cancelled"}));
    cmd->add_flag("--overdue", flags->overdue, "Only open follow-ups past their due time");
    cmd->add_option("--source", flags->source, "Only from this source: INC-3, drill:<id>, ...");
    AddClientFlags(*cmd, flags->client);
    cmd->callback([flags, &ctx, action] {
      *action = [flags, &ctx] { return RunFollowupList(*flags, ctx); };
    });
  }
  {
    auto flags = std::make_shared<FollowupFlags>();
    CLI::App* cmd = followup->add_subcommand("create", "Create a follow-up");
    cmd->add_option("--title", flags->title, "What is to be done")->required();
    cmd->add_option("--owner", flags->owner, "Who does it (a configured user id)")->required();
    cmd->add_option("--due", flags->due, "Due date or time (RFC 3339; a date means its end, UTC)")
        ->required();
    cmd->add_option("--incident", flags->incident, "Source: this incident");
    cmd->add_option("--review", flags->review, "Source: this incident's review");
    cmd->add_option("--drill", flags->drill, "Source: this drill");
    cmd->add_option("--service", flags->service,
                    "Whose escalation manager hears of it when overdue (default: the incident's)");
    AddClientFlags(*cmd, flags->client);
    cmd->callback([flags, &ctx, action] {
      *action = [flags, &ctx] { return RunFollowupCreate(*flags, ctx); };
    });
  }
  {
    auto flags = std::make_shared<FollowupFlags>();
    CLI::App* cmd = followup->add_subcommand("done", "Mark a follow-up done (its reminders stop)");
    cmd->add_option("id", flags->id, "Follow-up id: FU-<n>")->required();
    AddClientFlags(*cmd, flags->client);
    cmd->callback([flags, &ctx, action] {
      *action = [flags, &ctx] { return RunFollowupDone(*flags, ctx); };
    });
  }

  CLI::App* review = app.add_subcommand("review", "Post-incident reviews of closed incidents");
  review->require_subcommand(1);
  static constexpr std::pair<const char*, const char*> kReviewCommands[] = {
      {"draft", "Draft the review of a closed incident from its timeline and final summary"},
      {"show", "Print the review as Markdown (--json: as JSON)"},
      {"publish", "Publish the review (every follow-up needs an owner and a due date)"},
  };
  for (const auto& [name, help] : kReviewCommands) {
    auto flags = std::make_shared<ReviewFlags>();
    CLI::App* cmd = review->add_subcommand(name, help);
    cmd->add_option("id", flags->id, "Incident id: INC-<n> (or just <n>)")->required();
    AddClientFlags(*cmd, flags->client);
    const char* what = name;
    cmd->callback([flags, &ctx, action, what] {
      *action = [flags, &ctx, what] { return RunReview(*flags, ctx, what); };
    });
  }
}

}  // namespace loom
