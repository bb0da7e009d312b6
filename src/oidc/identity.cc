#include "oidc/identity.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace loom::oidc {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Grants `role` into `*have` when it is more privileged.
void Raise(Role role, Role* have) {
  if (RoleAllows(role, *have)) *have = role;
}

}  // namespace

std::vector<std::string> ClaimStrings(const nlohmann::json& claims, std::string_view name) {
  std::vector<std::string> out;
  auto it = claims.find(std::string(name));
  if (it == claims.end()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

Result<std::string> MatchUser(const nlohmann::json& claims, std::string_view claim_user,
                              const std::map<std::string, User>& users) {
  auto it = claims.find(std::string(claim_user));
  if (it == claims.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Error::PermissionDenied("the identity provider sent no " + std::string(claim_user) +
                                   " claim to match a user by");
  }
  const std::string value = it->get<std::string>();
  if (claim_user == "email") {
    auto verified = claims.find("email_verified");
    if (verified != claims.end() && verified->is_boolean() && !verified->get<bool>()) {
      return Error::PermissionDenied("the identity provider has not verified the e-mail address " +
                                     value);
    }
  }
  std::set<std::string> matched;
  for (const auto& [id, user] : users) {
    bool match = id == value || (!user.email.empty() && EqualsIgnoreCase(user.email, value));
    for (const ContactMethod& m : user.contact_methods) {
      match = match || (m.type == "email" && EqualsIgnoreCase(m.address, value));
    }
    if (match) matched.insert(id);
  }
  if (matched.empty()) {
    return Error::PermissionDenied("no user of this loom-oncall matches " +
                                   std::string(claim_user) + " " + value);
  }
  if (matched.size() > 1) {
    return Error::PermissionDenied(std::string(claim_user) + " " + value +
                                   " matches several users; ask an administrator to fix the "
                                   "users' addresses");
  }
  return *matched.begin();
}

Grants GrantsForGroups(const std::vector<std::string>& groups,
                       const std::vector<OidcGroupRole>& rules) {
  Grants grants;
  for (const OidcGroupRole& rule : rules) {
    if (std::find(groups.begin(), groups.end(), rule.group) == groups.end()) continue;
    if (rule.team.empty()) {
      Raise(rule.role, &grants.role);
    } else {
      auto [team, inserted] = grants.team_roles.try_emplace(rule.team, rule.role);
      if (!inserted) Raise(rule.role, &team->second);
    }
  }
  return grants;
}

}  // namespace loom::oidc
