// YAML configuration loader (the reference is docs/configuration.md): the top level of the file.
// Each section has its parser in its own file (config/config_sections.h), all over the shared
// walker (config/yaml_walker.h); this file checks the top-level keys, calls the sections in the
// order their references need, reads the admin token from the environment and derives the
// defaults that depend on several keys. The demo configuration is in demo_config.cc.
//
// yaml-cpp throws; ParseConfig and LoadConfig catch at the edge.

#include "config/config.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "config/config_sections.h"
#include "config/value_checks.h"
#include "config/yaml_walker.h"

namespace loom {
namespace {

using config::Entries;
using config::Entry;
using config::Find;
using config::kAdminTokenEnv;

// Sections of later features: accepted, kept as YAML text, not validated yet.
constexpr std::string_view kDeferredSections[] = {"escalation"};

// The sections of one document, in the order their references need.
void ParseSections(config::YamlWalker& w, const Entries& m, Config* out) {
  // admin_token gets its own message: a secret that only ever comes from the environment.
  if (const Entry* e = Find(m, "admin_token")) {
    w.Report(e->key, "admin_token",
             "not allowed in the file: set the environment variable LOOM_ONCALL_ADMIN_TOKEN");
  }
  config::DefinedNames names;
  if (const Entry* e = Find(m, "server")) config::ParseServer(w, *e, &out->server);
  if (const Entry* e = Find(m, "store")) config::ParseStore(w, *e, &out->store);
  w.String(Find(m, "runbook"), "runbook", &out->runbook);
  // notify before users: an e-mail contact method needs notify.smtp.
  if (const Entry* e = Find(m, "notify")) config::ParseNotify(w, *e, &out->notify, &names);
  // Users before teams before schedules before services: each refers to the ones before it.
  if (const Entry* e = Find(m, "users")) config::ParseUsers(w, *e, &names, &out->users);
  if (const Entry* e = Find(m, "teams")) config::ParseTeams(w, *e, &names, &out->teams);
  if (const Entry* e = Find(m, "schedules")) {
    config::ParseSchedules(w, *e, &names, &out->schedules);
  }
  if (const Entry* e = Find(m, "services")) config::ParseServices(w, *e, names, &out->services);
  if (const Entry* e = Find(m, "log")) config::ParseLog(w, *e, &out->log);
  if (const Entry* e = Find(m, "policy")) config::ParsePolicy(w, *e, &out->policy);
  if (const Entry* e = Find(m, "security")) config::ParseSecurity(w, *e, &out->security);
  if (const Entry* e = Find(m, "drills")) config::ParseDrills(w, *e, &out->drills);
  if (const Entry* e = Find(m, "auth")) config::ParseAuth(w, *e, names, &out->auth);
  if (const Entry* e = Find(m, "maintenance")) {
    config::ParseMaintenance(w, *e, out->services, &out->maintenance);
  }
  for (std::string_view name : kDeferredSections) {
    if (const Entry* e = Find(m, name)) {
      out->deferred_sections[std::string(name)] = YAML::Dump(e->value);
    }
  }
}

Result<Config> ParseDocument(const std::string& text, const std::string& source,
                             const EnvLookup& env) {
  config::YamlWalker w(source, env);
  YAML::Node root;
  if (!w.Load(text, &root)) return w.TakeError();

  Config config;
  config.source = source;
  std::initializer_list<std::string_view> top = {
      "server", "store",  "runbook", "users",    "teams",  "schedules", "services",
      "log",    "policy", "notify",  "security", "drills", "auth",      "maintenance"};
  std::optional<Entries> m;
  if (root.IsDefined() && !root.IsNull()) {
    std::vector<std::string_view> also_allowed(std::begin(kDeferredSections),
                                               std::end(kDeferredSections));
    also_allowed.push_back("admin_token");  // refused with its own message
    m = w.Mapping(root, "", top, also_allowed);
  } else {
    m = Entries{};  // an empty file: every default
  }
  if (m) ParseSections(w, *m, &config);

  if (const char* token = w.Env(kAdminTokenEnv); token != nullptr && *token != '\0') {
    config.admin_token = token;
    if (config.admin_token.size() < config::kMinAdminTokenLength) {
      w.Report(0, kAdminTokenEnv,
               "environment variable is too short: at least 16 characters (it has " +
                   std::to_string(config.admin_token.size()) + ")");
    }
  }

  if (!w.ok()) return w.TakeError();

  // Defaults that depend on other keys.
  if (config.server.public_url.empty()) {
    config.server.public_url =
        (config.server.tls_cert.empty() ? "http://" : "https://") + config.server.listen;
  }
  // store.path stays empty unless set: the store then lives in server.data_dir, which a
  // command-line --data-dir may still change.
  return config;
}

}  // namespace

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& source_name,
                           const EnvLookup& env) {
  try {
    return ParseDocument(yaml_text, source_name, env);
  } catch (const std::exception& e) {
    return Error::Internal(source_name + ": reading the configuration failed: " + e.what());
  }
}

Result<Config> LoadConfig(const std::string& path, const EnvLookup& env) {
  if (path.empty()) return Error::Invalid("no configuration file given");
  // A directory opens like a file and reads as empty, which would mean "all defaults".
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error::Invalid("cannot read configuration file " + path +
                          ": it is a directory (pass the YAML file itself)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string msg = "cannot read configuration file " + path + ": " + std::strerror(err);
    return err == ENOENT ? Error::NotFound(std::move(msg)) : Error::Invalid(std::move(msg));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::Invalid("cannot read configuration file " + path);

  return ParseConfig(text.str(), path, env);
}

}  // namespace loom
