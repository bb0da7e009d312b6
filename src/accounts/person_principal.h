// The principal of a person: the ONE place that decides what a user may do when they act (signed
// in to the console, or through a token bound to them). Teams and roles replace this body with
// their rule (team roles beside the global role); every caller goes through here.
#pragma once

#include <optional>
#include <string>

#include "accounts/principal.h"
#include "core/service.h"

namespace loom {

// What is known about a person when they act.
struct PersonFacts {
  std::string user_id;
  // `users[].role` from the configuration, or the role given when the user was created through
  // the API; nullopt when none was given.
  std::optional<Role> role;
};

// name = user = the user id; role = `facts.role`, else responder (every person responds unless
// told otherwise); no team roles yet.
Principal PersonPrincipal(const PersonFacts& facts);

// The principal of a token bound to user `user_id`: it acts as that user (actor "user:<id>"),
// with the token's own role when that is narrower than the person's (a viewer token of an admin
// only reads), else the person's.
Principal BoundTokenPrincipal(const std::string& token_name, Role token_role,
                              const PersonFacts& facts);

}  // namespace loom
