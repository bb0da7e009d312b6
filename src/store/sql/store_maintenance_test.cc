// MaintenanceStore on both back ends: windows created, listed, ended early and cancelled with
// their actors and refusals; the maintenance a deadline handler sees on an incident of a service
// in maintenance; held escalations brought forward by an early end; configured windows applied
// at start; a heartbeat that does not expire in maintenance (and resumes from an early end); and
// the windows across a restart.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;

class StoreMaintenanceTest : public sql::testing::StoreTest {
 protected:
  MaintenanceWindow OneOff(TimePoint start, TimePoint end,
                           std::vector<std::string> services = {"loom"}) {
    MaintenanceWindow w;
    w.services = std::move(services);
    w.reason = "database upgrade";
    w.start = start;
    w.end = end;
    w.created_by = "token:ops";
    return w;
  }
  Result<MaintenanceWindow> Create(const MaintenanceWindow& w) {
    return AwaitWrite<MaintenanceWindow>([&](auto done) { store_->CreateMaintenance(w, done); });
  }
  Result<MaintenanceEnded> End(int64_t id, const std::string& actor = "user:carol") {
    return AwaitWrite<MaintenanceEnded>(
        [&](auto done) { store_->EndMaintenance(id, actor, done); });
  }
  Result<MaintenanceWindow> Cancel(int64_t id, const std::string& actor = "user:carol") {
    return AwaitWrite<MaintenanceWindow>(
        [&](auto done) { store_->CancelMaintenance(id, actor, done); });
  }

  // Installs a fire-now hook that records the maintenance each incident was handed with and,
  // like the engine, holds a step of a triggered incident in maintenance until its end.
  void HoldLikeTheEngine() {
    store_->SetDeadlineHooks(
        [](const std::vector<Deadline>&) {},
        [this](const Deadline& d, const std::optional<Incident>& inc, TimePoint now) {
          DeadlineEffects out;
          if (!inc) return out;
          seen_.push_back(inc->maintenance);
          if (const MaintenanceHold* hold = EscalationHeldBy(*inc, now)) {
            Deadline again = d;
            again.id = 0;
            again.due_at = hold->until;
            std::string held = "[";
            for (int64_t id : hold->windows)
              held += (held.size() > 1 ? "," : "") + std::to_string(id);
            again.payload_json = R"({"step":0,"held":)" + held + "]}";
            out.deadlines.push_back(again);
            out.events.push_back({"maintenance.held", "{}"});
          } else {
            out.events.push_back({"test.paged", "{}"});
          }
          return out;
        });
  }
  std::vector<Deadline> PendingEscalations() {
    Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
    EXPECT_TRUE(pending.ok());
    std::vector<Deadline> out;
    for (const Deadline& d : *pending) {
      if (d.kind == DeadlineKind::kEscalate) out.push_back(d);
    }
    return out;
  }

  // Heartbeat "backup" of loom (every 60 s, `grace`), pinged now.
  void PingedHeartbeat(Duration grace) {
    Heartbeat hb;
    hb.id = "backup";
    hb.service_id = "loom";
    hb.name = "backup";
    hb.interval = seconds(60);
    hb.grace = grace;
    ASSERT_TRUE(AwaitWrite<Heartbeat>([&](auto done) { store_->CreateHeartbeat(hb, done); }).ok());
    HeartbeatPing ping;
    ping.id = "backup";
    ping.service_id = "loom";
    ASSERT_TRUE(
        AwaitWrite<HeartbeatPinged>([&](auto done) { store_->PingHeartbeat(ping, done); }).ok());
  }

  std::vector<std::optional<MaintenanceHold>> seen_;
};

TEST_P(StoreMaintenanceTest, CreateListGetAndRefusals) {
  const TimePoint now = clock_.Now();
  Result<MaintenanceWindow> made = Create(OneOff(now + hours(1), now + hours(2)));
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_GT(made->id, 0);
  EXPECT_EQ(made->source, kMaintenanceFromApi);
  EXPECT_EQ(made->created_by, "token:ops");
  EXPECT_EQ(made->created_at, now);

  MaintenanceWindow weekly;
  weekly.services = {"loom"};
  weekly.reason = "patching";
  weekly.weekly = ParseWeeklyMaintenance("sat,sun", "22:00", "02:00", "Europe/Berlin").value();
  ASSERT_TRUE(Create(weekly).ok());

  Result<std::vector<MaintenanceWindow>> all = store_->ListMaintenance();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].start, now + hours(1));
  EXPECT_EQ((*all)[0].services, std::vector<std::string>{"loom"});
  ASSERT_TRUE((*all)[1].weekly);
  EXPECT_EQ((*all)[1].weekly->time_zone, "Europe/Berlin");
  EXPECT_EQ((*all)[1].weekly->from_minute, 22 * 60);
  Result<std::optional<MaintenanceWindow>> got = store_->GetMaintenance(made->id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->reason, "database upgrade");
  EXPECT_FALSE(store_->GetMaintenance(999)->has_value());

  Result<MaintenanceWindow> unknown = Create(OneOff(now, now + hours(1), {"loom", "nope"}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().fields.at(0).pointer, "/services/1");
  Result<MaintenanceWindow> past = Create(OneOff(now - hours(2), now - hours(1)));
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().fields.at(0).pointer, "/end");
}

