// The runbook's Security Incident Playbook as data and rules (pure domain, no I/O):
//   1. preserve evidence      → the evidence locker (EvidenceArtifact: SHA-256, size, who, when)
//   2. rotate credentials     → one checklist item per configured credential
//   3. reduce exposure        → "tighten allowlists", "disable risky ingress/egress paths"
//   4. verify integrity       → persistence probe and federation trust state items
//   5. document               → the security report (timeline, indicators, containment,
//                               residual risk)
// A security incident may be resolved or closed only when every checklist item is done and the
// report is complete (CheckSecurityCloseGate); the store applies that rule inside the command's
// transaction.
//
// Thread safety: value types and stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace loom {

// `security:` in the configuration.
struct SecurityPlaybookConfig {
  // Credentials to revoke/rotate (runbook step 2); each becomes the item "rotate-<slug>".
  std::vector<std::string> rotate = {"LOOM_ADMIN_TOKEN", "node signing keys", "SMTP credentials",
                                     "database credentials"};
};

struct ChecklistItemSpec {
  std::string id;  // stable within the incident: "rotate-loom-admin-token", "tighten-allowlists"
  std::string text;
};

// The checklist a new security incident gets: the rotation items in configured order, then the
// exposure and integrity items.
std::vector<ChecklistItemSpec> SecurityChecklistTemplate(const SecurityPlaybookConfig& config);

// "LOOM_ADMIN_TOKEN" → "loom-admin-token": lower case, runs of other characters become one '-'.
std::string ChecklistSlug(std::string_view text);

// Validates `rotate`: 1..32 names, each 1..200 characters, no two with the same slug. Problems
// are appended as {"security.rotate[i]", reason} (the caller adds its line numbers).
std::vector<std::pair<std::string, std::string>> ValidateSecurityConfig(
    const SecurityPlaybookConfig& config);

struct ChecklistItem {
  std::string id;
  std::string text;
  std::string owner;  // "" = nobody yet
  std::optional<TimePoint> done_at;
  std::string done_by;  // the actor who marked it done
  std::string note;
  bool done() const { return done_at.has_value(); }
};

// One change to one item: each field that is set is applied.
struct ChecklistChange {
  std::optional<std::string> owner;
  std::optional<bool> done;
  std::optional<std::string> note;
};

// Applies `change` by `actor` at `now`. Marking a done item done again keeps its first done_at
// and done_by; marking it not done clears both. kInvalidArgument when the change is empty.
Status ApplyChecklistChange(ChecklistItem& item, const ChecklistChange& change,
                            const std::string& actor, TimePoint now);

// Runbook step 5. Every field is required (non-blank).
struct SecurityReport {
  std::string timeline, indicators, containment, residual_risk;
  int64_t revision = 0;  // 1 for the first version, +1 on each replacement
  std::string updated_by;
  TimePoint updated_at{};
};

// Field errors ({"/timeline", "is required"}, ...) for each missing or blank field, in the order
// timeline, indicators, containment, residual_risk; also for a field over kMaxReportFieldBytes.
inline constexpr size_t kMaxReportFieldBytes = 64 * 1024;
std::vector<FieldError> ValidateSecurityReport(const SecurityReport& report);

// The playbook state of one security incident.
struct SecurityPlaybookState {
  std::vector<ChecklistItem> checklist;
  std::optional<SecurityReport> report;

  int64_t done_count() const;
  std::vector<std::string> open_items() const;  // ids of the items not done, in order
};

// OK when `state` allows resolving or closing a security incident; otherwise kConflict naming
// the open checklist items and/or the missing report, e.g. "INC-4 cannot be resolved: the
// security checklist has open items (rotate-loom-admin-token, verify-persistence) and the
// security report is missing".
Status CheckSecurityCloseGate(const std::string& incident_id, const char* verb,
                              const SecurityPlaybookState& state);

// ---- the evidence locker ----

inline constexpr size_t kMaxEvidenceBytes = 10 * 1024 * 1024;

struct EvidenceArtifact {
  int64_t id = 0;  // unique in the store
  int64_t incident_number = 0;
  std::string kind;  // "upload" or "reference"
  std::string name;
  std::string media_type;  // uploads; "" for references
  std::string uri;         // references: where the artifact lives ...
  std::string request_id;  // ... or the request id it is about
  std::string note;
  std::string sha256;  // hex SHA-256 of the content
  int64_t size = 0;    // bytes of the content
  std::string actor;
  TimePoint at{};
};

// The bytes a reference stands for in the locker: the URI, or the request id (so its SHA-256
// pins exactly what was recorded).
std::string ReferenceContent(const EvidenceArtifact& artifact);

}  // namespace loom
