// `loom-oncall incident evidence add|list|export`: the evidence locker of an incident
// (docs/security-playbook.md) from the command line. Registered by RegisterSecurityCommands
// under the `incident` group, so it runs after RegisterIncidentCommands.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/incident_commands.h"
#include "cli/json_fields.h"
#include "common/crypto.h"
#include "core/security_playbook.h"

namespace loom {
namespace {

struct ChecklistFlags {
  ClientFlags client;
  std::string id, item, owner, note;
  bool done = false, undo = false;
};

struct EvidenceFlags {
  ClientFlags client;
  std::string id;
  std::string file, uri, request_id, name, media_type, note;  // add
  std::string dir;                                            // export
};

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Invalid("cannot read " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error::Invalid("cannot read " + path);
  if (data.size() > kMaxEvidenceBytes) {
    return Error{ErrorCode::kPayloadTooLarge, path + " is larger than 10 MiB", {}};
  }
  return data;
}

// Standard base64 (the server's content_base64) through the base64url decoder.
std::optional<std::string> DecodeBase64(std::string text) {
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
    else if (c == '-' || c == '_')
      return std::nullopt;
  }
  return Base64UrlDecode(text);
}

// A file name for an exported artifact: "<id>-<name>" with anything but [A-Za-z0-9._-] as '_'.
std::string ExportFileName(const nlohmann::json& artifact) {
  std::string name = GetString(artifact, "name", "artifact");
  for (char& c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    if (!safe) c = '_';
  }
  if (name.empty() || name[0] == '.') name = "_" + name;
  return std::to_string(GetInt(artifact, "id")) + "-" + name.substr(0, 120);
}

int RunAdd(const EvidenceFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  const int given = !flags.file.empty() + !flags.uri.empty() + !flags.request_id.empty();
  if (given != 1) {
    return ReportError(ctx, Error::Invalid("give exactly one of --file, --uri, --request-id"));
  }
  nlohmann::json body = nlohmann::json::object();
  if (!flags.file.empty()) {
    auto data = ReadWholeFile(flags.file);
    if (!data.ok()) return ReportError(ctx, data.error());
    body["kind"] = "upload";
    body["name"] =
        flags.name.empty() ? std::filesystem::path(flags.file).filename().string() : flags.name;
    body["content_base64"] = Base64Encode(*data);
    if (!flags.media_type.empty()) body["media_type"] = flags.media_type;
  } else {
    body["kind"] = "reference";
    if (!flags.uri.empty()) body["uri"] = flags.uri;
    if (!flags.request_id.empty()) body["request_id"] = flags.request_id;
    body["name"] = !flags.name.empty()  ? flags.name
                   : !flags.uri.empty() ? flags.uri
                                        : "request " + flags.request_id;
  }
  if (!flags.note.empty()) body["note"] = flags.note;
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Post("/v1/incidents/" + *id + "/evidence", body);
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
  } else {
    const nlohmann::json& a = response->json;
    ctx.out << "evidence " << GetInt(a, "id") << " added to " << *id << ": "
            << PrintableText(GetString(a, "name")) << " (" << GetInt(a, "size") << " bytes, sha256 "
            << GetString(a, "sha256") << ")\n";
    ctx.out.flush();
  }
  return 0;
}

int RunList(const EvidenceFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/incidents/" + *id + "/evidence");
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  const nlohmann::json list =
      body.is_object() && body.contains("evidence") ? body["evidence"] : nlohmann::json();
  if (!list.is_array() || list.empty()) {
    ctx.out << "no evidence for " << *id << "\n";
  } else {
    for (const nlohmann::json& a : list) {
      std::string where = GetString(a, "uri");
      if (where.empty()) where = GetString(a, "request_id");
      ctx.out << GetInt(a, "id") << "  " << GetString(a, "kind") << "  "
              << PrintableText(GetString(a, "name")) << "  " << GetInt(a, "size") << " bytes  "
              << GetString(a, "sha256") << "  " << PrintableText(GetString(a, "actor")) << "  "
              << GetString(a, "at") << (where.empty() ? "" : "  " + PrintableText(where)) << "\n";
    }
  }
  ctx.out.flush();
  return 0;
}

// Writes manifest.json and one file per artifact into --dir, checking every SHA-256.
int RunExport(const EvidenceFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  auto response = (*client)->Get("/v1/incidents/" + *id + "/evidence/export");
  if (!response.ok()) return ReportError(ctx, response.error());
  nlohmann::json manifest = response->json;
  if (!manifest.is_object() || !manifest.contains("artifacts") ||
      !manifest["artifacts"].is_array()) {
    return ReportError(ctx, Error::Internal("the server's export has no artifacts list"));
  }
  std::error_code ec;
  std::filesystem::create_directories(flags.dir, ec);
  if (ec)
    return ReportError(ctx, Error::Invalid("cannot create " + flags.dir + ": " + ec.message()));
  int mismatches = 0;
  for (nlohmann::json& a : manifest["artifacts"]) {
    std::optional<std::string> content = DecodeBase64(GetString(a, "content_base64"));
    a.erase("content_base64");
    const std::string file = ExportFileName(a);
    a["file"] = file;
    if (!content || Sha256Hex(*content) != GetString(a, "sha256")) {
      ctx.err << "error: artifact " << GetInt(a, "id") << " does not match its SHA-256\n";
      ++mismatches;
      continue;
    }
    std::ofstream out(std::filesystem::path(flags.dir) / file, std::ios::binary);
    out.write(content->data(), static_cast<std::streamsize>(content->size()));
    if (!out) return ReportError(ctx, Error::Unavailable("cannot write " + file));
  }
  std::ofstream out(std::filesystem::path(flags.dir) / "manifest.json");
  out << manifest.dump(2) << "\n";
  if (!out) return ReportError(ctx, Error::Unavailable("cannot write manifest.json"));
  if (mismatches > 0) {
    return ReportError(
        ctx, Error::Internal(std::to_string(mismatches) + " artifact(s) failed the SHA-256 check"));
  }
  ctx.out << manifest["artifacts"].size() << " artifact(s) of " << *id << " exported to "
          << flags.dir << " (manifest.json; every SHA-256 verified)\n";
  ctx.out.flush();
  return 0;
}

