// `teams:` — who is in which team with which role, and who may see the team's services and
// schedules (docs/configuration.md "teams[]", docs/authentication.md "Teams and roles"). The
// `team:` key of a service or schedule is read by its own section through TeamRef below.

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {
namespace {

// A team role: admin, responder or viewer (owner is a global role, users[].role).
bool ParseTeamRole(const std::string& text, Role* out) {
  if (text != "admin" && text != "responder" && text != "viewer") return false;
  return ParseRole(text, out);
}

void ParseMember(YamlWalker& w, const DefinedNames& names, std::map<std::string, int>* seen,
                 const YAML::Node& node, const std::string& path, TeamMember* out) {
  auto m = w.Mapping(node, path, {"user", "role"});
  if (!m) return;
  if (w.RequiredString(*m, node, path, "user", &out->user)) {
    const YAML::Node& at = Find(*m, "user")->value;
    if (names.users.count(out->user) == 0) {
      w.Report(at, Join(path, "user"), "unknown user '" + out->user + "' (not in users:)");
    } else {
      w.UniqueId(seen, out->user, at, Join(path, "user"), "member");
    }
  }
  std::string role;
  if (w.RequiredString(*m, node, path, "role", &role) && !ParseTeamRole(role, &out->role)) {
    w.Report(Find(*m, "role")->value, Join(path, "role"),
             "'" + role + "' is not a team role (admin, responder or viewer)");
  }
}

void ParseTeam(YamlWalker& w, DefinedNames* names, const YAML::Node& node, const std::string& path,
               Team* out) {
  auto m = w.Mapping(node, path, {"id", "name", "visibility", "members"});
  if (!m) return;
  if (w.RequiredString(*m, node, path, "id", &out->id)) {
    w.ValidUniqueId(&names->teams, out->id, IsValidServiceId(out->id), kServiceIdRule,
                    Find(*m, "id")->value, Join(path, "id"), "team");
  }
  if (!w.String(Find(*m, "name"), Join(path, "name"), &out->name) || out->name.empty()) {
    out->name = out->id;
  }
  std::string visibility;
  if (const Entry* v = Find(*m, "visibility"); w.String(v, Join(path, "visibility"), &visibility)) {
    if (visibility != "all" && visibility != "team") {
      w.Report(v->value, Join(path, "visibility"),
               "'" + visibility + "' is not a visibility (all or team)");
    }
    out->hidden = visibility == "team";
  }
  if (const Entry* members = Find(*m, "members")) {
    std::map<std::string, int> seen;
    w.ParseItems(*members, Join(path, "members"), "members { user, role }", &out->members,
                 [&](const YAML::Node& n, const std::string& p, TeamMember* member) {
                   ParseMember(w, *names, &seen, n, p, member);
                 });
  }
}

}  // namespace

void ParseTeams(YamlWalker& w, const Entry& section, DefinedNames* names, std::vector<Team>* out) {
  w.ParseItems(section, "teams", "teams (lines starting with '- id:')", out,
               [&](const YAML::Node& node, const std::string& path, Team* team) {
                 ParseTeam(w, names, node, path, team);
               });
}

void ParseTeamRef(YamlWalker& w, const DefinedNames& names, const Entry* e, const std::string& path,
                  std::string* out) {
  if (!w.String(e, path, out)) return;
  if (names.teams.count(*out) == 0) {
    w.Report(e->value, path, "unknown team '" + *out + "' (not in teams:)");
  }
}

}  // namespace loom::config
