// The severity policy: for each of sev1..sev4, the definition, the initial-acknowledgement target,
// the status-update cadence and whether it pages — read from the runbook's own "Severity Matrix"
// table and "Escalation timing targets" list, then overridden by configuration. Every value
// remembers where it came from ("docs/INCIDENT-RESPONSE-ONCALL.md:20", "config", "default").
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "core/runbook.h"
#include "core/severity.h"

namespace loom {

// How a target is counted: wall-clock time, or time inside the service's business hours.
enum class TimeBasis { kWall, kBusinessHours, kBusinessDays };
const char* TimeBasisName(TimeBasis b);

struct PolicyDuration {
  Duration amount{};  // for kBusinessDays: days * 24h
  TimeBasis basis = TimeBasis::kWall;
  bool async = false;  // "Daily/async": no live cadence, a daily digest
  std::string text;    // as written
};

// "5 minutes", "1 business hour", "1 business day", "Every 15 minutes", "Every 4 hours",
// "Daily/async", "2 days", "30 min". Anything else is an error quoting the text.
Result<PolicyDuration> ParsePolicyDuration(std::string_view text);

struct SeverityRule {
  Severity severity = Severity::kSev2;
  std::string definition;
  PolicyDuration ack_target;
  PolicyDuration update_cadence;
  bool page = false;  // page at once (sev1/sev2) vs ticket / async
  std::string definition_source, ack_source, cadence_source, page_source;
};

struct SeverityPolicy {
  std::string runbook;  // the runbook it was read from (a path, or "built-in ...")
  std::array<SeverityRule, 4> rules;
  int repeat = 2;  // how often the last escalation step repeats
  std::string repeat_source = "default";

  const SeverityRule& For(Severity s) const { return rules[static_cast<int>(s) - 1]; }
  SeverityRule& For(Severity s) { return rules[static_cast<int>(s) - 1]; }
};

// Reads the Severity Matrix (columns Severity, Definition, Initial Ack, Update Cadence — matched
// by header name, in any order) and the escalation-timing list items ("Sev 1: page immediately,
// ack within 5 minutes."). `file` names the runbook in sources and errors. Fails naming the
// cell (file:line) when a value cannot be parsed or a severity is missing.
Result<SeverityPolicy> SeverityPolicyFromRunbook(const RunbookDocument& doc,
                                                 const std::string& file);

// Configuration's overrides of one severity; unset values keep the runbook's. Each `*_source`
// says where the override was written ("config loom-oncall.yaml:31").
struct SeverityOverride {
  std::optional<std::string> definition;
  std::optional<PolicyDuration> ack_target;
  std::optional<PolicyDuration> update_cadence;
  std::optional<bool> page;
  std::string definition_source, ack_source, cadence_source, page_source;
};

struct PolicyOverrides {
  std::array<SeverityOverride, 4> severities;  // index = severity - 1
  std::optional<int> repeat;
  std::string repeat_source;

  const SeverityOverride& For(Severity s) const { return severities[static_cast<int>(s) - 1]; }
  SeverityOverride& For(Severity s) { return severities[static_cast<int>(s) - 1]; }
};

// Replaces each value `overrides` sets and its source (an override without a source is
// recorded as "config"). Pure.
void ApplyPolicyOverrides(SeverityPolicy& policy, const PolicyOverrides& overrides);

// The whole start-up path: Markdown text → RunbookDocument → SeverityPolicy → overrides. `file`
// names the runbook in sources and errors ("docs/INCIDENT-RESPONSE-ONCALL.md",
// "built-in INCIDENT-RESPONSE-ONCALL.md"). Fails naming the cell, as SeverityPolicyFromRunbook.
Result<SeverityPolicy> BuildSeverityPolicy(std::string_view markdown, const std::string& file,
                                           const PolicyOverrides& overrides);

}  // namespace loom
