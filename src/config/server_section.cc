// `server:`, `store:` and `log:` (docs/configuration.md).

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {

void ParseServer(YamlWalker& w, const Entry& section, ServerConfig* out) {
  auto m = w.Mapping(section.value, "server",
                     {"listen", "data_dir", "public_url", "tls_cert", "tls_key", "threads"});
  if (!m) return;
  if (const Entry* e = Find(*m, "listen"); e != nullptr && e->value.IsSequence()) {
    // An unquoted [::1]:8080 is a YAML list.
    w.Report(e->value, "server.listen", "must be a string; quote IPv6 addresses: \"[::1]:8080\"");
  } else if (w.String(e, "server.listen", &out->listen)) {
    if (std::string why = ListenProblem(out->listen); !why.empty()) {
      w.Report(e->value, "server.listen", why);
    }
  }
  if (const Entry* e = Find(*m, "data_dir"); w.String(e, "server.data_dir", &out->data_dir)) {
    if (out->data_dir.empty()) w.Report(e->value, "server.data_dir", "must not be empty");
  }
  if (const Entry* e = Find(*m, "public_url"); w.String(e, "server.public_url", &out->public_url)) {
    if (!out->public_url.starts_with("http://") && !out->public_url.starts_with("https://")) {
      w.Report(e->value, "server.public_url", "must start with http:// or https://");
    }
    while (out->public_url.size() > 8 && out->public_url.back() == '/') out->public_url.pop_back();
  }
  const Entry* cert = Find(*m, "tls_cert");
  const Entry* key = Find(*m, "tls_key");
  w.String(cert, "server.tls_cert", &out->tls_cert);
  w.String(key, "server.tls_key", &out->tls_key);
  if (!out->tls_cert.empty() && out->tls_key.empty()) {
    w.Report(cert->value, "server.tls_cert",
             "tls_cert is set but tls_key is not (set both or neither)");
  } else if (out->tls_cert.empty() && !out->tls_key.empty()) {
    w.Report(key->value, "server.tls_key",
             "tls_key is set but tls_cert is not (set both or neither)");
  }
  w.Int(Find(*m, "threads"), "server.threads", 0, 256, &out->threads);
}

void ParseStore(YamlWalker& w, const Entry& section, StoreConfig* out) {
  auto m = w.Mapping(section.value, "store", {"kind", "path", "url_env"});
  if (!m) return;
  const Entry* kind = Find(*m, "kind");
  if (w.String(kind, "store.kind", &out->kind)) {
    if (out->kind != "sqlite" && out->kind != "postgres") {
      w.Report(kind->value, "store.kind",
               "'" + out->kind + "' is not a store kind (sqlite, postgres)");
      out->kind = "sqlite";
    }
  }
  const Entry* path = Find(*m, "path");
  const Entry* url_env = Find(*m, "url_env");
  w.String(path, "store.path", &out->path);
  w.String(url_env, "store.url_env", &out->url_env);
  if (out->kind == "postgres") {
    if (!out->path.empty()) w.Report(path->key, "store.path", "applies only to kind: sqlite");
    if (out->url_env.empty()) {
      w.Report(kind->value, "store.url_env",
               "is required for kind: postgres (the environment variable holding the URL)");
    } else if (!IsEnvName(out->url_env)) {
      w.Report(url_env->value, "store.url_env",
               "'" + out->url_env + "' is not an environment variable name");
    } else if (const char* v = w.Env(out->url_env); v == nullptr || *v == '\0') {
      w.Report(url_env->value, "store.url_env",
               "environment variable " + out->url_env + " is not set");
    } else {
      out->url = v;
    }
  } else if (!out->url_env.empty()) {
    w.Report(url_env->key, "store.url_env", "applies only to kind: postgres");
  }
}

void ParseLog(YamlWalker& w, const Entry& section, LogOptions* out) {
  auto m = w.Mapping(section.value, "log", {"level"});
  if (!m) return;
  const Entry* level = Find(*m, "level");
  if (w.String(level, "log.level", &out->level)) {
    const auto& l = out->level;
    if (l != "trace" && l != "debug" && l != "info" && l != "warn" && l != "error") {
      w.Report(level->value, "log.level",
               "'" + l + "' is not a log level (trace, debug, info, warn, error)");
      out->level = "info";
    }
  }
}

}  // namespace loom::config
