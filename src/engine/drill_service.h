// DrillService: starts and finishes drills (docs/drills.md). Each is ONE store write
// (Store::StartDrill, Store::FinishDrill) whose effects commit in one transaction, planned here
// from core/drill.h and core/drill_plan.h; the notes of a finished drill go through a
// DrillNotesWriter inside the finish's transaction, so that a failed notes write leaves the drill
// as it was (open or resolved) and finishing it again retries. The HTTP handlers only parse the
// request and render the answer.
//
// Thread safety: Start and Finish block until the store's write is done: call them from a worker
// thread (never an I/O thread, never the store's writer thread); they may run concurrently.
// REQUIRES: the Store, the Clock and the DrillNotesWriter outlive the service.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/drill.h"
#include "core/drill_notes.h"
#include "core/drill_plan.h"
#include "engine/drill_notes_writer.h"
#include "store/store.h"

namespace loom {

// A drill to finish, as the caller asked for it.
struct DrillFinish {
  int64_t number = 0;
  std::string name;  // how the caller named the drill ("INC-7", "7"), for the errors
  std::string actor;
  std::vector<std::string> what_worked;
  std::vector<std::string> gaps;
  std::vector<std::string> participants;
  std::vector<DrillFollowUp> followups;  // each valid (ValidateFollowUp)
};

// What a finish did, for the answer.
struct DrillFinishOutcome {
  Incident drill;  // closed
  std::string notes_path;
  std::vector<std::string> tracked;    // the tracked follow-ups' ids, in the request's order
  std::vector<std::string> untracked;  // titles of the follow-ups kept in the notes only
};

class DrillService {
 public:
  // `anchor`: when the drill schedule started (StartDrillSchedule). `is_user` tells whether an
  // owner is a configured user (their follow-ups are tracked; others stay in the notes only).
  DrillService(Store& store, const Clock& clock, DrillSettings settings, TimePoint anchor,
               DrillNotesWriter& notes, std::function<bool(const std::string&)> is_user);

  // Opens the drill incident with its commander and participants note, and replaces the pending
  // drill_due deadline with the next drill's (one interval after this one): all or nothing.
  // kInvalidArgument (pointer /service) for an unknown service. Answers the drill as opened.
  Result<Incident> Start(const DrillStart& start);

  // Resolves the drill (whoever finishes becomes commander when none was named), writes its
  // notes, closes it with a note naming the file and creates the follow-ups whose owner is a
  // configured user and whose due date parses: all or nothing. kNotFound "no drill <name>" when
  // it is not a drill, kConflict when it is already closed, kInternal when the notes cannot be
  // written (nothing else changed then).
  Result<DrillFinishOutcome> Finish(const DrillFinish& finish);

 private:
  Store& store_;
  const Clock& clock_;
  const DrillSettings settings_;
  const TimePoint anchor_;
  DrillNotesWriter& notes_;
  const std::function<bool(const std::string&)> is_user_;
};

}  // namespace loom
