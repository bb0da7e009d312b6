#include "core/heartbeat.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "testing/fake_clock.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Heartbeat Backup() {
  Heartbeat hb;
  hb.id = "nightly-backup";
  hb.service_id = "loom";
  hb.name = "nightly-backup";
  hb.interval = hours(1);
  hb.grace = minutes(5);
  hb.severity = Severity::kSev2;
  return hb;
}

// A healthy heartbeat pinged at `at`, its deadline 7 armed.
Heartbeat Pinged(TimePoint at) {
  Heartbeat hb = Backup();
  hb.state = HeartbeatState::kHealthy;
  hb.last_ping_at = at;
  hb.deadline_id = 7;
  return hb;
}

TEST(Heartbeat, ExpiresExactlyIntervalPlusGraceAfterTheLastPing) {
  testing::FakeClock clock;
  const TimePoint ping = clock.Now();
  Heartbeat hb = Pinged(ping);
  ASSERT_EQ(HeartbeatExpiresAt(hb), ping + hours(1) + minutes(5));

  clock.Set(ping + hours(1) + minutes(5) - std::chrono::microseconds(1));
  HeartbeatCheck early = CheckHeartbeat(hb, 7, clock.Now());
  EXPECT_EQ(early.action, HeartbeatCheck::Action::kRearm);
  EXPECT_EQ(early.rearm_at, ping + hours(1) + minutes(5));

  clock.Advance(std::chrono::microseconds(1));
  EXPECT_EQ(CheckHeartbeat(hb, 7, clock.Now()).action, HeartbeatCheck::Action::kExpire);
}

TEST(Heartbeat, PingsKeepItHealthy) {
  testing::FakeClock clock;
  Heartbeat hb = Pinged(clock.Now());
  // Pinged every 50 minutes for a day: each time its deadline fires it re-arms, never expires.
  for (int i = 0; i < 29; ++i) {
    clock.Advance(minutes(50));
    hb.last_ping_at = clock.Now();
    const TimePoint due = *HeartbeatExpiresAt(hb);
    clock.Advance(minutes(10));  // the old deadline fires between two pings
    HeartbeatCheck check = CheckHeartbeat(hb, 7, clock.Now());
    ASSERT_EQ(check.action, HeartbeatCheck::Action::kRearm) << i;
    EXPECT_EQ(check.rearm_at, due);
    clock.Advance(-minutes(10));
  }
}

TEST(Heartbeat, ARestartGivesIntervalPlusGraceFromTheRestart) {
  testing::FakeClock clock;
  const TimePoint ping = clock.Now();
  Heartbeat hb = Pinged(ping);
  // The server was down from 10 minutes after the ping until 3 hours later.
  clock.Advance(hours(3));
  hb.resumed_at = clock.Now();
  HeartbeatCheck check = CheckHeartbeat(hb, 7, clock.Now());
  EXPECT_EQ(check.action, HeartbeatCheck::Action::kRearm);
  EXPECT_EQ(check.rearm_at, clock.Now() + hours(1) + minutes(5));
  clock.Advance(hours(1) + minutes(5));
  EXPECT_EQ(CheckHeartbeat(hb, 7, clock.Now()).action, HeartbeatCheck::Action::kExpire);
}

TEST(Heartbeat, NothingExpiresThatIsDisabledNeverPingedExpiredOrStale) {
  testing::FakeClock clock;
  const TimePoint later = clock.Now() + hours(5);
  Heartbeat disabled = Pinged(clock.Now());
  disabled.enabled = false;
  EXPECT_EQ(CheckHeartbeat(disabled, 7, later).action, HeartbeatCheck::Action::kNothing);
  EXPECT_FALSE(HeartbeatExpiresAt(disabled));

  Heartbeat inactive = Backup();
  inactive.deadline_id = 7;
  EXPECT_FALSE(HeartbeatExpiresAt(inactive));
  EXPECT_EQ(CheckHeartbeat(inactive, 7, later).action, HeartbeatCheck::Action::kNothing);

  Heartbeat expired = Pinged(clock.Now());
  expired.state = HeartbeatState::kExpired;
  EXPECT_EQ(CheckHeartbeat(expired, 7, later).action, HeartbeatCheck::Action::kNothing);

  // A deadline the heartbeat no longer points at (replaced by an edit) does nothing.
  EXPECT_EQ(CheckHeartbeat(Pinged(clock.Now()), 6, later).action, HeartbeatCheck::Action::kNothing);
}

TEST(Heartbeat, ExpiredTitleNamesTheLastPingAndTheInterval) {
  const TimePoint ping = *ParseRfc3339("2026-12-07T02:00:04.512Z");
  Heartbeat hb = Pinged(ping);
  EXPECT_EQ(HeartbeatExpiredTitle(hb, ping + hours(1) + minutes(5)),
            "Heartbeat nightly-backup expired: last ping 02:00:04 UTC, expected every 1h");
  EXPECT_EQ(HeartbeatExpiredTitle(hb, ping + hours(23)),
            "Heartbeat nightly-backup expired: last ping 2026-12-07 02:00:04 UTC, expected "
            "every 1h");
}

TEST(Heartbeat, AlertsShareOneDedupScopePerHeartbeat) {
  const TimePoint now = *ParseRfc3339("2026-12-07T03:05:04Z");
  Heartbeat hb = Pinged(now - hours(1) - minutes(5));
  hb.severity = Severity::kSev1;
  IngestRequest expired = HeartbeatExpiredAlert(hb, now);
  IngestRequest recovered = HeartbeatRecoveredAlert(hb, now);
  EXPECT_EQ(expired.dedup_key, "heartbeat/nightly-backup");
  EXPECT_EQ(recovered.dedup_key, expired.dedup_key);
  EXPECT_EQ(expired.integration_key_id, 0);
  EXPECT_EQ(expired.service_id, "loom");
  EXPECT_EQ(expired.actor, "heartbeat:nightly-backup");
  ASSERT_EQ(expired.alerts.size(), 1u);
  EXPECT_EQ(expired.alerts[0].action, AlertAction::kTrigger);
  EXPECT_EQ(expired.alerts[0].severity, Severity::kSev1);
  EXPECT_EQ(expired.alerts[0].fingerprint, "");
  ASSERT_EQ(recovered.alerts.size(), 1u);
  EXPECT_EQ(recovered.alerts[0].action, AlertAction::kResolve);
}

TEST(Heartbeat, DurationText) {
  EXPECT_EQ(HeartbeatDurationText(hours(1)), "1h");
  EXPECT_EQ(HeartbeatDurationText(seconds(90)), "1m30s");
  EXPECT_EQ(HeartbeatDurationText(hours(49)), "2d1h");
  EXPECT_EQ(HeartbeatDurationText(Duration::zero()), "0s");
}

TEST(Heartbeat, Validation) {
  Heartbeat hb = Backup();
  EXPECT_TRUE(ValidateHeartbeat(hb).ok());
  hb.id = "Bad Id";
  hb.interval = std::chrono::milliseconds(500);
  hb.name = "a/b";
  Status s = ValidateHeartbeat(hb);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(s.error().fields.size(), 3u);
  EXPECT_EQ(s.error().fields[0].pointer, "/id");
  EXPECT_EQ(s.error().fields[1].pointer, "/name");
  EXPECT_EQ(s.error().fields[2].pointer, "/interval");
  EXPECT_EQ(ParseHeartbeatState("expired"), HeartbeatState::kExpired);
  EXPECT_FALSE(ParseHeartbeatState("gone"));
}

}  // namespace
}  // namespace loom
