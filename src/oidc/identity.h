// Who a verified ID token names, in loom-oncall's terms: the configured user its `claim_user`
// claim matches, and the global and per-team roles its `claim_groups` claim maps to through
// `auth.oidc.group_roles` (docs/authentication.md "Single sign-on").
//
// Matching a user: the claim's value is compared with every user's `email` and the address of
// every e-mail contact method (both case-insensitively), and with the user id (exactly). It must
// match exactly one user. With claim_user "email", an `email_verified: false` claim refuses.
//
// Roles: a person starts as a viewer; each group_roles entry whose group is in the claim grants
// its role — globally when it names no team, else in that team — and the most privileged grant
// wins.
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "core/service.h"
#include "core/user.h"

namespace loom::oidc {

// The string values of claim `name`: a string is one value, a list its string members; absent or
// another type: none.
std::vector<std::string> ClaimStrings(const nlohmann::json& claims, std::string_view name);

// The id of the user `claims` names through `claim_user`. kPermissionDenied (the page's reason)
// when the claim is missing, unverified, matches nobody or several users.
Result<std::string> MatchUser(const nlohmann::json& claims, std::string_view claim_user,
                              const std::map<std::string, User>& users);

struct Grants {
  Role role = Role::kViewer;                            // global
  std::map<std::string, Role, std::less<>> team_roles;  // team id → role
};
Grants GrantsForGroups(const std::vector<std::string>& groups,
                       const std::vector<OidcGroupRole>& rules);

}  // namespace loom::oidc
