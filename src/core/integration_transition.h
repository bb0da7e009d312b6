// What an integration's events do to an incident's lifecycle (runbook "Incident Lifecycle"),
// decided in one place next to the responders' commands (core/incident_transition.h):
//   open         a trigger without an open group opens a triggered incident and arms its
//                escalation at once.
//   acknowledge  an integration's acknowledgement of a triggered incident: acknowledged, the
//                escalation stopped, the cadence started (no commander is assigned).
//   member       what one alert update does to the member alert it names: a new member, a
//                resolved member firing again, a firing member heard of again, a resolve.
//   group closed the last member alert resolved: the dedup group closes; with the service's
//                auto_resolve an open incident is resolved too (a security incident only when
//                its playbook gate allows; it stays open otherwise) and every deadline ends.
// Which alert joins which incident (dedup key, services[].grouping) is the store's lookup; what
// the alerts and the incident do is decided here, and the store writes it.
//
// Thread safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "core/alert.h"
#include "core/alert_event.h"
#include "core/incident.h"
#include "core/incident_transition.h"

namespace loom {

// `opened` is the new incident as the integration describes it (number, service, title,
// severity, kind, dedup key, drill, created_at); it becomes triggered, with its
// "incident.triggered" event by `actor` and its escalation armed from step 0.
TransitionPlan DecideOpen(const Incident& opened, const std::string& actor, TimePoint now);

// Only a triggered incident takes an integration's acknowledgement: in any other state the plan
// is unchanged (`changed` false, nothing to write).
TransitionPlan DecideIntegrationAcknowledge(const Incident& incident, const std::string& actor,
                                            const TransitionFacts& facts, TimePoint now);

// What one keyed alert update (one with a fingerprint) does to its member alert, the incident's
// alert with that fingerprint (`member`: null when there is none):
enum class MemberChange {
  kNone,     // a resolve of an unknown or resolved alert; an acknowledgement (the incident's:
             // DecideIntegrationAcknowledge)
  kAdd,      // a trigger without a member: a new firing member ("alert.triggered")
  kRefire,   // a trigger of a resolved member: it fires again ("alert.triggered", "refire")
  kHeard,    // a trigger of a member still firing: the integration repeats the group; only
             // when it was last heard of changes
  kResolve,  // a resolve of a member not yet resolved: it resolves ("alert.resolved")
};
MemberChange DecideMemberChange(AlertAction action, const Alert* member);

// Whether the incident's dedup group closes (DecideGroupClosed) once this event's member
// changes are counted: none of its alerts fires any more (`firing_alert_count` <= 0).
bool GroupCloses(const Incident& incident);

// A resolve of the incident's own dedup key (an event that names no alert, as PagerDuty's):
// every member alert of `incident` resolves at once. Counts them out of `firing_alert_count` and
// returns how many resolved; GroupCloses is then true.
int64_t ResolveEveryMember(Incident& incident);

// Whether DecideGroupClosed reads the playbook fact for `incident`.
bool GroupCloseNeedsPlaybook(const Incident& incident, bool auto_resolve);

// The group's last alert resolved (`alerts_resolved` of them by this event). `auto_resolve`:
// the service's setting; `facts.playbook` as GroupCloseNeedsPlaybook asks.
TransitionPlan DecideGroupClosed(const Incident& incident, const std::string& actor,
                                 int64_t alerts_resolved, bool auto_resolve,
                                 const TransitionFacts& facts, TimePoint now);

}  // namespace loom