// Without an item: prints the checklist. With one: changes it, then prints the checklist.
int RunChecklist(const ChecklistFlags& flags, CliContext& ctx) {
  auto id = NormalizeIncidentId(flags.id);
  if (!id.ok()) return ReportError(ctx, id.error());
  auto client = OpenApiClient(flags.client, ctx);
  if (!client.ok()) return ReportError(ctx, client.error());
  Result<ApiResponse> response = Error::Internal("no request");
  if (flags.item.empty()) {
    response = (*client)->Get("/v1/incidents/" + *id + "/checklist");
  } else {
    nlohmann::json body = nlohmann::json::object();
    if (flags.done || flags.undo) body["done"] = flags.done;
    if (!flags.owner.empty()) body["owner"] = flags.owner;
    if (!flags.note.empty()) body["note"] = flags.note;
    response = (*client)->Post("/v1/incidents/" + *id + "/checklist/" + flags.item, body);
  }
  if (!response.ok()) return ReportError(ctx, response.error());
  if (flags.client.json) {
    PrintJsonBody(ctx, *response);
    return 0;
  }
  const nlohmann::json& body = response->json;
  const nlohmann::json items =
      body.is_object() && body.contains("items") ? body["items"] : nlohmann::json::array();
  for (const nlohmann::json& item : items) {
    const std::string owner = GetString(item, "owner");
    ctx.out << (GetBool(item, "done") ? "[x] " : "[ ] ") << GetString(item, "id") << "  "
            << PrintableText(GetString(item, "text"))
            << (owner.empty() ? "" : "  owner " + PrintableText(owner)) << "\n";
  }
  ctx.out << GetInt(body, "done") << "/" << GetInt(body, "total") << " done\n";
  ctx.out.flush();
  return 0;
}

CLI::App* AddEvidenceCommand(CLI::App& evidence, const char* name, const char* help,
                             EvidenceFlags& flags) {
  CLI::App* cmd = evidence.add_subcommand(name, help);
  cmd->add_option("id", flags.id, "Incident id: INC-<n> (or just <n>)")->required();
  AddClientFlags(*cmd, flags.client);
  return cmd;
}

}  // namespace

void RegisterSecurityCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* incident = app.get_subcommand("incident");
  {
    auto flags = std::make_shared<ChecklistFlags>();
    CLI::App* cmd = incident->add_subcommand(
        "checklist", "Show a security incident's checklist, or change one item of it");
    cmd->add_option("id", flags->id, "Incident id: INC-<n> (or just <n>)")->required();
    cmd->add_option("item", flags->item, "Item id to change (e.g. rotate-loom-admin-token)");
    auto* done = cmd->add_flag("--done", flags->done, "Mark the item done");
    cmd->add_flag("--undo", flags->undo, "Mark the item not done")->excludes(done);
    cmd->add_option("--owner", flags->owner, "Who owns the item");
    cmd->add_option("--note", flags->note, "A note on the item");
    AddClientFlags(*cmd, flags->client);
    cmd->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunChecklist(*flags, ctx); }; });
  }
  CLI::App* evidence =
      incident->add_subcommand("evidence", "The incident's evidence locker (SHA-256 pinned)");
  evidence->require_subcommand(1);
  {
    auto flags = std::make_shared<EvidenceFlags>();
    CLI::App* cmd = AddEvidenceCommand(*evidence, "add",
                                       "Attach a file (--file) or a reference (--uri, "
                                       "--request-id)",
                                       *flags);
    cmd->add_option("--file", flags->file, "Upload this file (at most 10 MiB)");
    cmd->add_option("--uri", flags->uri, "Reference an artifact stored elsewhere");
    cmd->add_option("--request-id", flags->request_id, "Reference a request id");
    cmd->add_option("--name", flags->name, "Name (default: the file name, URI or request id)");
    cmd->add_option("--media-type", flags->media_type, "Media type of the file");
    cmd->add_option("--note", flags->note, "Why it matters");
    cmd->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunAdd(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<EvidenceFlags>();
    CLI::App* cmd = AddEvidenceCommand(*evidence, "list", "List the artifacts", *flags);
    cmd->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunList(*flags, ctx); }; });
  }
  {
    auto flags = std::make_shared<EvidenceFlags>();
    CLI::App* cmd = AddEvidenceCommand(
        *evidence, "export", "Write every artifact and manifest.json into a directory", *flags);
    cmd->add_option("--dir", flags->dir, "Directory to write into (created)")->required();
    cmd->callback(
        [flags, &ctx, action] { *action = [flags, &ctx] { return RunExport(*flags, ctx); }; });
  }
}

}  // namespace loom
