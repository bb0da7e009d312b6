// The principal of a person: the ONE place that decides what a user may do when they act (signed
// in to the console with a password or single sign-on, or through a token bound to them): their
// global role and their role in each of their teams (core/authorization.h decides with both).
#pragma once

#include <optional>
#include <string>

#include "accounts/principal.h"
#include "core/service.h"
#include "core/team.h"

namespace loom {

// What is known about a person when they act.
struct PersonFacts {
  std::string user_id;
  // `users[].role` from the configuration, or the role given when the user was created through
  // the API; nullopt when none was given.
  std::optional<Role> role;
};

// name = user = the user id; role = `facts.role`, else teams.DefaultPersonRole() (responder
// without teams, viewer with teams); team_roles = the person's roles in `teams`
// (TeamDirectory::RolesOf). `teams` is the current on-call snapshot's directory.
Principal PersonPrincipal(const PersonFacts& facts, const TeamDirectory& teams);

// The principal of a token bound to user `user_id`: it acts as that user (actor "user:<id>"),
// with the token's own role as a ceiling on the person's roles: the global role is the narrower
// of the token's and the person's (a viewer token of an admin only reads), and so is each team
// role (a viewer token of a team's responder only reads there too).
Principal BoundTokenPrincipal(const std::string& token_name, Role token_role,
                              const PersonFacts& facts, const TeamDirectory& teams);

}  // namespace loom
