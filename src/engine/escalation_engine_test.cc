#include "engine/escalation_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "core/builtin_runbook.h"
#include "engine/deadline_rules.h"
#include "engine/engine_test_support.h"
#include "store/sql/test_database.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t DaysSinceEpoch(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}}
      .time_since_epoch()
      .count();
}

TimePoint At(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return TimePoint(std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} /
                                         std::chrono::day{d}}) +
         hours(hour) + minutes(minute);
}

struct RosterSpec {
  bool secondary = true;
};

std::shared_ptr<const OnCallSnapshot> MakeRoster(RosterSpec spec = {}) {
  std::vector<Schedule> schedules = {testing::WeeklySchedule("prim", "alice"),
                                     testing::WeeklySchedule("mgr", "erin"),
                                     testing::WeeklySchedule("sec-lead", "sam")};
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"},
                                             {OnCallRole::kEscalationManager, "mgr"},
                                             {OnCallRole::kSecurityLead, "sec-lead"}};
  if (spec.secondary) {
    schedules.push_back(testing::WeeklySchedule("second", "bob"));
    roles[OnCallRole::kSecondary] = "second";
  }
  std::map<std::string, BusinessCalendar> hours_by_service;
  Result<BusinessCalendar> cal =
      BusinessCalendar::Create("UTC", "mon-fri", "09:00", "17:00", {"2026-12-25"});
  EXPECT_TRUE(cal.ok());
  hours_by_service.emplace("loom", std::move(*cal));
  return std::make_shared<const OnCallSnapshot>(
      OnCallResolver(std::move(schedules), {{"loom", roles}}), std::map<std::string, User>{},
      std::move(hours_by_service));
}

// The engine against both back ends of the store.
class EscalationEngineTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    policy_ = BuiltInPolicy(/*repeat=*/1);
    roster_ = std::make_shared<Roster>(MakeRoster());
    OpenStore();
    CreateLoomService();
  }

  Result<Incident> Run(IncidentCommand::Type type, int64_t number,
                       std::function<void(IncidentCommand&)> fill = nullptr) {
    IncidentCommand c;
    c.type = type;
    c.incident_number = number;
    c.actor = "user:carol";
    if (fill) fill(c);
    return AwaitWrite<Incident>([&](auto done) { store_->Execute(c, done); });
  }
};

TEST_P(EscalationEngineTest, Sev1PagesPrimaryThenSecondaryThenManagerOneAckTargetApart) {
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin"));

  AdvanceAndRun(minutes(4) + seconds(59));
  EXPECT_EQ(Sent(n).size(), 2u) << "the secondary is paged only when the 5 min target passed";
  AdvanceAndRun(seconds(1));
  EXPECT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin",
                                   "page secondary bob"));
  AdvanceAndRun(minutes(5));
  EXPECT_EQ(Sent(n).back(), "page escalation_manager erin");
  // repeat: 1 → the manager is paged once more, then the plan is exhausted.
  AdvanceAndRun(minutes(5));
  EXPECT_EQ(Sent(n).size(), 5u);
  AdvanceAndRun(hours(2));
  EXPECT_EQ(Sent(n).size(), 5u);
  std::vector<std::string> exhausted = EventTypes(n, "escalation.exhausted");
  EXPECT_EQ(exhausted.size(), 1u);
}

// The page's payload (what every channel renders) and its timeline event, byte for byte: keys in
// sorted order, as the nlohmann DOM wrote them before the hot path wrote them directly.
TEST_P(EscalationEngineTest, APageCarriesTheIncidentSummaryWithStepRoleAndUrgency) {
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  Result<std::vector<OutboxEntry>> rows = store_->ListNotifications(n);
  ASSERT_TRUE(rows.ok());
  ASSERT_FALSE(rows->empty());
  EXPECT_EQ(rows->front().payload_json,
            R"({"incident":"INC-)" + std::to_string(n) +
                R"(","kind":"availability","role":"primary","service":"loom","severity":"sev1",)"
                R"("step":0,"title":"LOOM node down: db","urgency":"high"})");
  std::vector<std::string> notified = EventTypes(n, "escalation.notified");
  ASSERT_FALSE(notified.empty());
  EXPECT_EQ(notified.front(),
            R"(escalation.notified {"method":"page","role":"primary","step":0,"user":"alice"})");
}

