// `loom-oncall audit verify [--config FILE] [--data-dir DIR] [--db FILE] [--json]`: opens the
// store directly (no server needed; SQLite's WAL lets it run beside a live server; on PostgreSQL
// it never takes the lead from the instances), recomputes every incident's timeline hash chain
// and prints
//     audit: OK, N events in M incidents verified                 (exit 0)
//     audit: BROKEN at INC-n event #seq: <reason>                  (exit 1)
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "cli/store_open.h"
#include "common/error_context.h"
#include "core/incident.h"

namespace loom {
namespace {

struct AuditVerifyFlags {
  std::string config;
  std::string data_dir;
  std::string db;
  bool json = false;
};

int PrintReport(const AuditReport& report, bool json, CliContext& ctx) {
  if (json) {
    nlohmann::json doc = {{"ok", !report.first_broken.has_value()},
                          {"incidents_checked", report.incidents_checked},
                          {"events_checked", report.events_checked}};
    if (report.first_broken) {
      doc["broken"] = {{"incident", IncidentId(report.first_broken->incident_number)},
                       {"seq", report.first_broken->seq},
                       {"reason", report.first_broken->reason}};
    }
    ctx.out << doc.dump() << "\n";
  } else if (report.first_broken) {
    ctx.out << "audit: BROKEN at " << IncidentId(report.first_broken->incident_number) << " event #"
            << report.first_broken->seq << ": " << report.first_broken->reason << "\n";
  } else {
    ctx.out << "audit: OK, " << report.events_checked << " events in " << report.incidents_checked
            << " incidents verified\n";
  }
  ctx.out.flush();
  return report.first_broken ? 1 : 0;
}

int Verify(std::unique_ptr<Store> store, bool json, CliContext& ctx) {
  Result<AuditReport> report = store->VerifyAudit();
  store->Shutdown();
  if (!report.ok()) return ReportError(ctx, report.error());
  return PrintReport(report.value(), json, ctx);
}

int RunAuditVerify(const AuditVerifyFlags& flags, CliContext& ctx) {
  std::string path = flags.db;
  if (path.empty()) {
    Result<Config> config = StoreCommandConfig(flags.config, flags.data_dir, ctx);
    if (!config.ok()) return ReportError(ctx, config.error());
    if (config->store.kind == "postgres") {
      Result<OpenedStore> opened = OpenConfiguredStore(*config, StoreUse::kTool, ctx);
      if (!opened.ok()) return ReportError(ctx, opened.error());
      return Verify(std::move(opened->store), flags.json, ctx);
    }
    path = StorePath(*config);
  }
  // Opening a missing file would create an empty database and "verify" it.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return ReportError(ctx, Error::NotFound("no database at '" + path +
                                            "' (pass --config FILE, --data-dir DIR or --db FILE)"));
  }
  SqliteOptions options;
  options.path = path;
  auto opened = ctx.open_sqlite_store(options, ctx.clock);
  if (!opened.ok()) {
    return ReportError(ctx,
                       WithContext("cannot open store '" + path + "'", std::move(opened).error()));
  }
  return Verify(std::move(opened).value(), flags.json, ctx);
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  CLI::App* audit = app.add_subcommand("audit", "Check the tamper-evident incident timelines");
  audit->require_subcommand(1);

  auto flags = std::make_shared<AuditVerifyFlags>();
  CLI::App* verify =
      audit->add_subcommand("verify", "Recompute every timeline hash chain in the database");
  CLI::Option* config = verify->add_option(
      "--config", flags->config,
      "The configuration file (default $LOOM_ONCALL_CONFIG); its store is verified, SQLite or "
      "PostgreSQL");
  CLI::Option* data_dir = verify->add_option("--data-dir", flags->data_dir,
                                             "The server's data directory (default ./data)");
  verify->add_option("--db", flags->db, "The database file (instead of <data-dir>/loom-oncall.db)")
      ->excludes(data_dir)
      ->excludes(config);
  verify->add_flag("--json", flags->json, "Print the result as JSON");
  verify->callback(
      [flags, &ctx, action] { *action = [flags, &ctx] { return RunAuditVerify(*flags, ctx); }; });
}

}  // namespace loom
