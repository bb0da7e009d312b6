// `loom-oncall oncall`, `schedule shifts` and `override create|list|delete`: the on-call API
// (docs/api.md) from the command line. Output and exit codes as the incident commands: a table
// (or the server's JSON with --json) on stdout, one "error: ..." line and a non-zero exit code on
// failure.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/incident_format.h"
#include "cli/json_fields.h"
#include "common/time_format.h"

namespace loom {
namespace {

struct OnCallFlags {
  ClientFlags client;
  std::string service, at;
};

struct ShiftsFlags {
  ClientFlags client;
  std::string schedule, from, to;
};

struct OverrideFlags {
  ClientFlags client;
  std::string schedule, user, from, to, id;
};

// kInvalidArgument naming `flag` unless `value` is empty or an RFC 3339 time.
Status CheckTimeFlag(const char* flag, const std::string& value) {
  if (value.empty() || ParseRfc3339(value).ok()) return OkStatus();
  return Error::Invalid(std::string("invalid ") + flag + " '" + PrintableText(value) +
                        "': expected an RFC 3339 time like 2026-03-29T09:00:00Z");
}

std::string OrDash(std::string s) { return s.empty() ? "-" : s; }

int RunOnCall(const OnCallFlags& flags, CliContext& ctx) {
  if (Status s = CheckTimeFlag("--at", flags.at); !s.ok()) return ReportError(ctx, s.error());
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/oncall", {{"service", flags.service}, {"at", flags.at}});
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  std::vector<std::vector<std::string>> rows = {{"ROLE", "USER", "UNTIL"}};
  const nlohmann::json roles =
      body.is_object() && body.contains("roles") ? body["roles"] : nlohmann::json::object();
  for (const char* role : {"primary", "secondary", "escalation_manager", "security_lead"}) {
    if (!roles.contains(role)) continue;
    const nlohmann::json& r = roles[role];
    std::string user = GetString(r, "user");
    std::string name = GetString(r, "name");
    std::string who = user.empty()                   ? "(nobody)"
                      : name.empty() || name == user ? user
                                                     : name + " (" + user + ")";
    rows.push_back({role, PrintableText(who), OrDash(GetString(r, "until"))});
  }
  ctx.out << "service " << PrintableText(GetString(body, "service")) << " at "
          << GetString(body, "at") << "\n"
          << RenderTable(rows);
  ctx.out.flush();
  return 0;
}

int RunShifts(const ShiftsFlags& flags, CliContext& ctx) {
  for (auto [flag, value] : {std::pair{"--from", &flags.from}, std::pair{"--to", &flags.to}}) {
    if (Status s = CheckTimeFlag(flag, *value); !s.ok()) return ReportError(ctx, s.error());
  }
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/schedules/" + PercentEncode(flags.schedule) + "/shifts",
                                 {{"from", flags.from}, {"to", flags.to}});
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"START", "END", "USER"}};
  const nlohmann::json& body = response->json;
  if (body.is_object() && body.contains("shifts") && body["shifts"].is_array()) {
    for (const auto& s : body["shifts"]) {
      std::string user = GetString(s, "user");
      if (user.empty()) user = "(nobody)";
      if (GetBool(s, "override")) user += " [override]";
      rows.push_back({GetString(s, "start"), GetString(s, "end"), PrintableText(user)});
    }
  }
  ctx.out << RenderTable(rows);
  ctx.out.flush();
  return 0;
}

std::string OverridesPath(const std::string& schedule) {
  return "/v1/schedules/" + PercentEncode(schedule) + "/overrides";
}

std::vector<std::string> OverrideRow(const nlohmann::json& o) {
  return {std::to_string(GetInt(o, "id")), PrintableText(GetString(o, "user")),
          GetString(o, "from"), GetString(o, "to"), PrintableText(GetString(o, "created_by"))};
}

int RunOverrideCreate(const OverrideFlags& flags, CliContext& ctx) {
  for (auto [flag, value] : {std::pair{"--from", &flags.from}, std::pair{"--to", &flags.to}}) {
    if (Status s = CheckTimeFlag(flag, *value); !s.ok()) return ReportError(ctx, s.error());
  }
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Post(OverridesPath(flags.schedule),
                                  {{"user", flags.user}, {"from", flags.from}, {"to", flags.to}});
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& o = response->json;
  ctx.out << "created override " << GetInt(o, "id") << ": " << PrintableText(GetString(o, "user"))
          << " on call for " << PrintableText(flags.schedule) << " from " << GetString(o, "from")
          << " to " << GetString(o, "to") << "\n";
  ctx.out.flush();
  return 0;
}