TEST_P(EscalationEngineTest, Sev2WaitsFifteenMinutesBeforeTheSecondary) {
  int64_t n = Trigger("api", Severity::kSev2);
  engine_->RunDue();
  AdvanceAndRun(minutes(14));
  EXPECT_EQ(Sent(n).size(), 2u);
  AdvanceAndRun(minutes(1));
  EXPECT_EQ(Sent(n).back(), "page secondary bob");
}

TEST_P(EscalationEngineTest, SecurityIncidentsAlsoPageTheSecurityLeadAtOnce) {
  int64_t n = Trigger("breach", Severity::kSev3, IncidentKind::kSecurity);
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("ticket primary alice", "page security_lead sam"));
}

TEST_P(EscalationEngineTest, ARoleWithNobodyOnCallIsSkippedAtOnceNotWaitedOut) {
  roster_->Replace(MakeRoster({.secondary = false}));
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  AdvanceAndRun(minutes(5));
  // No secondary: the manager is paged at the same moment, not 5 minutes later.
  EXPECT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin",
                                   "page escalation_manager erin"));
  std::vector<std::string> skipped = EventTypes(n, "escalation.role_skipped");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("\"role\":\"secondary\""), std::string::npos);
}

TEST_P(EscalationEngineTest, AcknowledgementAtEachStepStopsTheEscalation) {
  for (int acked_after_step = 0; acked_after_step < 3; ++acked_after_step) {
    SCOPED_TRACE(acked_after_step);
    int64_t n = Trigger("db-" + std::to_string(acked_after_step), Severity::kSev1);
    engine_->RunDue();
    for (int i = 0; i < acked_after_step; ++i) AdvanceAndRun(minutes(5));
    auto pages = [&] {
      std::vector<std::string> sent = Sent(n);
      return std::count_if(sent.begin(), sent.end(),
                           [](const std::string& s) { return s.rfind("page ", 0) == 0; });
    };
    const auto before = pages();
    EXPECT_EQ(before, acked_after_step + 1);
    ASSERT_TRUE(Run(IncidentCommand::Type::kAcknowledge, n).ok());
    AdvanceAndRun(hours(1));
    EXPECT_EQ(pages(), before);  // (status-update reminders go on; pages stop)
  }
}

TEST_P(EscalationEngineTest, RaisingSev3ToSev1PagesNow) {
  int64_t n = Trigger("slow", Severity::kSev3);
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("ticket primary alice"));
  clock_.Advance(minutes(10));
  ASSERT_TRUE(Run(IncidentCommand::Type::kSetSeverity, n, [](IncidentCommand& c) {
                c.severity = Severity::kSev1;
              }).ok());
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("ticket primary alice", "page primary alice",
                                   "notify escalation_manager erin"));
  AdvanceAndRun(minutes(5));
  EXPECT_EQ(Sent(n).back(), "page secondary bob");
}

TEST_P(EscalationEngineTest, UnacknowledgingReArmsTheEscalation) {
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  ASSERT_TRUE(Run(IncidentCommand::Type::kAcknowledge, n).ok());
  AdvanceAndRun(minutes(10));
  ASSERT_TRUE(Run(IncidentCommand::Type::kUnacknowledge, n).ok());
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin",
                                   "page primary alice", "notify escalation_manager erin"));
  AdvanceAndRun(minutes(5));
  EXPECT_EQ(Sent(n).back(), "page secondary bob");
}

TEST_P(EscalationEngineTest, ReassigningPagesTheAssigneeAndReArmsTheEscalation) {
  int64_t n = Trigger("db", Severity::kSev1);
  ASSERT_TRUE(Run(IncidentCommand::Type::kAcknowledge, n).ok());
  AdvanceAndRun(minutes(10));
  Result<Incident> reassigned =
      Run(IncidentCommand::Type::kReassign, n, [](IncidentCommand& c) { c.assignee = "sam"; });
  ASSERT_TRUE(reassigned.ok()) << reassigned.error().message;
  EXPECT_EQ(reassigned->state, IncidentState::kTriggered);
  EXPECT_EQ(Sent(n).back(), "page assignee sam");
  // Nobody acknowledges: one ack target later the plan goes on with the secondary.
  AdvanceAndRun(minutes(5));
  EXPECT_EQ(Sent(n).back(), "page secondary bob");
  // A resolved incident cannot be reassigned.
  ASSERT_TRUE(Run(IncidentCommand::Type::kResolve, n).ok());
  Result<Incident> refused =
      Run(IncidentCommand::Type::kReassign, n, [](IncidentCommand& c) { c.assignee = "sam"; });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
}

