#include "core/escalation.h"

namespace loom {

const char* OnCallRoleName(OnCallRole r) {
  switch (r) {
    case OnCallRole::kPrimary: return "primary";
    case OnCallRole::kSecondary: return "secondary";
    case OnCallRole::kEscalationManager: return "escalation_manager";
    case OnCallRole::kSecurityLead: return "security_lead";
  }
  return "primary";
}

std::optional<OnCallRole> ParseOnCallRole(std::string_view text) {
  for (OnCallRole r : kAllRoles) {
    if (text == OnCallRoleName(r)) return r;
  }
  return std::nullopt;
}

const char* ContactKindName(ContactKind k) {
  switch (k) {
    case ContactKind::kPage: return "page";
    case ContactKind::kNotify: return "notify";
    case ContactKind::kTicket: return "ticket";
  }
  return "page";
}

EscalationPlan PlanEscalation(const SeverityRule& rule, IncidentKind kind, int repeat) {
  EscalationPlan plan;
  const Duration ack = rule.ack_target.amount;
  const bool security = kind == IncidentKind::kSecurity;
  EscalationStep first{0, Duration{}, {}};

  if (rule.page) {
    plan.basis = TimeBasis::kWall;
    first.targets = {{OnCallRole::kPrimary, ContactKind::kPage},
                     {OnCallRole::kEscalationManager, ContactKind::kNotify}};
    if (security) first.targets.push_back({OnCallRole::kSecurityLead, ContactKind::kPage});
    plan.steps.push_back(first);
    plan.steps.push_back({1, ack, {{OnCallRole::kSecondary, ContactKind::kPage}}});
    for (int i = 0; i <= repeat; ++i) {
      plan.steps.push_back(
          {2 + i, ack * (2 + i), {{OnCallRole::kEscalationManager, ContactKind::kPage}}});
    }
    return plan;
  }

  plan.basis = rule.ack_target.basis;
  first.targets = {{OnCallRole::kPrimary, ContactKind::kTicket}};
  if (security) first.targets.push_back({OnCallRole::kSecurityLead, ContactKind::kPage});
  plan.steps.push_back(first);
  if (!rule.update_cadence.async) {
    plan.steps.push_back({1, ack, {{OnCallRole::kSecondary, ContactKind::kTicket}}});
  }
  return plan;
}

}  // namespace loom