TEST_P(StoreMaintenanceTest, EndEarlyAndCancelFollowTheWindowsState) {
  const TimePoint now = clock_.Now();
  const MaintenanceWindow later = *Create(OneOff(now + hours(1), now + hours(2)));
  const MaintenanceWindow active = *Create(OneOff(now, now + hours(2)));

  Result<MaintenanceEnded> not_started = End(later.id);
  ASSERT_FALSE(not_started.ok());
  EXPECT_EQ(not_started.error().code, ErrorCode::kConflict);
  Result<MaintenanceWindow> started = Cancel(active.id);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kConflict);
  EXPECT_EQ(End(42).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Cancel(42).error().code, ErrorCode::kNotFound);

  clock_.Advance(minutes(10));
  Result<MaintenanceEnded> ended = End(active.id);
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_EQ(ended->window.ended_at, clock_.Now());
  EXPECT_EQ(ended->window.ended_by, "user:carol");
  EXPECT_EQ(MaintenanceStateAt(ended->window, clock_.Now()), MaintenanceState::kPast);
  EXPECT_EQ(End(active.id).error().code, ErrorCode::kConflict);  // over

  Result<MaintenanceWindow> cancelled = Cancel(later.id, "token:ops");
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_EQ(cancelled->cancelled_by, "token:ops");
  EXPECT_EQ(MaintenanceStateAt(*store_->GetMaintenance(later.id).value(), clock_.Now()),
            MaintenanceState::kCancelled);
  EXPECT_EQ(Cancel(later.id).error().code, ErrorCode::kConflict);
}

TEST_P(StoreMaintenanceTest, AHandlerSeesTheMaintenanceOfTheIncidentsServiceOnly) {
  IntegrationKey other = AddService("billing", /*auto_resolve=*/false);
  const TimePoint now = clock_.Now();
  const MaintenanceWindow w = *Create(OneOff(now, now + hours(1)));
  HoldLikeTheEngine();
  const IngestOutcome held = Ingest(Pd(AlertAction::kTrigger, "db"));
  const IngestOutcome paged = Ingest(Pd(AlertAction::kTrigger, "db", Severity::kSev3, &other));
  ASSERT_EQ(seen_.size(), 2u);
  ASSERT_TRUE(seen_[0]);
  EXPECT_EQ(seen_[0]->windows, std::vector<int64_t>{w.id});
  EXPECT_EQ(seen_[0]->until, now + hours(1));
  EXPECT_EQ(seen_[0]->reason, "database upgrade");
  EXPECT_FALSE(seen_[1]);
  EXPECT_THAT(Types(Detail(held.incident_number)),
              ElementsAre("incident.triggered", "alert.triggered", "maintenance.held"));
  EXPECT_THAT(Types(Detail(paged.incident_number)),
              ElementsAre("incident.triggered", "alert.triggered", "test.paged"));
  // The held step waits, durably, for the window's end.
  std::vector<Deadline> pending = PendingEscalations();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].incident_number, held.incident_number);
  EXPECT_EQ(pending[0].due_at, now + hours(1));
}

TEST_P(StoreMaintenanceTest, AnEarlyEndBringsTheHeldStepsForwardWithTheActorOnTheTimeline) {
  const TimePoint now = clock_.Now();
  const MaintenanceWindow w = *Create(OneOff(now, now + hours(1)));
  HoldLikeTheEngine();
  const IngestOutcome held = Ingest(Pd(AlertAction::kTrigger, "db"));
  clock_.Advance(minutes(20));
  Result<MaintenanceEnded> ended = End(w.id, "user:carol");
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_THAT(ended->released, ElementsAre(held.incident_number));
  // The step ran again at once (the fire-now hook), outside maintenance now: it paged.
  const IncidentDetail d = Detail(held.incident_number);
  EXPECT_THAT(Types(d), ElementsAre("incident.triggered", "alert.triggered", "maintenance.held",
                                    "maintenance.ended", "test.paged"));
  EXPECT_EQ(d.timeline[3].actor, "user:carol");
  EXPECT_THAT(d.timeline[3].data_json, ::testing::HasSubstr("\"early\":true"));
  EXPECT_TRUE(PendingEscalations().empty());
  ASSERT_FALSE(seen_.back());
}

