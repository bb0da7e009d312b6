// The escalation policy of the runbook ("On-Call Rotation" and "Escalation timing targets") as a
// pure plan: which roles are paged or notified at which offset after an incident is (re)armed.
//
//   Sev1/Sev2: step 0 at once — page primary, notify escalation manager;
//              step 1 after one ack target — page secondary;
//              step 2 after two ack targets — page escalation manager;
//              then step 2 repeats `repeat` more times, one ack target apart.
//   Sev3:      step 0 — ticket to primary; step 1 after the ack target (business hours) —
//              ticket to secondary. No pages.
//   Sev4:      step 0 — ticket to primary (async, 1 business day). No escalation.
//   Security incidents (any severity) also page the security lead in step 0.
// Acknowledgement stops the plan; the engine re-checks state when each step fires.
#pragma once

#include <string>
#include <vector>

#include "core/incident.h"
#include "core/severity_policy.h"

namespace loom {

enum class OnCallRole { kPrimary, kSecondary, kEscalationManager, kSecurityLead };
const char* OnCallRoleName(OnCallRole r);
std::optional<OnCallRole> ParseOnCallRole(std::string_view text);
inline constexpr OnCallRole kAllRoles[] = {OnCallRole::kPrimary, OnCallRole::kSecondary,
                                           OnCallRole::kEscalationManager,
                                           OnCallRole::kSecurityLead};

// page: high urgency, wakes someone; notify: informational (high urgency channel rules do not
// apply); ticket: low urgency, handled in business hours.
enum class ContactKind { kPage, kNotify, kTicket };
const char* ContactKindName(ContactKind k);

struct EscalationTarget {
  OnCallRole role;
  ContactKind kind;
};

struct EscalationStep {
  int index = 0;
  Duration offset{};  // after the plan was armed; counted per `basis`
  std::vector<EscalationTarget> targets;
};

struct EscalationPlan {
  TimeBasis basis = TimeBasis::kWall;
  std::vector<EscalationStep> steps;
};

EscalationPlan PlanEscalation(const SeverityRule& rule, IncidentKind kind, int repeat);

}  // namespace loom
