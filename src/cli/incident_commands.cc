#include "cli/incident_commands.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/incident_format.h"
#include "cli/json_fields.h"
#include "core/incident.h"
#include "core/severity.h"

namespace loom {
namespace {

struct ListFlags {
  ClientFlags client;
  std::string state, severity, service, cursor;
  bool open = false;
  int limit = 0;  // 0 = the server's default
};

struct ActionFlags {
  ClientFlags client;
  std::string id;
  std::string note;
  std::string impact, scope, mitigation, next_update;  // `incident update`
  std::vector<std::string> words;                      // note text, commander or severity argument
};

int RunList(const ListFlags& flags, CliContext& ctx) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  QueryParams query = {{"state", flags.state},
                       {"severity", flags.severity},
                       {"service", flags.service},
                       {"open", flags.open ? "true" : ""},
                       {"limit", flags.limit > 0 ? std::to_string(flags.limit) : ""},
                       {"cursor", flags.cursor}};
  auto response = (*client)->Get("/v1/incidents", query);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  nlohmann::json incidents =
      body.is_object() && body.contains("incidents") ? body["incidents"] : nlohmann::json::array();
  ctx.out << FormatIncidentTable(incidents, ctx.clock.Now());
  ctx.out.flush();
  // The paging hint goes to stderr so that piping the table stays clean.
  std::string next;
  if (body.is_object() && body.contains("next")) {
    const auto& n = body["next"];
    if (n.is_string()) next = n.get<std::string>();
    if (n.is_number_integer()) next = std::to_string(n.get<int64_t>());
  }
  if (!next.empty())
    ctx.err << "more incidents: repeat with --cursor " << PrintableText(next) << "\n";
  return 0;
}

int RunShow(const ActionFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/incidents/" + *id);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
  } else {
    ctx.out << FormatIncidentDetail(response->json, ctx.clock.Now());
    ctx.out.flush();
  }
  return 0;
}

// POSTs `body` to /v1/incidents/<id>/<endpoint> and prints the incident it answers with.
int RunPost(const ActionFlags& flags, CliContext& ctx, const std::string& id, const char* endpoint,
            const nlohmann::json& body, const std::string& prefix) {
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Post("/v1/incidents/" + id + "/" + endpoint, body);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
  } else {
    ctx.out << prefix << FormatIncidentSummary(response->json) << "\n";
    ctx.out.flush();
  }
  return 0;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) {
    if (!text.empty()) text += ' ';
    text += w;
  }
  return text;
}

// A lifecycle action: acknowledge, mitigate, resolve, close (each with an optional --note).
int RunLifecycle(const ActionFlags& flags, CliContext& ctx, const char* endpoint) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  nlohmann::json body = nlohmann::json::object();
  if (!flags.note.empty()) body["note"] = flags.note;
  return RunPost(flags, ctx, *id, endpoint, body, "");
}

int RunNote(const ActionFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  std::string text = JoinWords(flags.words);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return ReportError(ctx, Error::Invalid("the note text is empty"));
  }
  return RunPost(flags, ctx, *id, "notes", {{"note", text}}, "note added to ");
}

int RunCommander(const ActionFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  std::string user = JoinWords(flags.words);
  if (user.empty()) return ReportError(ctx, Error::Invalid("the commander is empty"));
  return RunPost(flags, ctx, *id, "commander", {{"commander", user}}, "");
}

int RunReassign(const ActionFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  std::string user = JoinWords(flags.words);
  if (user.empty()) return ReportError(ctx, Error::Invalid("the user is empty"));
  nlohmann::json body = {{"user", user}};
  if (!flags.note.empty()) body["note"] = flags.note;
  return RunPost(flags, ctx, *id, "reassign", body, "reassigned: ");
}

int RunSeverity(const ActionFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  std::string word = JoinWords(flags.words);
  std::optional<Severity> severity = ParseSeverity(word);
  if (!severity) {
    return ReportError(
        ctx, Error::Invalid("invalid severity '" + word + "': expected sev1, sev2, sev3 or sev4"));
  }
  return RunPost(flags, ctx, *id, "severity", {{"severity", SeverityName(*severity)}}, "");
}

int RunStatusUpdate(const ActionFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  std::string missing;
  for (auto [flag, value] :
       {std::pair{"--impact", &flags.impact}, std::pair{"--scope", &flags.scope},
        std::pair{"--mitigation", &flags.mitigation},
        std::pair{"--next-update", &flags.next_update}}) {
    if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(flag);
  }
  if (!missing.empty()) {
    return ReportError(ctx, Error::Invalid("a status update needs --impact, --scope, --mitigation "
                                           "and --next-update: missing " +
                                           missing));
  }
  nlohmann::json body = nlohmann::json::object();
  for (auto [key, value] :
       {std::pair{"impact", &flags.impact}, std::pair{"scope", &flags.scope},
        std::pair{"mitigation", &flags.mitigation}, std::pair{"next_update_at", &flags.next_update},
        std::pair{"note", &flags.note}}) {
    if (!value->empty()) body[key] = *value;
  }
  return RunPost(flags, ctx, *id, "updates", body, "status update posted to ");
}

int RunNotifications(const ActionFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/incidents/" + *id + "/notifications");
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
  } else {
    const nlohmann::json& body = response->json;
    ctx.out << FormatNotifications(body.is_object() && body.contains("notifications")
                                       ? body["notifications"]
                                       : nlohmann::json::array(),
                                   ctx.clock.Now());
    ctx.out.flush();
  }
  return 0;
}

