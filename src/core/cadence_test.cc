#include "core/cadence.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::minutes;

SeverityRule Rule(Severity sev, int cadence_minutes, bool async = false) {
  SeverityRule r;
  r.severity = sev;
  r.update_cadence.amount = minutes(cadence_minutes);
  r.update_cadence.async = async;
  r.update_cadence.text = "Every " + std::to_string(cadence_minutes) + " minutes";
  return r;
}

TEST(Cadence, FirstUpdateIsDueOneCadenceAfterAcknowledgement) {
  testing::FakeClock clock;
  Incident inc;
  inc.state = IncidentState::kTriggered;
  auto rule = Rule(Severity::kSev1, 15);
  EXPECT_FALSE(NextUpdateDue(inc, rule, {}));  // nothing due before acknowledgement
  inc.state = IncidentState::kAcknowledged;
  inc.acknowledged_at = clock.Now();
  EXPECT_EQ(NextUpdateDue(inc, rule, {}), clock.Now() + minutes(15));
  EXPECT_EQ(ReminderTime(clock.Now() + minutes(15), rule), clock.Now() + minutes(12));
}

TEST(Cadence, AnEarlierPromiseWinsAndUpdatesRestartTheClock) {
  testing::FakeClock clock;
  Incident inc;
  inc.state = IncidentState::kMitigated;
  inc.acknowledged_at = clock.Now();
  auto rule = Rule(Severity::kSev2, 30);
  clock.Advance(minutes(20));
  CadenceState c{clock.Now(), clock.Now() + minutes(10)};
  EXPECT_EQ(NextUpdateDue(inc, rule, c), clock.Now() + minutes(10));
  c.promised_next_at.reset();
  EXPECT_EQ(NextUpdateDue(inc, rule, c), clock.Now() + minutes(30));
  inc.state = IncidentState::kResolved;
  EXPECT_FALSE(NextUpdateDue(inc, rule, c));
}

TEST(Cadence, AsyncSeveritiesHaveNoLiveCadence) {
  Incident inc;
  inc.state = IncidentState::kAcknowledged;
  inc.acknowledged_at = TimePoint{};
  EXPECT_FALSE(NextUpdateDue(inc, Rule(Severity::kSev4, 1440, true), {}));
}

TEST(Cadence, PromisedTimeBeyondTheCadenceIsRefused) {
  testing::FakeClock clock;
  auto rule = Rule(Severity::kSev1, 15);
  EXPECT_TRUE(CheckPromisedNextUpdate(clock.Now(), clock.Now() + minutes(15), rule).ok());
  auto late = CheckPromisedNextUpdate(clock.Now(), clock.Now() + minutes(16), rule);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().fields.at(0).pointer, "/next_update_at");
  EXPECT_FALSE(CheckPromisedNextUpdate(clock.Now(), clock.Now(), rule).ok());
  // A reminder is never more than 5 minutes early, nor less than 1.
  EXPECT_EQ(ReminderTime(clock.Now(), Rule(Severity::kSev3, 240)), clock.Now() - minutes(5));
  EXPECT_EQ(ReminderTime(clock.Now(), Rule(Severity::kSev1, 2)), clock.Now() - minutes(1));
}

}  // namespace
}  // namespace loom
