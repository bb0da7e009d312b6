// `users:` — the people who can be on call, with their contact methods (channels_section.cc)
// and notification rules (docs/configuration.md "users[]").

#include "config/config_sections.h"
#include "config/value_checks.h"

namespace loom::config {
namespace {

void ParseNotificationRules(YamlWalker& w, const Entry& e, const std::string& path,
                            const std::set<std::string>& method_ids, User* out) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    w.Report(
        e.value, path,
        "must be a mapping of urgency to rules, e.g. { high: [ { method: mail, after: 0m } ] }");
    return;
  }
  auto m = w.Mapping(e.value, path, {"high", "low"});
  if (!m) return;
  for (const auto& [key, list] : *m) {
    // A named copy: lambdas cannot capture structured bindings before C++20's P1091 everywhere.
    const std::string urgency = key;
    std::vector<NotificationRule>* rules = urgency == "high" ? &out->high_rules : &out->low_rules;
    std::map<std::string, int> seen;  // method → line
    w.ForEachItem(
        list, Join(path, urgency), "rules { method, after }",
        [&](const YAML::Node& node, const std::string& item_path) {
          auto r = w.Mapping(node, item_path, {"method", "after"});
          if (!r) return;
          NotificationRule rule;
          if (w.RequiredString(*r, node, item_path, "method", &rule.method)) {
            const Entry* method = Find(*r, "method");
            if (method_ids.count(rule.method) == 0) {
              w.Report(method->value, Join(item_path, "method"),
                       "unknown contact method '" + rule.method +
                           "' (not in this user's contact_methods)");
            } else if (auto [it, fresh] = seen.emplace(rule.method, LineOf(method->value));
                       !fresh) {
              w.Report(method->value, Join(item_path, "method"),
                       "contact method '" + rule.method + "' is already in " + urgency + " (line " +
                           std::to_string(it->second) + ")");
            }
          }
          w.DurationValue(Find(*r, "after"), Join(item_path, "after"), true, &rule.after);
          rules->push_back(std::move(rule));
        });
  }
}

void ParseUser(YamlWalker& w, DefinedNames* names, const YAML::Node& node, const std::string& path,
               UserConfig* out) {
  auto m = w.Mapping(
      node, path,
      {"id", "name", "email", "time_zone", "role", "contact_methods", "notification_rules"});
  if (!m) return;
  User& u = out->user;
  if (w.RequiredString(*m, node, path, "id", &u.id)) {
    w.ValidUniqueId(&names->users, u.id, IsValidUserId(u.id), kUserIdRule, Find(*m, "id")->value,
                    Join(path, "id"), "user");
  }
  if (!w.String(Find(*m, "name"), Join(path, "name"), &u.name) || u.name.empty()) u.name = u.id;
  if (const Entry* email = Find(*m, "email"); w.String(email, Join(path, "email"), &u.email)) {
    if (u.email.find('@') == std::string::npos) {
      w.Report(email->value, Join(path, "email"), "'" + u.email + "' is not an e-mail address");
    }
  }
  w.CheckedString(Find(*m, "time_zone"), Join(path, "time_zone"), &u.time_zone, CheckTimeZone);
  // The person's global role (accounts/person_principal.h; teams give more on their own
  // resources, core/authorization.h). Not given: the default of TeamDirectory::GlobalRoleOf.
  std::string role;
  if (const Entry* r = Find(*m, "role"); w.String(r, Join(path, "role"), &role)) {
    Role parsed = Role::kViewer;
    if (ParseRole(role, &parsed) && parsed != Role::kCalendar) {
      u.role = parsed;
    } else {
      w.Report(r->value, Join(path, "role"),
               "'" + role + "' is not a role of a person (owner, admin, responder or viewer)");
    }
  }
  std::set<std::string> method_ids;
  if (const Entry* methods = Find(*m, "contact_methods")) {
    ParseContactMethods(w, *methods, Join(path, "contact_methods"), *names, &u.contact_methods,
                        &method_ids);
  }
  if (const Entry* rules = Find(*m, "notification_rules")) {
    ParseNotificationRules(w, *rules, Join(path, "notification_rules"), method_ids, &u);
  }
}

}  // namespace

void ParseUsers(YamlWalker& w, const Entry& section, DefinedNames* names,
                std::vector<UserConfig>* out) {
  w.ParseItems(section, "users", "users (lines starting with '- id:')", out,
               [&](const YAML::Node& node, const std::string& path, UserConfig* user) {
                 ParseUser(w, names, node, path, user);
               });
}

}  // namespace loom::config