int RunOverrideList(const OverrideFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get(OverridesPath(flags.schedule));
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "USER", "FROM", "TO", "CREATED BY"}};
  const nlohmann::json& body = response->json;
  if (body.is_object() && body.contains("overrides") && body["overrides"].is_array()) {
    for (const auto& o : body["overrides"]) rows.push_back(OverrideRow(o));
  }
  ctx.out << RenderTable(rows);
  ctx.out.flush();
  return 0;
}

int RunOverrideDelete(const OverrideFlags& flags, CliContext& ctx) {
  if (flags.id.empty() || flags.id.find_first_not_of("0123456789") != std::string::npos) {
    return ReportError(ctx, Error::Invalid("invalid override id '" + PrintableText(flags.id) +
                                           "': expected a number"));
  }
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Delete(OverridesPath(flags.schedule) + "/" + flags.id);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  ctx.out << "deleted override " << flags.id << "\n";
  ctx.out.flush();
  return 0;
}

// Registers `leaf` so that CLI11 selecting it stores `run(*flags, ctx)` in `*action`.
template <typename Flags>
void OnSelected(CLI::App* leaf, std::shared_ptr<Flags> flags, CliContext& ctx,
                CommandAction* action, int (*run)(const Flags&, CliContext&)) {
  AddClientFlags(*leaf, flags->client);
  leaf->callback(
      [flags, &ctx, action, run] { *action = [flags, &ctx, run] { return run(*flags, ctx); }; });
}

}  // namespace

void RegisterOnCallCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  {
    auto flags = std::make_shared<OnCallFlags>();
    CLI::App* oncall = app.add_subcommand("oncall", "Who is on call for a service, per role");
    oncall->add_option("--service", flags->service,
                       "Service id (default: the only service with roles)");
    oncall->add_option("--at", flags->at, "RFC 3339 time (default: now)");
    OnSelected(oncall, flags, ctx, action, &RunOnCall);
  }
  {
    CLI::App* schedule = app.add_subcommand("schedule", "Inspect on-call schedules");
    schedule->require_subcommand(1);
    auto flags = std::make_shared<ShiftsFlags>();
    CLI::App* shifts =
        schedule->add_subcommand("shifts", "The shifts of a schedule, gaps included");
    shifts->add_option("id", flags->schedule, "Schedule id")->required();
    shifts->add_option("--from", flags->from, "RFC 3339 start (default: now)");
    shifts->add_option("--to", flags->to, "RFC 3339 end (default: 14 days after --from)");
    OnSelected(shifts, flags, ctx, action, &RunShifts);
  }
  CLI::App* override_cmd = app.add_subcommand("override", "Create, list and delete overrides");
  override_cmd->require_subcommand(1);
  {
    auto flags = std::make_shared<OverrideFlags>();
    CLI::App* create =
        override_cmd->add_subcommand("create", "Put a user on call for a period (responder)");
    create->add_option("--schedule", flags->schedule, "Schedule id")->required();
    create->add_option("--user", flags->user, "User id")->required();
    create->add_option("--from", flags->from, "RFC 3339 start")->required();
    create->add_option("--to", flags->to, "RFC 3339 end")->required();
    OnSelected(create, flags, ctx, action, &RunOverrideCreate);
  }
  {
    auto flags = std::make_shared<OverrideFlags>();
    CLI::App* list = override_cmd->add_subcommand("list", "Overrides created through the API");
    list->add_option("--schedule", flags->schedule, "Schedule id")->required();
    OnSelected(list, flags, ctx, action, &RunOverrideList);
  }
  {
    auto flags = std::make_shared<OverrideFlags>();
    CLI::App* del = override_cmd->add_subcommand("delete", "Delete an override (responder)");
    del->add_option("--schedule", flags->schedule, "Schedule id")->required();
    del->add_option("id", flags->id, "Override id")->required();
    OnSelected(del, flags, ctx, action, &RunOverrideDelete);
  }
}

}  // namespace loom