TEST_P(StoreMaintenanceTest, AHeartbeatDoesNotExpireInMaintenanceAndCountsFromItsEnd) {
  PingedHeartbeat(seconds(10));
  const TimePoint now = clock_.Now();
  ASSERT_TRUE(Create(OneOff(now, now + minutes(10))).ok());

  auto fire_expiry = [&]() {
    Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
    EXPECT_TRUE(pending.ok());
    for (const Deadline& d : *pending) {
      if (d.kind != DeadlineKind::kHeartbeatExpire) continue;
      clock_.Set(d.due_at);
      Result<DeadlineFiring> fired = AwaitWrite<DeadlineFiring>([&](auto done) {
        store_->FireDeadline(
            d.id,
            [](const Deadline&, const std::optional<Incident>&, TimePoint) {
              return DeadlineEffects{};
            },
            done);
      });
      EXPECT_TRUE(fired.ok() && fired->fired);
      return d.due_at;
    }
    ADD_FAILURE() << "no pending expiry";
    return TimePoint{};
  };
  EXPECT_EQ(fire_expiry(), now + seconds(70));  // silent for interval + grace: in maintenance
  EXPECT_EQ(store_->GetHeartbeat("backup")->value().state, HeartbeatState::kHealthy);
  // Resumed at the window's end: interval + grace from then.
  EXPECT_EQ(fire_expiry(), now + minutes(10) + seconds(70));
  EXPECT_EQ(store_->GetHeartbeat("backup")->value().state, HeartbeatState::kExpired);
}

TEST_P(StoreMaintenanceTest, AnEarlyEndResumesTheHeartbeatsItHeldFromNow) {
  PingedHeartbeat(Duration::zero());
  const TimePoint now = clock_.Now();
  const MaintenanceWindow w = *Create(OneOff(now, now + hours(1)));
  auto pending_expiry = [&]() {
    Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
    EXPECT_TRUE(pending.ok());
    for (const Deadline& d : *pending) {
      if (d.kind == DeadlineKind::kHeartbeatExpire) return d;
    }
    ADD_FAILURE() << "no pending expiry";
    return Deadline{};
  };
  Deadline expiry = pending_expiry();
  clock_.Set(expiry.due_at);
  ASSERT_TRUE(AwaitWrite<DeadlineFiring>([&](auto done) {
                store_->FireDeadline(
                    expiry.id,
                    [](const Deadline&, const std::optional<Incident>&, TimePoint) {
                      return DeadlineEffects{};
                    },
                    done);
              }).ok());
  EXPECT_EQ(pending_expiry().due_at, now + hours(1) + seconds(60));  // held until the end
  clock_.Advance(minutes(5));
  ASSERT_TRUE(End(w.id).ok());
  EXPECT_EQ(pending_expiry().due_at, clock_.Now() + seconds(60));  // from the early end
  EXPECT_EQ(store_->GetHeartbeat("backup")->value().resumed_at, clock_.Now());
}

TEST_P(StoreMaintenanceTest, ConfiguredWindowsAreAppliedAtStartAndSurviveARestart) {
  const TimePoint now = clock_.Now();
  MaintenanceWindow configured = OneOff(now, now + hours(1));
  configured.config_id = "db-upgrade";
  configured.source = kMaintenanceFromConfig;
  ASSERT_TRUE(store_->ApplyConfiguredMaintenance({configured}).ok());
  ASSERT_TRUE(store_->ApplyConfiguredMaintenance({configured}).ok());  // the same: kept
  Result<std::vector<MaintenanceWindow>> all = store_->ListMaintenance();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  const MaintenanceWindow stored = all->front();
  EXPECT_EQ(stored.config_id, "db-upgrade");
  EXPECT_EQ(stored.created_by, "config");
  Result<MaintenanceWindow> refused = Cancel(stored.id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);

  Reopen();
  ASSERT_TRUE(store_->ApplyConfiguredMaintenance({}).ok());  // no longer configured
  Result<std::optional<MaintenanceWindow>> after = store_->GetMaintenance(stored.id);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->cancelled_by, "config");
  EXPECT_EQ(MaintenanceStateAt(**after, clock_.Now()), MaintenanceState::kCancelled);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreMaintenanceTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
