// The live part of `check incident-response --server URL`: PASS/WARN/ERROR findings from the
// server's GET /v1/reports/compliance answer (docs/drills.md):
//   ack times      WARN when a severity's share within its ack target is under 90 %
//   update cadence WARN when a severity's share of intervals within the cadence is under 90 %
//   drills         ERROR with no drill in 60 days; WARN with none in 30 days or when they do not
//                  alternate scenarios
//   coverage       WARN for each role with a gap in the next 14 days
//   follow-ups, reviews  WARN when overdue / unpublished, or when the server cannot tell yet
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/evidence_check.h"

namespace loom {

std::vector<EvidenceFinding> LiveComplianceFindings(const nlohmann::json& report);

// 42 → "42s", 90 → "1m30s", 7200 → "2h".
std::string ShortDuration(double seconds);

}  // namespace loom