TEST_P(EscalationEngineTest, Sev3CountsItsAckTargetInBusinessHoursAcrossTheWeekend) {
  clock_.Set(At(2026, 11, 6, 16, 30));  // Friday 16:30, 30 min before closing
  int64_t n = Trigger("slow", Severity::kSev3);
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("ticket primary alice"));
  clock_.Set(At(2026, 11, 9, 9, 29));  // Monday 09:29: 59 business minutes
  engine_->RunDue();
  EXPECT_EQ(Sent(n).size(), 1u);
  clock_.Set(At(2026, 11, 9, 9, 30));
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("ticket primary alice", "ticket secondary bob"));
}

TEST_P(EscalationEngineTest, Sev4OpensATicketForThePrimaryAndNeverEscalates) {
  int64_t n = Trigger("typo", Severity::kSev4);
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("ticket primary alice"));
  AdvanceAndRun(hours(24 * 7));  // a week of business days
  EXPECT_THAT(Sent(n), ElementsAre("ticket primary alice"));
  EXPECT_EQ(EventTypes(n, "escalation.exhausted").size(), 1u);
}

TEST_P(EscalationEngineTest, UpdateCadenceRemindsTheCommanderThenRecordsTheMiss) {
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  ASSERT_TRUE(Run(IncidentCommand::Type::kAcknowledge, n).ok());  // carol becomes commander
  engine_->RunDue();
  // Sev1: every 15 minutes; the reminder comes 3 minutes (a fifth) before.
  AdvanceAndRun(minutes(11));
  EXPECT_EQ(Sent(n).size(), 2u);
  AdvanceAndRun(minutes(1));
  EXPECT_EQ(Sent(n).back(), "reminder commander carol");  // the user, not the actor
  AdvanceAndRun(minutes(3));
  EXPECT_EQ(Sent(n).back(), "notify escalation_manager erin");
  EXPECT_EQ(EventTypes(n, "update.missed").size(), 1u);
  std::vector<std::string> notified = EventTypes(n, "escalation.notified");
  EXPECT_NE(notified.back().find(R"("user":"erin")"), std::string::npos) << notified.back();
  EXPECT_NE(notified.back().find("missed status update"), std::string::npos) << notified.back();
  // The next update is due 15 minutes after the missed one.
  AdvanceAndRun(minutes(15));
  EXPECT_EQ(EventTypes(n, "update.missed").size(), 2u);
}

TEST_P(EscalationEngineTest, AStatusUpdateMovesTheNextDueTimeAndAPromiseBringsItForward) {
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  ASSERT_TRUE(Run(IncidentCommand::Type::kAcknowledge, n).ok());
  engine_->RunDue();
  AdvanceAndRun(minutes(10));
  ASSERT_TRUE(Run(IncidentCommand::Type::kStatusUpdate, n, [this](IncidentCommand& c) {
                c.impact = "all users";
                c.next_update_at = clock_.Now() + minutes(5);
              }).ok());
  engine_->RunDue();
  AdvanceAndRun(minutes(4));  // 14 min after the ack: the old plan would have reminded
  EXPECT_THAT(EventTypes(n, "update.reminder"), ElementsAre(::testing::HasSubstr("user:carol")));
  AdvanceAndRun(minutes(1));  // the promised time passes
  EXPECT_EQ(EventTypes(n, "update.missed").size(), 1u);
}

TEST_P(EscalationEngineTest, ResolvingCancelsEveryPendingDeadline) {
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  ASSERT_TRUE(Run(IncidentCommand::Type::kResolve, n).ok());
  Result<StoreStats> stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->pending_deadlines, 0);
  AdvanceAndRun(hours(1));
  EXPECT_EQ(Sent(n).size(), 2u);
}

TEST_P(EscalationEngineTest, ADeadlineFiresOnceAcrossARestart) {
  int64_t n = Trigger("db", Severity::kSev1);
  engine_->RunDue();
  clock_.Advance(minutes(6));
  Restart();  // the secondary's deadline was due while the server was down
  engine_->RunDue();
  EXPECT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin",
                                   "page secondary bob"));
  Restart();
  engine_->RunDue();
  EXPECT_EQ(Sent(n).size(), 3u);
}