CLI::App* AddIdCommand(CLI::App& incident, const char* name, const char* help, ActionFlags& flags) {
  CLI::App* cmd = incident.add_subcommand(name, help);
  cmd->add_option("id", flags.id, "Incident id: INC-<n> (or just <n>)")->required();
  AddClientFlags(*cmd, flags.client);
  return cmd;
}

}  // namespace

Result<std::string> NormalizeIncidentId(std::string_view text) {
  std::string id(text);
  if (id.size() > 4 && (id[0] == 'i' || id[0] == 'I') && (id[1] == 'n' || id[1] == 'N') &&
      (id[2] == 'c' || id[2] == 'C') && id[3] == '-') {
    id = "INC-" + id.substr(4);
  } else {
    id = "INC-" + id;
  }
  std::optional<int64_t> number = ParseIncidentId(id);
  if (!number) {
    return Error::Invalid("invalid incident id '" + PrintableText(text) +
                          "': expected INC-<number>, e.g. INC-42");
  }
  return IncidentId(*number);
}

void RegisterIncidentCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* incident = app.add_subcommand("incident", "List, inspect and act on incidents");
  incident->require_subcommand(1);

  {
    auto flags = std::make_shared<ListFlags>();
    CLI::App* list = incident->add_subcommand("list", "List incidents, newest first");
    list->add_option("--state", flags->state, "Only incidents in this state")
        ->check(CLI::IsMember({"triggered", "acknowledged", "mitigated", "resolved", "closed"}));
    list->add_option("--severity", flags->severity, "Only this severity")
        ->check(CLI::IsMember({"sev1", "sev2", "sev3", "sev4"}));
    list->add_option("--service", flags->service, "Only this service id");
    list->add_flag("--open", flags->open,
                   "Only open incidents (triggered, acknowledged, mitigated)");
    list->add_option("--limit", flags->limit, "At most N incidents (1-500, default 50)")
        ->check(CLI::Range(1, 500));
    list->add_option("--cursor", flags->cursor, "Continue after a previous page (its `next`)");
    AddClientFlags(*list, flags->client);
    list->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunList(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* show = AddIdCommand(*incident, "show", "Show an incident with its timeline", *flags);
    show->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunShow(*flags, ctx); }; });
  }

  struct Lifecycle {
    const char* name;
    const char* alias;
    const char* endpoint;
    const char* help;
  };
  static constexpr Lifecycle kLifecycle[] = {
      {"ack", "acknowledge", "acknowledge",
       "Acknowledge a triggered incident (you become commander when none is set)"},
      {"mitigate", nullptr, "mitigate", "Mark an acknowledged incident mitigated"},
      {"resolve", nullptr, "resolve", "Resolve an incident"},
      {"close", nullptr, "close", "Close a resolved incident"},
      {"unack", "unacknowledge", "unacknowledge",
       "Return an acknowledged incident to triggered: escalation starts again"},
  };
  for (const Lifecycle& step : kLifecycle) {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* cmd = AddIdCommand(*incident, step.name, step.help, *flags);
    if (step.alias != nullptr) cmd->alias(step.alias);
    cmd->add_option("--note", flags->note, "A comment recorded in the timeline");
    const char* endpoint = step.endpoint;
    cmd->callback([flags, &ctx, action, endpoint] {
      *action = [flags, &ctx, endpoint] { return RunLifecycle(*flags, ctx, endpoint); };
    });
  }
  {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* note = AddIdCommand(*incident, "note", "Add a note to the timeline", *flags);
    note->add_option("text", flags->words, "The note (several words are joined)")->required();
    note->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunNote(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* cmd = AddIdCommand(*incident, "commander", "Set the incident commander", *flags);
    cmd->add_option("user", flags->words, "User id of the new commander")->required()->expected(1);
    cmd->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunCommander(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* cmd = AddIdCommand(
        *incident, "reassign",
        "Page a user now for a triggered or acknowledged incident (it is triggered again)", *flags);
    cmd->add_option("user", flags->words, "User id to page")->required()->expected(1);
    cmd->add_option("--note", flags->note, "A comment recorded in the timeline");
    cmd->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunReassign(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* cmd = AddIdCommand(*incident, "severity", "Change the severity", *flags);
    cmd->add_option("severity", flags->words, "sev1, sev2, sev3 or sev4")->required()->expected(1);
    cmd->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunSeverity(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* cmd = AddIdCommand(*incident, "update",
                                 "Post a status update (impact, scope, "
                                 "mitigation, next update time)",
                                 *flags);
    cmd->add_option("--impact", flags->impact, "Who is affected and how");
    cmd->add_option("--scope", flags->scope, "What is affected");
    cmd->add_option("--mitigation", flags->mitigation, "What is being done");
    cmd->add_option("--next-update", flags->next_update,
                    "When the next update comes (RFC 3339), within the severity's cadence");
    cmd->add_option("--note", flags->note, "A comment recorded with the update");
    cmd->callback([flags, &ctx, action] {
      *action = [flags, &ctx] { return RunStatusUpdate(*flags, ctx); };
    });
  }
  {
    auto flags = std::make_shared<ActionFlags>();
    CLI::App* cmd =
        AddIdCommand(*incident, "notifications",
                     "List the pages, notices and tickets sent for an incident", *flags);
    cmd->callback([flags, &ctx, action] {
      *action = [flags, &ctx] { return RunNotifications(*flags, ctx); };
    });
  }
}

}  // namespace loom
