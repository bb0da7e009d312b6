// Opens the store the configuration names (`store.kind`): the SQLite file (its directory created)
// or the PostgreSQL database behind `store.url_env`. Used by `serve` and `migrate`.
#pragma once

#include <memory>
#include <string>

#include "cli/cli_context.h"
#include "common/result.h"
#include "config/config.h"
#include "store/store.h"

namespace loom {

struct OpenedStore {
  std::unique_ptr<Store> store;
  // For messages and logs: the SQLite file, or "PostgreSQL ($VAR)" — never the URL itself.
  std::string description;
};

// Creates `dir` (and parents) owner-only when it does not exist yet: it holds the database and,
// in demo mode, the demo secrets.
Status EnsureDirectory(const std::string& dir);

// The SQLite file of `config`: store.path, or <data_dir>/loom-oncall.db.
std::string StorePath(const Config& config);

// Opens (and migrates) the configured store; the error names the store.
Result<OpenedStore> OpenConfiguredStore(const Config& config, CliContext& ctx);

}  // namespace loom
