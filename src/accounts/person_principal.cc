#include "accounts/person_principal.h"

namespace loom {
namespace {

// The narrower of two roles (roles are ordered most privileged first, core/service.h).
Role Narrower(Role a, Role b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

}  // namespace

Principal PersonPrincipal(const PersonFacts& facts, const TeamDirectory& teams) {
  Principal p;
  p.name = facts.user_id;
  p.user = facts.user_id;
  p.role = facts.role.value_or(teams.DefaultPersonRole());
  p.team_roles = teams.RolesOf(facts.user_id);
  return p;
}

Principal BoundTokenPrincipal(const std::string& token_name, Role token_role,
                              const PersonFacts& facts, const TeamDirectory& teams) {
  Principal p = PersonPrincipal(facts, teams);
  p.role = Narrower(p.role, token_role);
  for (auto& [team, role] : p.team_roles) role = Narrower(role, token_role);
  p.name = token_name;
  return p;
}

}  // namespace loom
