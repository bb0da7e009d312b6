// `auth:` — how people sign in to the console (docs/authentication.md, docs/configuration.md
// "auth"): `local` (sign-in with a password), `session: {idle, absolute}` (expiry), `reset_ttl`
// (how long a password reset link works) and `oidc` (single sign-on), which is handed to its own
// parser below.

#include <yaml-cpp/yaml.h>

#include "config/config_sections.h"

namespace loom::config {
namespace {

void ParseSession(YamlWalker& w, const Entry& e, AuthSessionConfig* out) {
  if (e.value.IsNull()) return;
  auto m = w.Mapping(e.value, "auth.session", {"idle", "absolute"});
  if (!m) return;
  w.DurationValue(Find(*m, "idle"), "auth.session.idle", false, &out->idle);
  w.DurationValue(Find(*m, "absolute"), "auth.session.absolute", false, &out->absolute);
  if (out->idle > out->absolute) {
    w.Report(e.value, "auth.session.idle", "must not be longer than auth.session.absolute");
  }
}

}  // namespace

void ParseAuth(YamlWalker& w, const Entry& section, const DefinedNames& names, AuthConfig* out) {
  if (section.value.IsNull()) return;
  auto m = w.Mapping(section.value, "auth", {"local", "session", "reset_ttl", "oidc"});
  if (!m) return;
  w.Bool(Find(*m, "local"), "auth.local", &out->local);
  if (const Entry* session = Find(*m, "session")) ParseSession(w, *session, &out->session);
  w.DurationValue(Find(*m, "reset_ttl"), "auth.reset_ttl", false, &out->reset_ttl);
  if (const Entry* oidc = Find(*m, "oidc")) ParseOidc(w, *oidc, "auth.oidc", names, &out->oidc);
}

}  // namespace loom::config
