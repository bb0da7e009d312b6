#include "cli/store_open.h"

#include <filesystem>
#include <utility>

namespace loom {

Status EnsureDirectory(const std::string& dir, bool* created) {
  if (created != nullptr) *created = false;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return OkStatus();
  // True only for the one process whose mkdir made it, should two race.
  const bool made = std::filesystem::create_directories(dir, ec);
  if (created != nullptr) *created = made && !ec;
  if (ec) return Error::Internal("cannot create data directory '" + dir + "': " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return OkStatus();
}

std::string StorePath(const Config& config) {
  if (!config.store.path.empty()) return config.store.path;
  return (std::filesystem::path(config.server.data_dir) / "loom-oncall.db").string();
}

std::string StoreDescription(const Config& config) {
  if (config.store.kind == "postgres") return "PostgreSQL ($" + config.store.url_env + ")";
  return StorePath(config);
}

Result<DataDirLock> LockStoreDirectory(const Config& config) {
  if (config.store.kind == "postgres") return DataDirLock();
  std::filesystem::path dir = std::filesystem::path(StorePath(config)).parent_path();
  if (dir.empty()) dir = ".";
  Status made = EnsureDirectory(dir.string());
  if (!made.ok()) return std::move(made).error();
  return DataDirLock::Acquire(dir.string());
}

Result<Config> StoreCommandConfig(const std::string& config_flag, const std::string& data_dir_flag,
                                  CliContext& ctx) {
  Config config;
  const std::string path = !config_flag.empty() ? config_flag : ctx.Env("LOOM_ONCALL_CONFIG");
  if (!path.empty()) {
    Result<Config> loaded = ctx.load_config(path, ctx.env);
    if (!loaded.ok()) return std::move(loaded).error();
    config = std::move(loaded).value();
  }
  if (!data_dir_flag.empty()) config.server.data_dir = data_dir_flag;
  return config;
}

Result<OpenedStore> OpenConfiguredStore(const Config& config, StoreUse use, CliContext& ctx) {
  OpenedStore out;
  out.description = StoreDescription(config);
  Result<std::unique_ptr<Store>> opened = Error::Internal("no store");
  if (config.store.kind == "postgres") {
    PostgresOptions options;
    options.url = config.store.url;
    options.security = config.security;
    options.join_cluster = use == StoreUse::kServe;
    opened = ctx.open_postgres_store ? ctx.open_postgres_store(options, ctx.clock)
                                     : Error::Unavailable("PostgreSQL is not available here");
  } else {
    std::filesystem::path dir = std::filesystem::path(out.description).parent_path();
    if (!dir.empty()) {
      Status made = EnsureDirectory(dir.string());
      if (!made.ok()) return std::move(made).error();
    }
    SqliteOptions options;
    options.path = out.description;
    options.security = config.security;
    opened = ctx.open_sqlite_store(options, ctx.clock);
  }
  if (!opened.ok()) {
    const Error& e = opened.error();
    return Error{e.code, "cannot open store '" + out.description + "': " + e.message, {}};
  }
  out.store = std::move(opened).value();
  return out;
}

}  // namespace loom
