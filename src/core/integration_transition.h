// What an integration's events do to an incident's lifecycle (runbook "Incident Lifecycle"),
// decided in one place next to the responders' commands (core/incident_transition.h):
//   open         a trigger without an open group opens a triggered incident and arms its
//                escalation at once.
//   acknowledge  an integration's acknowledgement of a triggered incident: acknowledged, the
//                escalation stopped, the cadence started (no commander is assigned).
//   group closed the last member alert resolved: the dedup group closes; with the service's
//                auto_resolve an open incident is resolved too (a security incident only when
//                its playbook gate allows; it stays open otherwise) and every deadline ends.
// Which alert joins which incident, and the member alerts' own statuses, are the store's
// bookkeeping of the integration's events; what the incident does is decided here.
//
// Thread safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
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

// Whether DecideGroupClosed reads the playbook fact for `incident`.
bool GroupCloseNeedsPlaybook(const Incident& incident, bool auto_resolve);

// The group's last alert resolved (`alerts_resolved` of them by this event). `auto_resolve`:
// the service's setting; `facts.playbook` as GroupCloseNeedsPlaybook asks.
TransitionPlan DecideGroupClosed(const Incident& incident, const std::string& actor,
                                 int64_t alerts_resolved, bool auto_resolve,
                                 const TransitionFacts& facts, TimePoint now);

}  // namespace loom
