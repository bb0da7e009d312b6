// Severities sev1..sev4 (the runbook's Severity Matrix) and the mapping from a sender's severity
// words (PagerDuty `critical|error|warning|info`, Alertmanager `severity` label) to them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace loom {

enum class Severity { kSev1 = 1, kSev2 = 2, kSev3 = 3, kSev4 = 4 };

// "sev1".."sev4"
const char* SeverityName(Severity s);
// Accepts "sev1".."sev4" (case-insensitive); nullopt otherwise.
std::optional<Severity> ParseSeverity(std::string_view text);
// Sev1 and Sev2 are high urgency (paged); Sev3 and Sev4 low (ticket / async).
inline bool IsHighUrgency(Severity s) { return s == Severity::kSev1 || s == Severity::kSev2; }
// The more severe of the two (sev1 < sev2 numerically).
inline Severity MoreSevere(Severity a, Severity b) {
  return static_cast<int>(a) <= static_cast<int>(b) ? a : b;
}

// Per-service mapping from a sender's severity word to a Severity.
// Default: critical→sev1, error→sev2, warning→sev3, info→sev4.
struct SeverityMapping {
  std::map<std::string, Severity, std::less<>> by_word = {
      {"critical", Severity::kSev1},
      {"error", Severity::kSev2},
      {"warning", Severity::kSev3},
      {"info", Severity::kSev4},
  };
  // Used when the sender gives no severity word or one not in the map.
  Severity fallback = Severity::kSev2;

  // `word` is matched case-insensitively; `override_text` (a `loom_severity` label or
  // custom_details.loom_severity), when it parses as sev1..sev4, wins.
  Severity Map(std::string_view word, std::string_view override_text = {}) const;
};

}  // namespace loom
