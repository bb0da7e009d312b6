// The drill-due deadline (DeadlineKind::kDrillDue, core/deadline.h): the next drill of the drill
// program (core/drill.h) was due and no drill started since (starting one replaces the deadline).
// Firing notifies the escalation manager on call for the drills service (outbox kind
// "drill_overdue", no incident) and plans the next reminder one drill interval later.
//
// Thread safety: a pure function.
#pragma once

#include <vector>

#include "core/drill.h"
#include "core/roster.h"
#include "store/store.h"

namespace loom {

inline constexpr char kDrillOverdueKind[] = "drill_overdue";

// Every drill incident in the store, newest first (pages through IncidentStore::ListIncidents).
Result<std::vector<Incident>> ListDrillIncidents(IncidentStore& store);
std::vector<DrillRecord> DrillRecordsOf(const std::vector<Incident>& drills);

// The drill_due deadline of `next` (Store::ScheduleDrillDue).
Deadline DrillDueDeadline(const NextDrill& next, const DrillSettings& settings);

// Plans the next drill from the stored drills and replaces the pending drill_due deadline with
// it. Blocks until the write is done: for start-up code and worker threads, never an I/O thread.
Result<NextDrill> RescheduleDrillDue(Store& store, const DrillSettings& settings, TimePoint anchor,
                                     TimePoint now);

// Start-up: when the drill schedule started (the store's "drills.anchor" setting, created with
// `now` on the first run), after planning the next drill_due deadline from the stored drills.
Result<TimePoint> StartDrillSchedule(const DrillSettings& settings, Store& store, TimePoint now);

// payload: {"scenario":"availability","service":"loom","every":"1 month","due":us}
DeadlineEffects DecideDrillDue(const Deadline& deadline, TimePoint now,
                               const OnCallSnapshot& oncall);

}  // namespace loom