TEST_P(EscalationEngineTest, FiringTheSameDeadlineTwiceDoesNothingTheSecondTime) {
  int64_t n = Trigger("db", Severity::kSev1);
  clock_.Advance(minutes(5));
  Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  auto fire = [&] {
    return AwaitWrite<DeadlineFiring>([&](auto done) {
      store_->FireDeadline(
          pending->front().id,
          [&](const Deadline& d, const std::optional<Incident>& inc, TimePoint now) {
            return DecideDeadline(d, inc, now, *policy_, *roster_->Current());
          },
          done);
    });
  };
  Result<DeadlineFiring> first = fire();
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->fired);
  EXPECT_EQ(first->outbox_inserted, 1);  // the secondary's page
  Result<DeadlineFiring> second = fire();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->fired);
  EXPECT_EQ(Sent(n).size(), 3u);
}

TEST_P(EscalationEngineTest, AServiceWithoutOnCallRolesIsRecordedAsUnroutedOnce) {
  roster_->Replace(EmptyOnCallSnapshot());
  int64_t n = Trigger("db", Severity::kSev1);
  AdvanceAndRun(hours(1));
  EXPECT_THAT(Sent(n), IsEmpty());
  EXPECT_EQ(EventTypes(n, "escalation.unrouted").size(), 1u);
  EXPECT_THAT(EventTypes(n, "escalation.role_skipped"), IsEmpty());
}

TEST_P(EscalationEngineTest, TheFirstPageIsWrittenWithTheIncident) {
  // No RunDue: the step-0 deadline is due when it is written, so the store applies it inside the
  // ingest transaction through the engine's fire-now hook.
  int64_t n = Trigger("db", Severity::kSev1);
  EXPECT_THAT(Sent(n), ElementsAre("page primary alice", "notify escalation_manager erin"));
  Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);  // only the secondary's, 5 minutes out
  EXPECT_EQ(pending->front().due_at, clock_.Now() + minutes(5));
}

TEST_P(EscalationEngineTest, TheThreadFiresDeadlinesThatAreDue) {
  engine_.reset();
  std::promise<void> fired;
  EscalationEngine::Options options;
  options.on_fired = [&fired](int64_t, TimePoint, const DeadlineFiring& f) {
    if (f.fired) fired.set_value();
  };
  DeadlineLoop loop(clock_);
  EscalationEngine engine(*store_, clock_, policy_, roster_, options);
  ASSERT_TRUE(engine.Load().ok());
  int64_t n = Trigger("db", Severity::kSev1);
  loop.Start();
  engine.Start(loop);
  // The secondary's deadline falls due; the loop's thread (not RunDue) fires it.
  clock_.Advance(minutes(5));
  loop.Recheck();
  fired.get_future().wait();
  engine.Stop();
  EXPECT_EQ(Sent(n).back(), "page secondary bob");
  EXPECT_EQ(engine.Stats().fired, 1);
}

// An instance that does not lead keeps its engine stopped: it holds no deadline, even of the
// incidents it opens itself; when it leads, Start() and Load() bring back everything pending, and
// what fell due meanwhile fires, once.
TEST_P(EscalationEngineTest, AStoppedEngineKeepsNothingUntilStartedAndLoadedAgain) {
  engine_.reset();
  std::promise<void> both_fired;
  std::atomic<int> fired{0};
  EscalationEngine::Options options;
  options.on_fired = [&](int64_t, TimePoint, const DeadlineFiring& f) {
    if (f.fired && ++fired == 2) both_fired.set_value();
  };
  DeadlineLoop loop(clock_);
  loop.Start();
  EscalationEngine engine(*store_, clock_, policy_, roster_, options);
  ASSERT_TRUE(engine.Load().ok());
  const int64_t first = Trigger("db", Severity::kSev1);
  EXPECT_EQ(engine.Stats().pending, 1);

  engine.Stop();  // parked
  EXPECT_EQ(engine.Stats().pending, 0);
  const int64_t second = Trigger("disk", Severity::kSev1);
  ASSERT_TRUE(engine.Load().ok());
  EXPECT_EQ(engine.Stats().pending, 0);
  clock_.Advance(minutes(5));
  EXPECT_EQ(engine.RunDue(), 0u);
  const std::string secondary = "page secondary bob";
  EXPECT_THAT(Sent(first), ::testing::Not(::testing::Contains(secondary)));

  engine.Start(loop);  // leads: both secondaries' deadlines are overdue
  ASSERT_TRUE(engine.Load().ok());
  both_fired.get_future().wait();
  engine.Stop();
  for (int64_t n : {first, second}) {
    std::vector<std::string> sent = Sent(n);
    EXPECT_EQ(std::count(sent.begin(), sent.end(), secondary), 1) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EscalationEngineTest, sql::kBackends, sql::BackendName);

}  // namespace

}  // namespace loom
