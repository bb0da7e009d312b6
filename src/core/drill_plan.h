// What starting and finishing a drill write (docs/drills.md), as plans the drill service
// (engine/drill_service.h) computes and the store applies in ONE transaction each
// (Store::StartDrill, Store::FinishDrill): either every effect is committed or none is.
//
// Pure: value types, pure functions, and the two hooks the store calls inside the transaction.
// Thread safety: value types and pure functions; the hooks run on the store's writer thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/alert_event.h"
#include "core/deadline.h"
#include "core/followup.h"
#include "core/incident.h"
#include "core/severity.h"
#include "core/timeline.h"

namespace loom {

// A drill to start, as the caller asked for it (checked: a drill scenario, a known service, a
// configured commander).
struct DrillStart {
  IncidentKind scenario = IncidentKind::kAvailability;  // availability or security
  std::string service;
  std::string title;  // "" = "<severity> <scenario> tabletop drill"; else already capped
  Severity severity = Severity::kSev1;
  std::string commander;                  // "" = none named
  std::vector<std::string> participants;  // recorded as one timeline note
  std::string actor;
};

// Store::StartDrill applies, in this order: the ingest that opens the drill incident (its first
// page fires in the same transaction), the commander, the participants note, then the next
// drill_due deadline replacing the pending one.
struct DrillStartPlan {
  IngestRequest ingest;
  std::string commander;          // "" = none
  std::string participants_note;  // "" = none
  std::string actor;
  // The next drill_due deadline, given the drill as opened (its start is the incident's
  // created_at). An error rolls the whole start back. Runs inside the transaction: must be
  // quick and must not call the Store.
  std::function<Result<Deadline>(const Incident& opened)> next_due;
};

// The note that records a drill's participants at its start: "Drill participants: A, B".
inline constexpr char kDrillParticipantsNote[] = "Drill participants: ";

// The start plan of `start` (the hook `next_due` left for the caller to set). `dedup_key` is the
// drill alert's key (random: one incident per drill).
DrillStartPlan PlanDrillStart(const DrillStart& start, std::string dedup_key);

// Participants named at the start (the participants note on the timeline), then the ones named
// at the finish, without repeats.
std::vector<std::string> DrillParticipants(const std::vector<TimelineEvent>& timeline,
                                           const std::vector<std::string>& at_finish);

// Store::FinishDrill applies, in this order: whoever finishes becomes commander when none was
// named (a Sev1/2 needs one to be resolved), the resolve (note "drill finished") when the drill
// is still open, `write_notes` with the drill as resolved and its whole timeline, the close
// (note "drill notes: <path>"), then the follow-ups. kNotFound when the incident is not a drill,
// kConflict when it is closed.
struct DrillFinishPlan {
  int64_t number = 0;
  std::string actor;
  // Writes the drill's notes and answers where (the path the close's note names); an error rolls
  // the whole finish back, so the drill stays as it was and finishing it again retries. Runs on
  // the store's writer thread inside the transaction, before the commit: must be quick (a small
  // local file) and must not call the Store; a crash after it and before the commit leaves a
  // notes file for a drill that is not finished, which the retry overwrites.
  std::function<Result<std::string>(const Incident& resolved,
                                    const std::vector<TimelineEvent>& timeline)>
      write_notes;
  std::vector<Followup> followups;  // tracked ones: source "drill", its id
};

// What a finish committed.
struct DrillFinished {
  Incident drill;  // closed
  std::string notes_path;
  std::vector<Followup> followups;  // numbers set
};

}  // namespace loom
