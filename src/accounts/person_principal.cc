#include "accounts/person_principal.h"

namespace loom {

Principal PersonPrincipal(const PersonFacts& facts) {
  Principal p;
  p.name = facts.user_id;
  p.user = facts.user_id;
  p.role = facts.role.value_or(Role::kResponder);
  return p;
}

Principal BoundTokenPrincipal(const std::string& token_name, Role token_role,
                              const PersonFacts& facts) {
  Principal p = PersonPrincipal(facts);
  // Roles are ordered most privileged first (core/service.h): the larger value is the narrower.
  if (static_cast<int>(token_role) > static_cast<int>(p.role)) p.role = token_role;
  p.name = token_name;
  return p;
}

}  // namespace loom
