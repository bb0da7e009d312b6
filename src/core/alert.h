// An alert (one dedup key of one service, grouped into an incident), its filter and page for
// listing, and a change event (a deploy or config change recorded against a service).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/severity.h"

namespace loom {

struct Alert {
  int64_t id = 0;
  int64_t incident_number = 0;
  std::string service_id;
  std::string dedup_key;
  std::string fingerprint;
  std::string status;  // "firing", "acknowledged", "resolved"
  std::string summary;
  std::string source;
  std::string raw_severity;
  Severity severity = Severity::kSev2;
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> resolved_at;
  std::string details_json;
};

struct ChangeEvent {
  int64_t id = 0;
  std::string service_id;
  std::string summary;
  std::string source;
  std::optional<TimePoint> occurred_at;
  TimePoint received_at{};
  std::string details_json;  // custom_details and links, as received
};

struct AlertFilter {
  int64_t incident_number = 0;  // 0 = any
  std::string service_id;
  std::string status;  // empty = any
  int limit = 50;
  int64_t before_id = 0;
  // Oldest first instead: the alerts after `after_id` (0: from the first).
  bool oldest_first = false;
  int64_t after_id = 0;
};

struct AlertPage {
  std::vector<Alert> alerts;  // newest first (oldest first with AlertFilter::oldest_first)
  std::optional<int64_t> next_cursor;
};

}  // namespace loom
