// Maintenance windows and the escalation engine on the fake clock, against both back ends of the
// store: a window silences paging for its services only, its end (scheduled, early, or during an
// outage) starts the escalation of what is still triggered, and a weekly window opens and closes
// at its wall-clock times across a daylight-saving change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "engine/engine_test_support.h"
#include "engine/escalation_engine.h"
#include "testing/weekly_schedule.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TimePoint At(const char* text) { return ParseRfc3339(text).value(); }

// alice is the primary and erin the escalation manager of both `loom` and `billing`, all the
// time from 2026-11-02 on.
std::shared_ptr<const OnCallSnapshot> TwoServiceRoster() {
  std::vector<Schedule> schedules = {testing::WeeklySchedule("prim", "alice"),
                                     testing::WeeklySchedule("mgr", "erin")};
  const std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"},
                                                   {OnCallRole::kEscalationManager, "mgr"}};
  return std::make_shared<const OnCallSnapshot>(
      OnCallResolver(std::move(schedules), {{"loom", roles}, {"billing", roles}}),
      std::map<std::string, User>{}, std::map<std::string, BusinessCalendar>{});
}

class MaintenanceEngineTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    policy_ = BuiltInPolicy(/*repeat=*/0);
    roster_ = std::make_shared<Roster>(TwoServiceRoster());
    OpenStore();
    CreateLoomService();
    Service billing;
    billing.id = "billing";
    billing.name = "Billing";
    Result<IntegrationKey> key = AwaitWrite<IntegrationKey>(
        [&](auto done) { store_->CreateService(billing, Sha256Hex("billing-key"), done); });
    ASSERT_TRUE(key.ok()) << key.error().message;
    billing_key_ = *key;
  }

  int64_t TriggerBilling(const std::string& dedup_key) {
    IngestRequest r;
    r.format = "pagerduty";
    r.service_id = "billing";
    r.integration_key_id = billing_key_.id;
    r.dedup_key = dedup_key;
    r.title = "Billing down";
    AlertUpdate a;
    a.action = AlertAction::kTrigger;
    a.summary = r.title;
    a.severity = Severity::kSev1;
    r.alerts.push_back(a);
    Result<IngestOutcome> out =
        AwaitWrite<IngestOutcome>([&](auto done) { store_->Ingest(r, done); });
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->incident_number : 0;
  }

  MaintenanceWindow Create(MaintenanceWindow w) {
    if (w.reason.empty()) w.reason = "database upgrade";
    w.created_by = "user:carol";
    Result<MaintenanceWindow> made =
        AwaitWrite<MaintenanceWindow>([&](auto done) { store_->CreateMaintenance(w, done); });
    EXPECT_TRUE(made.ok()) << made.error().message;
    return made.ok() ? *made : MaintenanceWindow{};
  }
  MaintenanceWindow Window(TimePoint start, TimePoint end,
                           std::vector<std::string> services = {"loom"}) {
    MaintenanceWindow w;
    w.services = std::move(services);
    w.start = start;
    w.end = end;
    return Create(w);
  }

  // "<type> <actor>" of the incident's maintenance events.
  std::vector<std::string> MaintenanceEvents(int64_t number) {
    Result<std::optional<IncidentDetail>> detail = store_->GetIncident(number);
    EXPECT_TRUE(detail.ok() && detail->has_value());
    std::vector<std::string> out;
    for (const TimelineEvent& e : (*detail)->timeline) {
      if (e.type.rfind("maintenance.", 0) == 0) out.push_back(e.type + " " + e.actor);
    }
    return out;
  }
  IntegrationKey billing_key_;
};

TEST_P(MaintenanceEngineTest, AWindowSilencesPagingForItsServiceOnlyUntilItEnds) {
  const TimePoint now = clock_.Now();
  Window(now, now + hours(1));
  const int64_t loom = Trigger("db", Severity::kSev1);
  const int64_t billing = TriggerBilling("db");
  engine_->RunDue();
  EXPECT_THAT(Sent(loom), IsEmpty()) << "no one is paged during the window";
  EXPECT_THAT(MaintenanceEvents(loom), ElementsAre("maintenance.held system"));
  EXPECT_THAT(Sent(billing), ElementsAre("page primary alice", "notify escalation_manager erin"));
  EXPECT_THAT(MaintenanceEvents(billing), IsEmpty());

  AdvanceAndRun(minutes(59) + seconds(59));
  EXPECT_THAT(Sent(loom), IsEmpty()) << "no escalation step fires either";
  AdvanceAndRun(seconds(1));  // the window's end
  EXPECT_THAT(Sent(loom), ElementsAre("page primary alice", "notify escalation_manager erin"));
  EXPECT_THAT(MaintenanceEvents(loom),
              ElementsAre("maintenance.held system", "maintenance.ended system"));
}

