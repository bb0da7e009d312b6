#include "engine/drill_deadline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "engine/delivery_rules.h"
#include "engine/engine_test_support.h"
#include "engine/escalation_engine.h"

namespace loom {
namespace {

using std::chrono::days;
using std::chrono::minutes;

std::shared_ptr<const OnCallSnapshot> ManagerRoster() {
  std::vector<Schedule> schedules = {testing::WeeklySchedule("prim", "alice"),
                                     testing::WeeklySchedule("mgr", "erin")};
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"},
                                             {OnCallRole::kEscalationManager, "mgr"}};
  return std::make_shared<const OnCallSnapshot>(
      OnCallResolver(std::move(schedules), {{"loom", roles}}), std::map<std::string, User>{},
      std::map<std::string, BusinessCalendar>{});
}

class DrillDeadlineTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    CreateLoomService();
    roster_ = std::make_shared<Roster>(ManagerRoster());
    engine_ = std::make_unique<EscalationEngine>(*store_, clock_, BuiltInPolicy(1), roster_);
    ASSERT_TRUE(engine_->Load().ok());
  }

  std::vector<Deadline> PendingDrillDue() { return PendingOfKind(DeadlineKind::kDrillDue); }

  // The messages about no incident (overdue drills): "channel role recipient".
  std::vector<std::string> DrillMessages() {
    Result<std::vector<OutboxEntry>> rows = store_->ListNotifications(0);
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    for (const OutboxEntry& e : *rows) out.push_back(e.channel + " " + e.role + " " + e.recipient);
    return out;
  }

  int64_t StartDrill(IncidentKind scenario) {
    IngestRequest r;
    r.format = "drill";
    r.service_id = "loom";
    r.dedup_key = "drill-1";
    r.title = "tabletop";
    r.drill = true;
    r.actor = "user:carol";
    AlertUpdate a;
    a.severity = Severity::kSev1;
    a.kind = scenario;
    r.alerts.push_back(a);
    Result<IngestOutcome> out =
        AwaitWrite<IngestOutcome>([&](auto done) { store_->Ingest(r, done); });
    EXPECT_TRUE(out.ok()) << out.error().message;
    return out.ok() ? out->incident_number : 0;
  }

  DrillSettings settings_;
  std::shared_ptr<Roster> roster_;
  std::unique_ptr<EscalationEngine> engine_;
};

TEST_F(DrillDeadlineTest, OverdueDrillNotifiesTheEscalationManagerOnceAndPlansTheNextReminder) {
  const TimePoint start = clock_.Now();  // Monday 2026-11-02 09:00 UTC
  Result<TimePoint> anchor = StartDrillSchedule(settings_, *store_, start);
  ASSERT_TRUE(anchor.ok()) << anchor.error().message;
  EXPECT_EQ(*anchor, start);
  std::vector<Deadline> due = PendingDrillDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_at, start + days(30));  // one calendar month after 2026-11-02
  EXPECT_EQ(nlohmann::json::parse(due[0].payload_json)["scenario"], "availability");

  clock_.Advance(days(29));
  engine_->RunDue();
  EXPECT_THAT(DrillMessages(), ::testing::IsEmpty());

  clock_.Advance(days(1) + minutes(1));
  engine_->RunDue();
  EXPECT_THAT(DrillMessages(), ::testing::ElementsAre("drill_overdue escalation_manager erin"));
  due = PendingDrillDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_at, start + days(30 + 31));  // 2027-01-02: the next reminder

  // A restart plans the same overdue deadline again: the message is not sent twice.
  Result<TimePoint> again = StartDrillSchedule(settings_, *store_, clock_.Now());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, start);  // the schedule keeps its first start
  engine_->RunDue();
  EXPECT_EQ(DrillMessages().size(), 1u);
}

TEST_F(DrillDeadlineTest, ADrillStartedInTimeMovesTheDeadlineAndAlternatesTheScenario) {
  const TimePoint start = clock_.Now();
  ASSERT_TRUE(StartDrillSchedule(settings_, *store_, start).ok());
  clock_.Advance(days(10));
  StartDrill(IncidentKind::kAvailability);
  Result<NextDrill> next = RescheduleDrillDue(*store_, settings_, start, clock_.Now());
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->scenario, IncidentKind::kSecurity);
  EXPECT_EQ(next->due_at, start + days(10 + 30));  // 2026-11-12 + 1 month

  clock_.Advance(days(25));  // past the first due date: nothing, the drill happened
  engine_->RunDue();
  EXPECT_THAT(DrillMessages(), ::testing::IsEmpty());
  std::vector<Deadline> due = PendingDrillDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_at, next->due_at);
}

TEST_F(DrillDeadlineTest, DrillPagesAreMarkedDrillOnEveryChannel) {
  const int64_t n = StartDrill(IncidentKind::kSecurity);
  Result<std::vector<OutboxEntry>> rows = store_->ListNotifications(n);
  ASSERT_TRUE(rows.ok());
  ASSERT_FALSE(rows->empty());
  const OutboxEntry& page = rows->front();
  EXPECT_EQ(page.channel, "page");
  EXPECT_EQ(nlohmann::json::parse(page.payload_json)["drill"], true);
  Notice notice = BuildNotice({page}, *roster_->Current());
  EXPECT_THAT(notice.summary, ::testing::StartsWith("[DRILL] Sev1 page ("));
  ASSERT_EQ(notice.incidents.size(), 1u);
  EXPECT_TRUE(notice.incidents[0].drill);

  Result<std::optional<IncidentDetail>> detail = store_->GetIncident(n);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  EXPECT_TRUE((*detail)->incident.drill);
  EXPECT_EQ((*detail)->timeline.front().actor, "user:carol");

  IncidentFilter real;
  real.drill = false;
  Result<IncidentPage> page_of_real = store_->ListIncidents(real);
  ASSERT_TRUE(page_of_real.ok());
  EXPECT_TRUE(page_of_real->incidents.empty());
}

}  // namespace
}  // namespace loom
