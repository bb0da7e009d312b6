#include "core/user.h"

namespace loom {

Urgency UrgencyOf(Severity severity) {
  return severity == Severity::kSev1 || severity == Severity::kSev2 ? Urgency::kHigh
                                                                    : Urgency::kLow;
}

const char* UrgencyName(Urgency urgency) { return urgency == Urgency::kHigh ? "high" : "low"; }

const ContactMethod* FindContactMethod(const User& user, const std::string& id) {
  for (const ContactMethod& m : user.contact_methods) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

std::vector<NotificationRule> RulesFor(const User& user, Urgency urgency) {
  const std::vector<NotificationRule>& rules =
      urgency == Urgency::kHigh ? user.high_rules : user.low_rules;
  if (!rules.empty()) return rules;
  std::vector<NotificationRule> every;
  for (const ContactMethod& m : user.contact_methods) every.push_back({m.id, Duration::zero()});
  return every;
}

const NotificationRule* NextRuleAfter(const std::vector<NotificationRule>& rules,
                                      const std::string& method) {
  for (size_t i = 0; i + 1 < rules.size(); ++i) {
    if (rules[i].method == method) return &rules[i + 1];
  }
  return nullptr;
}

}  // namespace loom
