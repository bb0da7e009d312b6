// Opens the store the configuration names (`store.kind`): the SQLite file (its directory created)
// or the PostgreSQL database behind `store.url_env`. Used by `serve` and the commands that work on
// the store directly.
#pragma once

#include <memory>
#include <string>

#include "cli/cli_context.h"
#include "common/result.h"
#include "config/config.h"
#include "server/data_dir_lock.h"
#include "store/store.h"

namespace loom {

struct OpenedStore {
  std::unique_ptr<Store> store;
  // For messages and logs: the SQLite file, or "PostgreSQL ($VAR)" — never the URL itself.
  std::string description;
};

// Creates `dir` (and parents) owner-only when it does not exist yet: it holds the database and,
// in demo mode, the demo secrets. `created` (when given) tells whether this call created it.
Status EnsureDirectory(const std::string& dir, bool* created = nullptr);

// The SQLite file of `config`: store.path, or <data_dir>/loom-oncall.db.
std::string StorePath(const Config& config);

// How messages name the configured store: the SQLite file, or "PostgreSQL ($VAR)" — never the
// URL itself.
std::string StoreDescription(const Config& config);

// The directory of the SQLite file (created when missing), locked for this process
// (server/data_dir_lock.h): serve, migrate and import hold it while they run. With PostgreSQL, a
// lock that holds nothing.
Result<DataDirLock> LockStoreDirectory(const Config& config);

// What the store is opened for: serving (on PostgreSQL it joins the instances and may lead
// them), or a tool that reads or migrates and exits (it never leads).
enum class StoreUse { kServe, kTool };

// Opens (and migrates) the configured store; the error names the store.
Result<OpenedStore> OpenConfiguredStore(const Config& config, StoreUse use, CliContext& ctx);

// The configuration of a command that works on the store directly (migrate, export, import,
// audit verify): the file `config_flag` names, else $LOOM_ONCALL_CONFIG, else the defaults (the
// SQLite store under ./data); `data_dir_flag` replaces server.data_dir when not empty.
Result<Config> StoreCommandConfig(const std::string& config_flag, const std::string& data_dir_flag,
                                  CliContext& ctx);

}  // namespace loom
