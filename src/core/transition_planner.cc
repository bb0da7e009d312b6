#include "core/transition_planner.h"

#include "common/json_writer.h"
#include "common/time_format.h"

namespace loom {

TransitionPlanner::TransitionPlanner(const Incident& incident, int64_t last_seq, TimePoint now)
    : last_seq_(last_seq), now_(now) {
  plan_.incident = incident;
}

void TransitionPlanner::Event(const char* type, const std::string& actor, std::string data_json) {
  plan_.events.push_back({type, actor, std::move(data_json)});
}

void TransitionPlanner::StartEscalation(const std::string& assignee) {
  const int64_t arm = last_seq_ + static_cast<int64_t>(plan_.events.size()) + 1;
  JsonObjectWriter payload;
  payload.Add("arm", arm).Add("step", int64_t{0});
  if (!assignee.empty()) payload.Add("assignee", assignee);
  plan_.deadlines.push_back(
      {0, plan_.incident.number, DeadlineKind::kEscalate, now_, payload.Finish()});
}

void TransitionPlanner::StartCadence(TimePoint last_update_at,
                                     std::optional<TimePoint> promised_next_at) {
  plan_.cancel_cadence = true;
  JsonObjectWriter payload;
  payload.Add("last_update_at", ToUnixMicros(last_update_at));
  if (promised_next_at) payload.Add("promised_next_at", ToUnixMicros(*promised_next_at));
  plan_.deadlines.push_back(
      {0, plan_.incident.number, DeadlineKind::kCadence, now_, payload.Finish()});
}

}  // namespace loom
