#include "core/escalation.h"

#include "core/oncall.h"
#include "core/schedule.h"

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
      plan.steps.push_back({2 + i, ack, {{OnCallRole::kEscalationManager, ContactKind::kPage}}});
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

StepDecision DecideEscalationStep(const Incident& incident, const EscalationPlan& plan, int step,
                                  const OnCallResolver& resolver, const BusinessCalendar* calendar,
                                  TimePoint now) {
  StepDecision d;
  if (incident.state != IncidentState::kTriggered) {
    d.stop = true;
    d.stop_reason = std::string("incident is ") + IncidentStateName(incident.state);
    return d;
  }
  if (step < 0 || step >= static_cast<int>(plan.steps.size())) {
    d.stop = true;
    d.stop_reason = "escalation plan exhausted";
    return d;
  }
  bool anyone = false;
  for (const auto& target : plan.steps[static_cast<size_t>(step)].targets) {
    std::optional<std::string> user = resolver.HolderAt(incident.service_id, target.role, now);
    if (!user) {
      d.skipped.push_back(target.role);
      continue;
    }
    // Informational notices do not count as someone who can acknowledge.
    if (target.kind != ContactKind::kNotify) anyone = true;
    d.notifications.push_back({step, target.role, target.kind, *user});
  }
  if (step + 1 < static_cast<int>(plan.steps.size())) {
    d.next_step = step + 1;
    Duration delay = anyone ? plan.steps[static_cast<size_t>(step + 1)].delay : Duration{};
    if (calendar != nullptr && plan.basis != TimeBasis::kWall) {
      d.next_due = calendar->AddBusinessTime(now, delay);
    } else {
      d.next_due = now + delay;
    }
  }
  return d;
}

}  // namespace loom
