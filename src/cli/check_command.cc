// `loom-oncall check incident-response [--runbook PATH] [--drill-dir DIR] [--min-drills N]
// [--server URL [--token T]] [--format text|json]`: the runbook's evidence check
// (core/evidence_check.h) on local files — the seven runbook sections, at least N drill notes,
// follow-ups in the latest note — and with --server the live compliance figures of that server
// (cli/compliance_check.h). Prints one PASS/WARN/ERROR line per finding and a summary; exits 1
// when there is an error, 0 otherwise (warnings included), 2 for a usage error; a server that
// cannot be asked exits as the other API commands do.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <system_error>

#include "cli/client_flags.h"
#include "cli/commands.h"
#include "cli/compliance_check.h"
#include "core/evidence_check.h"

namespace loom {
namespace {

struct CheckFlags {
  std::string runbook = "docs/INCIDENT-RESPONSE-ONCALL.md";
  std::string drill_dir = "ops/incidents/drills";
  int min_drills = 1;
  std::string format = "text";
  ClientFlags client;  // only --server (which turns the live part on), --token, --cacert
};

Result<std::string> ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The drill notes: every *.md file directly in `dir` (none when it does not exist).
Result<std::vector<DrillNote>> ReadDrillNotes(const std::string& dir) {
  std::vector<DrillNote> notes;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return notes;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".md") continue;
    Result<std::string> text = ReadText(entry.path());
    if (!text.ok()) return std::move(text).error();
    notes.push_back({entry.path().filename().string(), std::move(text).value()});
  }
  if (ec) return Error::Unavailable("cannot list " + dir + ": " + ec.message());
  return notes;
}

int RunCheck(const CheckFlags& flags, CliContext& ctx) {
  Result<std::string> runbook = ReadText(flags.runbook);
  std::vector<EvidenceFinding> findings;
  if (runbook.ok()) {
    findings = CheckRunbook(*runbook, flags.runbook);
  } else {
    findings.push_back({EvidenceFinding::Level::kError,
                        "runbook " + flags.runbook + " not found (pass --runbook PATH)"});
  }
  Result<std::vector<DrillNote>> notes = ReadDrillNotes(flags.drill_dir);
  if (!notes.ok()) return ReportError(ctx, notes.error());
  for (EvidenceFinding& f :
       CheckDrillNotes(std::move(notes).value(), flags.min_drills, flags.drill_dir)) {
    findings.push_back(std::move(f));
  }
  nlohmann::json live;
  if (!flags.client.server.empty()) {
    auto client = OpenApiClient(flags.client, ctx);
    if (!client.ok()) return ReportError(ctx, client.error());
    auto response = (*client)->Get("/v1/reports/compliance");
    if (!response.ok()) return ReportError(ctx, response.error());
    live = response->json;
    for (EvidenceFinding& f : LiveComplianceFindings(live)) findings.push_back(std::move(f));
  }
  int counts[3] = {0, 0, 0};
  for (const EvidenceFinding& f : findings) ++counts[static_cast<int>(f.level)];
  const bool failed = counts[2] > 0;
  if (flags.format == "json") {
    nlohmann::json doc = {{"ok", !failed},
                          {"passed", counts[0]},
                          {"warnings", counts[1]},
                          {"errors", counts[2]},
                          {"findings", nlohmann::json::array()}};
    for (const EvidenceFinding& f : findings) {
      doc["findings"].push_back({{"level", EvidenceLevelName(f.level)}, {"message", f.message}});
    }
    if (!live.is_null()) doc["live"] = live;
    ctx.out << doc.dump() << "\n";
  } else {
    for (const EvidenceFinding& f : findings) {
      ctx.out << EvidenceLevelName(f.level) << "  " << f.message << "\n";
    }
    ctx.out << "incident-response check: " << (failed ? "FAILED" : "PASSED") << " (" << counts[0]
            << " passed, " << counts[1] << " warning" << (counts[1] == 1 ? "" : "s") << ", "
            << counts[2] << " error" << (counts[2] == 1 ? "" : "s") << ")\n";
  }
  ctx.out.flush();
  return failed ? 1 : 0;
}

}  // namespace

void RegisterCheckCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* check = app.add_subcommand("check", "Evidence checks of the runbook");
  check->require_subcommand(1);
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* ir = check->add_subcommand(
      "incident-response",
      "The runbook's sections and the drill notes (PASS/WARN/ERROR; exit 1 on an error)");
  ir->add_option("--runbook", flags->runbook, "The runbook Markdown")->capture_default_str();
  ir->add_option("--drill-dir", flags->drill_dir, "Folder of drill notes (*.md)")
      ->capture_default_str();
  ir->add_option("--min-drills", flags->min_drills, "Drill notes required")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  ir->add_option("--server", flags->client.server,
                 "Also check the live compliance figures of this loom-oncall server");
  ir->add_option("--token", flags->client.token,
                 "API token for --server (viewer role; default $LOOM_ONCALL_TOKEN)");
  ir->add_option("--cacert", flags->client.ca_cert_file, "PEM CA bundle for an https server");
  ir->add_option("--format", flags->format, "Output")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  ir->callback(
      [flags, &ctx, action] { *action = [flags, &ctx] { return RunCheck(*flags, ctx); }; });
}

}  // namespace loom
