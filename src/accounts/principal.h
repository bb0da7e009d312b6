// Principal: who is acting — a token (for machines and scripts), a token bound to a user, or a
// person signed in to the console. Every recorded actor (timeline, audit log, reports, follow-ups,
// drills, status updates, commander) is Principal::actor(). http/auth.h names it http::Principal.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/service.h"

namespace loom {

struct Principal {
  std::string name;           // the token's name ("admin" for the bootstrap token), or a user id
  Role role = Role::kViewer;  // the role on everything (a token's role; a person's global role)
  // The user this principal acts as (a person, or a token bound to a user); "" for a token that
  // is bound to nobody.
  std::string user{};
  // The user's role in each of their teams (team id → role), beside the global `role`.
  std::map<std::string, Role, std::less<>> team_roles{};
  // The actor recorded in timelines, the audit log and reports: "user:<id>" when the principal
  // acts as a user, else "token:<name>".
  std::string actor() const { return user.empty() ? "token:" + name : "user:" + user; }
};

}  // namespace loom
