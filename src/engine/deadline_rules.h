// What each kind of deadline does when it fires (see Deadline in core/deadline.h), as a pure
// function of the incident as it is now, the severity policy and the on-call roster:
//
//   escalate        run one step of the runbook's escalation (core/escalation): outbox entries for
//                   who is on call, "escalation.role_skipped" for empty roles, the next step's
//                   deadline — nothing once the incident is no longer triggered. A service
//                   with no on-call roles configured gets one "escalation.unrouted" event.
//   cadence         plan the next status update (core/cadence): a reminder and a due deadline.
//   update_reminder remind the commander that the status update is due soon.
//   update_due      record the missed update; for paging severities notify the escalation
//                   manager; then plan the next one, one cadence later.
//
// Outbox keys are unique per (incident, escalation arm, step, channel, recipient), so firing a
// deadline twice never pages twice. An arm is one run of the escalation: the incident's first
// trigger, or a re-arm after a raised severity or an unacknowledge.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/deadline.h"
#include "core/incident.h"
#include "core/roster.h"
#include "core/severity_policy.h"

namespace loom {

// The outbox rows of one notification to one user: one per contact method of the user's rules
// for `urgency`, each due after its rule's delay, keyed "<key_prefix>/<user>/<method>" (a row
// whose unique key exists is left out by the store, so firing twice sends nothing twice). A user
// without any contact method gets one row that says so, so the notification is still on record.
// `body` is the message's payload; its "urgency" is set here.
void AddUserMessages(const std::string& key_prefix, const std::string& kind,
                     const std::string& role, int step, const std::string& user,
                     nlohmann::json body, Urgency urgency, const OnCallSnapshot& oncall,
                     TimePoint now, DeadlineEffects& out);
// The same, with the payload already serialised (its "urgency" included).
void AddUserMessagesWithPayload(const std::string& key_prefix, const std::string& kind,
                                const std::string& role, int step, const std::string& user,
                                std::string payload_json, Urgency urgency,
                                const OnCallSnapshot& oncall, TimePoint now, DeadlineEffects& out);

// Every deadline kind; a follow-up's (engine/followup_rules.h) needs no incident.
DeadlineEffects DecideDeadline(const Deadline& deadline, const std::optional<Incident>& incident,
                               TimePoint now, const SeverityPolicy& policy,
                               const OnCallSnapshot& oncall);

}  // namespace loom
