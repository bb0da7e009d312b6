// `auth.oidc:` — single sign-on with an OpenID Connect provider (docs/configuration.md,
// docs/authentication.md "Single sign-on"). The `auth:` section's other keys are
// auth_section.cc's; it calls ParseOidc for `oidc`.

#include <algorithm>

#include "config/config_sections.h"
#include "notify/outbound_policy.h"

namespace loom::config {
namespace {

// The issuer must be https, except on this host (a provider for development and tests).
std::string IssuerProblem(const std::string& issuer) {
  const bool https = issuer.starts_with("https://");
  if (!https && !issuer.starts_with("http://")) return "must be an https:// URL";
  const std::string host = UrlHost(issuer);
  if (host.empty()) return "must be an https:// URL with a host";
  if (issuer.find_first_of("?#") != std::string::npos) return "must have no query or fragment";
  if (!https) {
    auto address = IpAddress::Parse(host);
    const bool loopback = host == "localhost" || (address && IsLoopbackAddress(*address));
    if (!loopback) return "must be an https:// URL (http:// only for a provider on this host)";
  }
  return "";
}

// A group's grant: `team` (optional) must be a configured team; `role` viewer, responder or admin
// (owner is given only by users[].role).
void ParseGroupRole(YamlWalker& w, const DefinedNames& names, const YAML::Node& node,
                    const std::string& path, OidcGroupRole* out) {
  auto m = w.Mapping(node, path, {"group", "team", "role"});
  if (!m) return;
  w.RequiredString(*m, node, path, "group", &out->group);
  ParseTeamRef(w, names, Find(*m, "team"), Join(path, "team"), &out->team);
  std::string role;
  if (w.RequiredString(*m, node, path, "role", &role)) {
    if (!ParseRole(role, &out->role) || out->role == Role::kCalendar || out->role == Role::kOwner) {
      w.Report(Find(*m, "role")->value, Join(path, "role"),
               "'" + role + "' is not a role (viewer, responder, admin)");
    }
  }
}

}  // namespace

void ParseOidc(YamlWalker& w, const Entry& section, const std::string& path,
               const DefinedNames& names, std::optional<OidcConfig>* out) {
  if (section.value.IsNull()) return;  // `oidc:` with nothing: off
  auto m = w.Mapping(section.value, path,
                     {"issuer", "client_id", "client_secret_env", "scopes", "claim_user",
                      "claim_groups", "group_roles", "name"});
  if (!m) return;
  OidcConfig& c = out->emplace();
  if (w.RequiredString(*m, section.value, path, "issuer", &c.issuer)) {
    if (std::string why = IssuerProblem(c.issuer); !why.empty()) {
      w.Report(Find(*m, "issuer")->value, Join(path, "issuer"), why);
    }
  }
  w.RequiredString(*m, section.value, path, "client_id", &c.client_id);
  if (const Entry* e = Find(*m, "client_secret_env")) {
    w.EnvValue(e, Join(path, "client_secret_env"), &c.client_secret_env, &c.client_secret);
  } else {
    w.Report(section.value, Join(path, "client_secret_env"),
             "is required (the environment variable holding the client secret)");
  }
  if (const Entry* e = Find(*m, "scopes")) {
    c.scopes.clear();
    w.ForEachItem(*e, Join(path, "scopes"), "scope names",
                  [&](const YAML::Node& item, const std::string& item_path) {
                    if (!item.IsScalar() || item.Scalar().empty() ||
                        item.Scalar().find_first_of(" \t\r\n\"") != std::string::npos) {
                      w.Report(item, item_path, "must be a scope name (openid, email, ...)");
                      return;
                    }
                    c.scopes.push_back(item.Scalar());
                  });
    if (std::find(c.scopes.begin(), c.scopes.end(), "openid") == c.scopes.end()) {
      w.Report(e->value, Join(path, "scopes"), "must include openid");
    }
  }
  if (const Entry* e = Find(*m, "claim_user");
      w.String(e, Join(path, "claim_user"), &c.claim_user)) {
    if (c.claim_user.empty()) w.Report(e->value, Join(path, "claim_user"), "must not be empty");
  }
  w.String(Find(*m, "claim_groups"), Join(path, "claim_groups"), &c.claim_groups);
  if (const Entry* e = Find(*m, "group_roles")) {
    w.ParseItems(*e, Join(path, "group_roles"), "{group, team, role} mappings", &c.group_roles,
                 [&](const YAML::Node& node, const std::string& item_path, OidcGroupRole* item) {
                   ParseGroupRole(w, names, node, item_path, item);
                 });
    if (!c.group_roles.empty() && c.claim_groups.empty()) {
      w.Report(e->key, Join(path, "group_roles"),
               "needs claim_groups (the claim that lists the person's groups)");
    }
  }
  w.String(Find(*m, "name"), Join(path, "name"), &c.name);
}

}  // namespace loom::config
