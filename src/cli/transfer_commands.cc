// `loom-oncall export [--config FILE] [--data-dir DIR] [--output FILE] [--json]` and
// `loom-oncall import [--config FILE] [--data-dir DIR] [--json] FILE`: move an installation from
// one store to another (SQLite to PostgreSQL: export with the old configuration, import with the
// new one into an empty database, then `audit verify --config NEW`; docs/operations.md). The file
// format is in store/sql/transfer.h. Both print the rows of each table:
//     export: 30 tables, 128 rows from ./data/loom-oncall.db to loom.jsonl
//       incidents              12
//       ...
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "cli/store_open.h"
#include "common/error_context.h"
#include "store/sql/transfer.h"

namespace loom {
namespace {

struct TransferFlags {
  std::string config;
  std::string data_dir;
  std::string file;  // export: --output ("" or "-": standard output); import: the file ("-": stdin)
  bool json = false;
};

struct ConfiguredDatabase {
  StoreDatabase where;
  std::string description;  // the SQLite file, or "PostgreSQL ($VAR)"
};

ConfiguredDatabase DatabaseOf(const Config& config) {
  ConfiguredDatabase out;
  out.description = StoreDescription(config);
  if (config.store.kind == "postgres") {
    out.where.postgres_url = config.store.url;
  } else {
    out.where.sqlite_path = StorePath(config);
  }
  return out;
}

Result<std::unique_ptr<sql::Connection>> Open(const ConfiguredDatabase& db, CliContext& ctx) {
  Result<std::unique_ptr<sql::Connection>> conn = OpenStoreDatabase(db.where, ctx.clock.Now());
  if (!conn.ok()) {
    return WithContext("cannot open store '" + db.description + "'", std::move(conn).error());
  }
  return conn;
}

void PrintCounts(const std::vector<sql::TableCount>& counts, const std::string& headline, bool json,
                 std::ostream& out) {
  if (json) {
    nlohmann::json tables = nlohmann::json::object();
    for (const sql::TableCount& c : counts) tables[c.table] = c.rows;
    out << nlohmann::json{{"tables", tables}}.dump() << "\n";
  } else {
    int64_t rows = 0;
    for (const sql::TableCount& c : counts) rows += c.rows;
    out << headline << ": " << counts.size() << " tables, " << rows << " rows\n";
    for (const sql::TableCount& c : counts) {
      out << "  " << std::left << std::setw(24) << c.table << c.rows << "\n";
    }
  }
  out.flush();
}

int RunExport(const TransferFlags& flags, CliContext& ctx) {
  Result<Config> config = StoreCommandConfig(flags.config, flags.data_dir, ctx);
  if (!config.ok()) return ReportError(ctx, config.error());
  const ConfiguredDatabase db = DatabaseOf(*config);
  std::error_code ec;
  if (!db.where.sqlite_path.empty() &&
      !std::filesystem::is_regular_file(db.where.sqlite_path, ec)) {
    return ReportError(ctx, Error::NotFound("no database at '" + db.where.sqlite_path +
                                            "' (pass --config FILE or --data-dir DIR)"));
  }
  Result<std::unique_ptr<sql::Connection>> conn = Open(db, ctx);
  if (!conn.ok()) return ReportError(ctx, conn.error());

  const bool to_stdout = flags.file.empty() || flags.file == "-";
  std::ofstream file;
  if (!to_stdout) {
    file.open(flags.file, std::ios::binary | std::ios::trunc);
    if (!file) return ReportError(ctx, Error::Invalid("cannot write '" + flags.file + "'"));
  }
  std::ostream& out = to_stdout ? ctx.out : file;
  Result<std::vector<sql::TableCount>> counts = sql::ExportTables(**conn, out, ctx.clock.Now());
  if (!counts.ok()) {
    if (!to_stdout) {
      file.close();
      std::filesystem::remove(flags.file, ec);  // never leave half a file that looks like one
    }
    return ReportError(ctx, counts.error());
  }
  // With the export on standard output, the summary goes to standard error.
  PrintCounts(*counts, "export from " + db.description + (to_stdout ? "" : " to " + flags.file),
              flags.json && !to_stdout, to_stdout ? ctx.err : ctx.out);
  return 0;
}

int RunImport(const TransferFlags& flags, CliContext& ctx) {
  Result<Config> config = StoreCommandConfig(flags.config, flags.data_dir, ctx);
  if (!config.ok()) return ReportError(ctx, config.error());
  const ConfiguredDatabase db = DatabaseOf(*config);
  std::ifstream file;
  if (flags.file != "-") {
    file.open(flags.file, std::ios::binary);
    if (!file) return ReportError(ctx, Error::NotFound("cannot read '" + flags.file + "'"));
  }
  // Never beside a running server on the same SQLite file (server/data_dir_lock.h); creates the
  // directory when it is missing.
  Result<DataDirLock> lock = LockStoreDirectory(*config);
  if (!lock.ok()) return ReportError(ctx, lock.error());
  Result<std::unique_ptr<sql::Connection>> conn = Open(db, ctx);
  if (!conn.ok()) return ReportError(ctx, conn.error());
  std::istream& in = flags.file == "-" ? std::cin : file;
  Result<std::vector<sql::TableCount>> counts = sql::ImportTables(**conn, in);
  if (!counts.ok()) {
    const Error& e = counts.error();
    return ReportError(ctx,
                       {e.code, "nothing imported into " + db.description + ": " + e.message, {}});
  }
  PrintCounts(*counts, "import into " + db.description, flags.json, ctx.out);
  if (!flags.json) {
    ctx.out << "next: loom-oncall audit verify" << (flags.config.empty() ? "" : " --config ")
            << flags.config << "\n";
    ctx.out.flush();
  }
  return 0;
}

void AddStoreFlags(CLI::App* command, TransferFlags& flags) {
  command->add_option("--config", flags.config,
                      "The configuration file (default $LOOM_ONCALL_CONFIG); its store is used");
  command->add_option("--data-dir", flags.data_dir,
                      "The data directory of the SQLite store (default ./data)");
  command->add_flag("--json", flags.json, "Print the rows of each table as JSON");
}

}  // namespace

void RegisterTransferCommands(CLI::App& app, CliContext& ctx, CommandAction* action) {
  auto export_flags = std::make_shared<TransferFlags>();
  CLI::App* exp = app.add_subcommand(
      "export", "Write every table of the store to a file (to move to another store)");
  AddStoreFlags(exp, *export_flags);
  exp->add_option("--output,-o", export_flags->file,
                  "The file to write (default: standard output)");
  exp->callback([export_flags, &ctx, action] {
    *action = [export_flags, &ctx] { return RunExport(*export_flags, ctx); };
  });

  auto import_flags = std::make_shared<TransferFlags>();
  CLI::App* imp = app.add_subcommand(
      "import", "Load a file written by `export` into the store, which must be empty");
  AddStoreFlags(imp, *import_flags);
  imp->add_option("file", import_flags->file, "The export file ('-': standard input)")->required();
  imp->callback([import_flags, &ctx, action] {
    *action = [import_flags, &ctx] { return RunImport(*import_flags, ctx); };
  });
}

}  // namespace loom
