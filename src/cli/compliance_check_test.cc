#include "cli/compliance_check.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace loom {
namespace {

std::vector<std::string> Lines(const std::vector<EvidenceFinding>& findings) {
  std::vector<std::string> out;
  for (const EvidenceFinding& f : findings) {
    out.push_back(std::string(EvidenceLevelName(f.level)) + "  " + f.message);
  }
  return out;
}

nlohmann::json Report() {
  return nlohmann::json::parse(R"({
    "window": {"days": 30}, "drills_excluded": 1,
    "ack": {"sev1": {"count": 4, "unacknowledged": 0, "median_seconds": 95.0,
                     "p90_seconds": 400.0, "share_within_target": 0.75, "target_seconds": 300},
            "sev3": {"count": 0, "unacknowledged": 0, "median_seconds": null,
                     "p90_seconds": null, "share_within_target": null, "target_seconds": null}},
    "update_cadence": {"sev1": {"cadence_seconds": 900, "intervals": 10, "within_cadence": 9,
                                "share_within_cadence": 0.9}},
    "drills": {"last_30_days": 0, "last_60_days": 2, "alternating": false,
               "next_due_at": "2026-12-01T09:00:00.000Z", "next_scenario": "security",
               "overdue": true},
    "coverage": {"until": "2026-12-11T09:00:00.000Z", "gaps": [
      {"service": "loom", "role": "security_lead", "from": "a", "to": "b", "reason": "nobody on call"},
      {"service": "loom", "role": "security_lead", "from": "c", "to": "d", "reason": "nobody on call"}]},
    "overdue_followups": null, "unpublished_reviews": 0,
    "unavailable": ["overdue_followups"]})");
}

TEST(LiveComplianceFindings, OneLinePerFigureWithTheThresholds) {
  EXPECT_EQ(Lines(LiveComplianceFindings(Report())),
            (std::vector<std::string>{
                "PASS  1 drill incident left out of the response figures",
                "WARN  sev1 acknowledgement: median 1m35s, p90 6m40s, 75 % within 5m (4 "
                "incidents in the last 30 days)",
                "PASS  sev3 acknowledgement: no acknowledged incidents in the last 30 days",
                "PASS  sev1 update cadence (every 15m): 90 % of 10 intervals had an update in "
                "time",
                "WARN  drills: 0 in the last 30 days, 2 in the last 60 days (runbook: at least "
                "one per month)",
                "WARN  drills of the last 60 days do not alternate security and availability",
                "WARN  next drill: security, due 2026-12-01T09:00:00.000Z (overdue)",
                "WARN  on-call coverage gap: loom security_lead, 2 intervals until "
                "2026-12-11T09:00:00.000Z, first a to b (nobody on call)",
                "WARN  overdue follow-ups: not reported by this server",
                "PASS  unpublished post-incident reviews: 0",
            }));
}

TEST(LiveComplianceFindings, NoDrillInSixtyDaysIsAnError) {
  nlohmann::json report = Report();
  report["drills"]["last_60_days"] = 0;
  std::vector<EvidenceFinding> findings = LiveComplianceFindings(report);
  EXPECT_NE(std::find_if(findings.begin(), findings.end(),
                         [](const EvidenceFinding& f) {
                           return f.level == EvidenceFinding::Level::kError &&
                                  f.message == "drills: none in the last 60 days";
                         }),
            findings.end());
}

TEST(ShortDuration, ReadableUnits) {
  EXPECT_EQ(ShortDuration(42), "42s");
  EXPECT_EQ(ShortDuration(90), "1m30s");
  EXPECT_EQ(ShortDuration(300), "5m");
  EXPECT_EQ(ShortDuration(7200), "2h");
  EXPECT_EQ(ShortDuration(3725), "1h2m5s");
}

}  // namespace
}  // namespace loom
