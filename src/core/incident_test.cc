#include "core/incident.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

Incident Make(IncidentState state, Severity sev = Severity::kSev2, std::string commander = "") {
  Incident inc;
  inc.number = 7;
  inc.state = state;
  inc.severity = sev;
  inc.commander = std::move(commander);
  return inc;
}

TEST(IncidentStateMachine, WalksTheRunbookLifecycleInOrder) {
  Incident inc = Make(IncidentState::kTriggered, Severity::kSev1, "alice");
  auto s = NextState(inc, IncidentAction::kAcknowledge);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, IncidentState::kAcknowledged);
  inc.state = *s;
  s = NextState(inc, IncidentAction::kMitigate);
  ASSERT_TRUE(s.ok());
  inc.state = *s;
  s = NextState(inc, IncidentAction::kResolve);
  ASSERT_TRUE(s.ok());
  inc.state = *s;
  s = NextState(inc, IncidentAction::kClose);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, IncidentState::kClosed);
}

TEST(IncidentStateMachine, RefusesIllegalTransitionsWithAReason) {
  auto r = NextState(Make(IncidentState::kTriggered), IncidentAction::kMitigate);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("acknowledge it before"), std::string::npos);

  r = NextState(Make(IncidentState::kAcknowledged), IncidentAction::kAcknowledge);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("INC-7 is acknowledged"), std::string::npos);

  r = NextState(Make(IncidentState::kTriggered), IncidentAction::kClose);
  ASSERT_FALSE(r.ok());
  r = NextState(Make(IncidentState::kClosed), IncidentAction::kResolve);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("already resolved"), std::string::npos);
}

TEST(IncidentStateMachine, UnacknowledgeReturnsAnAcknowledgedIncidentToTriggered) {
  auto r = NextState(Make(IncidentState::kAcknowledged), IncidentAction::kUnacknowledge);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, IncidentState::kTriggered);
  r = NextState(Make(IncidentState::kMitigated), IncidentAction::kUnacknowledge);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("only an acknowledged incident"), std::string::npos);
}

TEST(IncidentStateMachine, HighSeverityNeedsACommanderToMitigateOrResolve) {
  auto r =
      NextState(Make(IncidentState::kAcknowledged, Severity::kSev1), IncidentAction::kMitigate);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("incident commander"), std::string::npos);
  r = NextState(Make(IncidentState::kAcknowledged, Severity::kSev2), IncidentAction::kResolve);
  ASSERT_FALSE(r.ok());
  // Sev3 does not need one.
  EXPECT_TRUE(
      NextState(Make(IncidentState::kAcknowledged, Severity::kSev3), IncidentAction::kResolve)
          .ok());
  // A triggered Sev1 can be resolved straight away (false alarm, or the alert cleared).
  EXPECT_TRUE(
      NextState(Make(IncidentState::kTriggered, Severity::kSev1), IncidentAction::kResolve).ok());
}

TEST(IncidentId, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(IncidentId(42), "INC-42");
  EXPECT_EQ(ParseIncidentId("INC-42"), 42);
  EXPECT_FALSE(ParseIncidentId("INC-"));
  EXPECT_FALSE(ParseIncidentId("INC-0"));
  EXPECT_FALSE(ParseIncidentId("INC-4x"));
  EXPECT_FALSE(ParseIncidentId("42"));
}

}  // namespace
}  // namespace loom
