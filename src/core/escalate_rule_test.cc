#include "core/escalate_rule.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

// (The decision's use of the rule: incident_transition_test.cc EscalateFollowsTheRule.)
TEST(EscalateRule, OnlyATriggeredIncidentWithAStepToRun) {
  Incident incident;
  incident.number = 7;
  incident.state = IncidentState::kTriggered;
  EXPECT_TRUE(CheckEscalate(incident, true).ok());
  Status none = CheckEscalate(incident, false);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kConflict);
  EXPECT_NE(none.error().message.find("no further escalation step"), std::string::npos);
  for (IncidentState s : {IncidentState::kAcknowledged, IncidentState::kMitigated,
                          IncidentState::kResolved, IncidentState::kClosed}) {
    incident.state = s;
    Status refused = CheckEscalate(incident, true);
    ASSERT_FALSE(refused.ok()) << IncidentStateName(s);
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_NE(refused.error().message.find("only a triggered incident escalates"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace loom
