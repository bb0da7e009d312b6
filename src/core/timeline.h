// The incident timeline: append-only, hash-chained per incident.
//
// Event k of an incident stores prev_hash = hash of event k-1 ("" for the first) and
// hash = TimelineHash(event). Editing, deleting or reordering any stored event breaks the chain
// at that event, which `loom-oncall audit verify` reports.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"

namespace loom {

struct TimelineEvent {
  int64_t incident_number = 0;
  int64_t seq = 0;  // 1, 2, 3... within the incident
  TimePoint at{};
  std::string type;       // "incident.triggered", "alert.triggered", "incident.acknowledged", ...
  std::string actor;      // "integration:<service>", "user:<id>", "token:<name>", "system"
  std::string data_json;  // a JSON object with the event's details
  std::string prev_hash;
  std::string hash;
};

// SHA-256 (hex) over a canonical encoding of every field except `hash`.
std::string TimelineHash(const TimelineEvent& e);

}  // namespace loom
