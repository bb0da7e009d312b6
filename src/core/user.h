// A person who can be on call: identity, time zone, contact methods and notification rules (used
// by delivery, src/engine/delivery and src/notify).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/service.h"
#include "core/severity.h"

namespace loom {

struct ContactMethod {
  std::string id;          // unique per user, e.g. "mail", "hook"
  std::string type;        // a channel type (notify/channels.h)
  std::string address;     // e-mail address, or the URL (from `url` or `url_env`)
  std::string secret_env;  // environment variable holding the method's secret; never the secret
  // Resolved at load time, never stored or logged: the webhook signing secrets ("whsec_..."),
  // newest first (several during a rotation: each one signs).
  std::vector<std::string> secrets;
  // The URL came from an environment variable (`url_env`): it is a secret too (Slack webhook
  // URLs are), so it is shown as "(from $VAR)" and never stored.
  bool address_is_secret = false;
  std::string url_env;  // the variable named by `url_env` ("" when the address is in the file)
};

// One step of a notification rule: notify through contact method `method` (an id of the user's
// contact_methods) `after` the page was created.
struct NotificationRule {
  std::string method;
  Duration after{};
};

// Urgency of a notification: Sev1/Sev2 incidents are high, Sev3/Sev4 low.
enum class Urgency { kHigh, kLow };

struct User {
  std::string id;  // [a-z0-9][a-z0-9._-]{0,62}
  std::string name;
  std::string email;
  std::string time_zone = "UTC";
  // `role:` — the global role of the person when they sign in (accounts/person_principal.h);
  // nullopt: not given.
  std::optional<Role> role;
  std::vector<ContactMethod> contact_methods;
  // `notification_rules: {high: [...], low: [...]}`. An empty list means: every contact method,
  // at once, in the order they are listed.
  std::vector<NotificationRule> high_rules;
  std::vector<NotificationRule> low_rules;
};

Urgency UrgencyOf(Severity severity);
const char* UrgencyName(Urgency urgency);  // "high", "low"

// The user's contact method `id`, or nullptr.
const ContactMethod* FindContactMethod(const User& user, const std::string& id);

// The rules that apply at `urgency`: the configured ones, or every contact method at once.
std::vector<NotificationRule> RulesFor(const User& user, Urgency urgency);

// The rule after the one for `method` (tried when `method` is dead-lettered), or nullptr.
const NotificationRule* NextRuleAfter(const std::vector<NotificationRule>& rules,
                                      const std::string& method);

}  // namespace loom