TEST_P(MaintenanceEngineTest, AStepDueDuringAWindowWaitsForItsEnd) {
  const int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  ASSERT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin"));
  // The next step (the manager, one 5-minute ack target later) falls inside the window.
  Window(clock_.Now() + minutes(1), clock_.Now() + minutes(30));
  AdvanceAndRun(minutes(5));
  EXPECT_EQ(Sent(n).size(), 2u);
  AdvanceAndRun(minutes(25) - seconds(1));
  EXPECT_EQ(Sent(n).size(), 2u);
  AdvanceAndRun(seconds(1));
  EXPECT_GT(Sent(n).size(), 2u) << "the held step runs at the window's end";
}

TEST_P(MaintenanceEngineTest, EndingAWindowEarlyStartsTheEscalationOfWhatIsStillTriggered) {
  const MaintenanceWindow w = Window(clock_.Now(), clock_.Now() + hours(2));
  const int64_t triggered = Trigger("db", Severity::kSev1);
  const int64_t acknowledged = Trigger("api", Severity::kSev1);
  engine_->RunDue();
  ASSERT_TRUE(Act(acknowledged, IncidentCommand::Type::kAcknowledge).ok());
  AdvanceAndRun(minutes(10));
  EXPECT_THAT(Sent(triggered), IsEmpty());

  Result<MaintenanceEnded> ended = AwaitWrite<MaintenanceEnded>(
      [&](auto done) { store_->EndMaintenance(w.id, "user:carol", done); });
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_THAT(ended->released, ElementsAre(triggered));
  engine_->RunDue();
  EXPECT_THAT(Sent(triggered), ElementsAre("page primary alice", "notify escalation_manager erin"));
  EXPECT_THAT(MaintenanceEvents(triggered),
              ElementsAre("maintenance.held system", "maintenance.ended user:carol"));
  EXPECT_THAT(Sent(acknowledged), IsEmpty());
  // The held step is not run a second time at the window's scheduled end.
  AdvanceAndRun(hours(2));
  const std::vector<std::string> sent = Sent(triggered);
  EXPECT_EQ(std::count(sent.begin(), sent.end(), "page primary alice"), 1);
}

TEST_P(MaintenanceEngineTest, AWindowThatEndedDuringAnOutageIsHandledAtRestart) {
  Window(clock_.Now(), clock_.Now() + minutes(30));
  const int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  EXPECT_THAT(Sent(n), IsEmpty());
  Crash();
  clock_.Advance(hours(1));  // the window ended while the server was down
  OpenStore();
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin"));
}

// Europe/Berlin changes from CET to CEST on Sunday 2027-03-28 at 02:00 local.
TEST_P(MaintenanceEngineTest, AWeeklyWindowOpensAndClosesAtItsWallClockTimesAcrossDst) {
  clock_.Set(At("2027-03-27T22:00:00Z"));  // Saturday 23:00 CET
  MaintenanceWindow w;
  w.services = {"loom"};
  w.weekly = ParseWeeklyMaintenance("sun", "01:00", "04:00", "Europe/Berlin").value();
  Create(w);

  clock_.Set(At("2027-03-27T23:59:00Z"));  // 00:59 CET: not yet
  const int64_t before = Trigger("before", Severity::kSev1);
  engine_->RunDue();
  EXPECT_EQ(Sent(before).size(), 2u);

  clock_.Set(At("2027-03-28T00:00:00Z"));  // 01:00 CET: open
  const int64_t during = Trigger("during", Severity::kSev1);
  engine_->RunDue();
  EXPECT_THAT(Sent(during), IsEmpty());
  // 04:00 CEST is 02:00 UTC: two hours later, not three.
  clock_.Set(At("2027-03-28T01:59:59Z"));
  engine_->RunDue();
  EXPECT_THAT(Sent(during), IsEmpty());
  clock_.Set(At("2027-03-28T02:00:00Z"));
  engine_->RunDue();
  EXPECT_THAT(Sent(during), ElementsAre("page primary alice", "notify escalation_manager erin"));
}

INSTANTIATE_TEST_SUITE_P(Backends, MaintenanceEngineTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
