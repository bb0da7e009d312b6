// Builds a TransitionPlan (core/incident_transition.h) step by step, the way every transition
// records what it does: events in order, escalation arms named by the seq that follows the events
// so far, cadence plans. Used by the transition deciders in core, not by the store.
//
// Thread safety: one thread per planner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "core/incident_transition.h"

namespace loom {

class TransitionPlanner {
 public:
  // `last_seq`: the seq of the incident's last timeline event (0 for a new incident).
  TransitionPlanner(const Incident& incident, int64_t last_seq, TimePoint now);

  Incident& incident() { return plan_.incident; }
  TransitionPlan& plan() { return plan_; }
  TransitionPlan Take() { return std::move(plan_); }

  // Appends a timeline event (at the decision's time).
  void Event(const char* type, const std::string& actor, std::string data_json);

  // Arms the escalation from step 0, due now. The arm names this run of the escalation in outbox
  // keys: the seq after the events so far, unique per incident because every arming follows a
  // new timeline event. `assignee`: step 0 pages that user (reassign).
  void StartEscalation(const std::string& assignee = "");

  // Plans the status-update cadence again from `last_update_at` (the engine's "cadence" deadline
  // computes the reminder and the due time, core/cadence.h), replacing the pending one.
  void StartCadence(TimePoint last_update_at, std::optional<TimePoint> promised_next_at);

 private:
  TransitionPlan plan_;
  int64_t last_seq_;
  TimePoint now_;
};

}  // namespace loom
