// A responder's command on one incident, as the API, the CLI and one-click links give it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "core/severity.h"

namespace loom {

// A responder's command on one incident.
struct IncidentCommand {
  enum class Type {
    kAcknowledge,
    kMitigate,
    kResolve,
    kClose,
    kSetCommander,
    kSetSeverity,
    kAddNote,
    kUnacknowledge,  // acknowledged → triggered: escalation starts again from step 0
    kStatusUpdate,   // a structured status update (runbook "Communications")
    kReassign,       // page `assignee` now; a triggered or acknowledged incident is triggered again
    kEscalate,       // a triggered incident's escalation moves to its next step now
  };
  Type type = Type::kAcknowledge;
  int64_t incident_number = 0;
  std::string actor;      // "token:<name>" or "user:<id>"; recorded in the timeline
  std::string commander;  // kSetCommander; kAcknowledge assigns `actor` when none is set
  Severity severity = Severity::kSev2;  // kSetSeverity
  std::string note;                     // kAddNote; optional comment on the other commands
  // kStatusUpdate: what the update says (the store needs at least one of impact/scope/mitigation;
  // the API requires all three and next_update_at), and when the next one will come (no later
  // than the severity's cadence allows).
  std::string impact, scope, mitigation;
  std::string assignee;  // kReassign: the user paged now (escalation continues from the secondary)
  std::optional<TimePoint> next_update_at;
  // kAcknowledge through a one-click link (src/notify/action_link.h), or kAcknowledge and
  // kEscalate from a provider's callback (an SMS reply, a call's key press): the channel it came
  // through ("email", "slack", "webhook", "sms", "voice"), recorded in the timeline, and the
  // single-use id of the link or callback: the command fails with kConflict kLinkAlreadyUsed when
  // that id was used before (checked first, and recorded in the command's transaction, so a
  // command that fails leaves the id unused).
  std::string via;
  std::string link_nonce;
};

// The message of the kConflict a reused one-click link gets (IncidentCommand::link_nonce), so
// that callers can tell it from a state conflict.
inline constexpr char kLinkAlreadyUsed[] = "this link was already used";

}  // namespace loom
