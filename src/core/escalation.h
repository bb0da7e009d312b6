// The escalation policy of the runbook ("On-Call Rotation" and "Escalation timing targets") as a
// pure plan: which roles are paged or notified, and how long after the previous step.
//
//   Sev1/Sev2: step 0 at once — page primary, notify escalation manager;
//              step 1 one ack target later — page secondary;
//              step 2 one ack target later — page escalation manager;
//              then step 2 repeats `repeat` more times, one ack target apart.
//   Sev3:      step 0 — ticket to primary; step 1 after the ack target (business hours) —
//              ticket to secondary. No pages.
//   Sev4:      step 0 — ticket to primary (async, 1 business day). No escalation.
//   Security incidents (any severity) also page the security lead in step 0.
// Each step's delay counts from when the previous step fired. A step whose roles have nobody on
// call is skipped at once: the next step is due immediately (never waited out). Acknowledgement
// stops the plan; the engine re-checks the incident when each step fires.
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
  Duration delay{};  // after the previous step fired; counted per `basis`
  std::vector<EscalationTarget> targets;
};

struct EscalationPlan {
  TimeBasis basis = TimeBasis::kWall;
  std::vector<EscalationStep> steps;
};

EscalationPlan PlanEscalation(const SeverityRule& rule, IncidentKind kind, int repeat);

class OnCallResolver;
class BusinessCalendar;

struct Notification {
  int step = 0;
  OnCallRole role;
  ContactKind kind;
  std::string user;
};

struct StepDecision {
  bool stop = false;  // the incident no longer escalates (acked, resolved)
  std::string stop_reason;
  std::vector<Notification> notifications;
  std::vector<OnCallRole> skipped;  // roles with nobody on call
  std::optional<int> next_step;     // nullopt: the plan is exhausted
  std::optional<TimePoint> next_due;
};

// What firing step `step` of `plan` for `incident` at `now` does. Pure: the caller persists the
// notifications and the next deadline in one transaction. `calendar` counts business-hours
// delays; when null, business time falls back to wall time.
StepDecision DecideEscalationStep(const Incident& incident, const EscalationPlan& plan, int step,
                                  const OnCallResolver& resolver, const BusinessCalendar* calendar,
                                  TimePoint now);

}  // namespace loom
