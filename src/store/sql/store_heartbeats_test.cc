// HeartbeatStore on both back ends: definitions, pings, the heartbeat_expire deadline (re-armed
// by later pings, expiring exactly interval + grace after the last one into an incident of the
// heartbeat's service), the ping that resolves it, and a restart.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;

class StoreHeartbeatsTest : public sql::testing::StoreTest {
 protected:
  static Heartbeat Backup() {
    Heartbeat hb;
    hb.id = "nightly-backup";
    hb.service_id = "loom";
    hb.name = "backup";
    hb.interval = seconds(60);
    hb.grace = seconds(10);
    hb.severity = Severity::kSev2;
    return hb;
  }

  Result<Heartbeat> Create(const Heartbeat& hb) {
    return AwaitWrite<Heartbeat>([&](auto done) { store_->CreateHeartbeat(hb, done); });
  }
  Result<HeartbeatPinged> Ping(const std::string& id, const std::string& service = "loom") {
    HeartbeatPing p;
    p.id = id;
    p.service_id = service;
    return AwaitWrite<HeartbeatPinged>([&](auto done) { store_->PingHeartbeat(p, done); });
  }
  Heartbeat Get(const std::string& id) {
    Result<std::optional<Heartbeat>> hb = store_->GetHeartbeat(id);
    EXPECT_TRUE(hb.ok() && hb->has_value());
    return hb.ok() && hb->has_value() ? **hb : Heartbeat{};
  }
  // The pending heartbeat_expire deadlines.
  std::vector<Deadline> Expiries() {
    std::vector<Deadline> out;
    Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
    EXPECT_TRUE(pending.ok()) << pending.error().message;
    if (!pending.ok()) return out;
    for (const Deadline& d : *pending) {
      if (d.kind == DeadlineKind::kHeartbeatExpire) out.push_back(d);
    }
    return out;
  }
  DeadlineFiring Fire(int64_t id) {
    Result<DeadlineFiring> r = AwaitWrite<DeadlineFiring>([&](auto done) {
      store_->FireDeadline(
          id,
          [](const Deadline&, const std::optional<Incident>&, TimePoint) {
            return DeadlineEffects{};
          },
          done);
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : DeadlineFiring{};
  }
  // Fires the one pending expiry (the engine would at its due time) and answers it.
  Deadline FireTheExpiry() {
    std::vector<Deadline> pending = Expiries();
    EXPECT_EQ(pending.size(), 1u);
    if (pending.empty()) return {};
    clock_.Set(pending[0].due_at);
    EXPECT_TRUE(Fire(pending[0].id).fired);
    return pending[0];
  }
  std::vector<Incident> OpenIncidents() {
    IncidentFilter f;
    f.open_only = true;
    Result<IncidentPage> page = store_->ListIncidents(f);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->incidents : std::vector<Incident>{};
  }
};

TEST_P(StoreHeartbeatsTest, CreateListUpdateDelete) {
  Result<Heartbeat> created = Create(Backup());
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->state, HeartbeatState::kInactive);
  EXPECT_EQ(created->source, kHeartbeatFromApi);

  Result<Heartbeat> again = Create(Backup());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  Heartbeat same_name = Backup();
  same_name.id = "other";
  EXPECT_EQ(Create(same_name).error().code, ErrorCode::kConflict);
  Heartbeat no_service = Backup();
  no_service.id = "orphan";
  no_service.service_id = "nope";
  EXPECT_EQ(Create(no_service).error().code, ErrorCode::kInvalidArgument);

  HeartbeatPatch patch;
  patch.id = "nightly-backup";
  patch.interval = seconds(120);
  patch.severity = Severity::kSev1;
  Result<Heartbeat> updated =
      AwaitWrite<Heartbeat>([&](auto done) { store_->UpdateHeartbeat(patch, done); });
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(Get("nightly-backup").interval, seconds(120));
  EXPECT_EQ(Get("nightly-backup").severity, Severity::kSev1);

  Result<std::vector<Heartbeat>> all = store_->ListHeartbeats();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 1u);
  Result<Heartbeat> deleted =
      AwaitWrite<Heartbeat>([&](auto done) { store_->DeleteHeartbeat("nightly-backup", done); });
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(store_->ListHeartbeats()->empty());
  EXPECT_EQ(
      AwaitWrite<Heartbeat>([&](auto done) { store_->DeleteHeartbeat("nightly-backup", done); })
          .error()
          .code,
      ErrorCode::kNotFound);
}

TEST_P(StoreHeartbeatsTest, PingsOfAnotherServiceOrUnknownHeartbeatsAreNotFound) {
  ASSERT_TRUE(Create(Backup()).ok());
  AddService("other", false);
  EXPECT_EQ(Ping("nightly-backup", "other").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Ping("missing").error().code, ErrorCode::kNotFound);
  // By name within the service (the Opsgenie path).
  HeartbeatPing by_name;
  by_name.name = "backup";
  by_name.service_id = "loom";
  Result<HeartbeatPinged> pinged =
      AwaitWrite<HeartbeatPinged>([&](auto done) { store_->PingHeartbeat(by_name, done); });
  ASSERT_TRUE(pinged.ok()) << pinged.error().message;
  EXPECT_EQ(pinged->heartbeat.id, "nightly-backup");
  EXPECT_EQ(Get("nightly-backup").state, HeartbeatState::kHealthy);
}

TEST_P(StoreHeartbeatsTest, ExpiresIntervalPlusGraceAfterTheLastPingIntoOneIncident) {
  ASSERT_TRUE(Create(Backup()).ok());
  const TimePoint first = clock_.Now();
  ASSERT_TRUE(Ping("nightly-backup").ok());
  ASSERT_EQ(Expiries().size(), 1u);
  EXPECT_EQ(Expiries()[0].due_at, first + seconds(70));
  EXPECT_EQ(Expiries()[0].incident_number, 0);

  // A healthy heartbeat's ping writes no deadline: the pending one re-arms when it fires.
  clock_.Advance(seconds(50));
  const TimePoint second = clock_.Now();
  ASSERT_TRUE(Ping("nightly-backup").ok());
  ASSERT_EQ(Expiries().size(), 1u);
  FireTheExpiry();
  ASSERT_EQ(Expiries().size(), 1u);
  EXPECT_EQ(Expiries()[0].due_at, second + seconds(70));
  EXPECT_EQ(Get("nightly-backup").state, HeartbeatState::kHealthy);
  EXPECT_TRUE(OpenIncidents().empty());

  FireTheExpiry();
  EXPECT_EQ(clock_.Now(), second + seconds(70));
  const Heartbeat expired = Get("nightly-backup");
  EXPECT_EQ(expired.state, HeartbeatState::kExpired);
  EXPECT_TRUE(Expiries().empty());
  std::vector<Incident> open = OpenIncidents();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].number, expired.incident_number);
  EXPECT_EQ(open[0].service_id, "loom");
  EXPECT_EQ(open[0].severity, Severity::kSev2);
  EXPECT_EQ(open[0].state, IncidentState::kTriggered);
  EXPECT_EQ(open[0].title, HeartbeatExpiredTitle(Get("nightly-backup"), clock_.Now()));
  EXPECT_EQ(Detail(open[0].number).timeline[0].actor, "heartbeat:nightly-backup");
}

TEST_P(StoreHeartbeatsTest, TheNextPingResolvesTheIncidentOnItsTimeline) {
  ASSERT_TRUE(Create(Backup()).ok());
  ASSERT_TRUE(Ping("nightly-backup").ok());
  FireTheExpiry();
  const int64_t number = Get("nightly-backup").incident_number;
  ASSERT_NE(number, 0);

  clock_.Advance(seconds(5));
  Result<HeartbeatPinged> pinged = Ping("nightly-backup");
  ASSERT_TRUE(pinged.ok()) << pinged.error().message;
  EXPECT_EQ(pinged->resolved_incident, number);
  EXPECT_EQ(pinged->heartbeat.state, HeartbeatState::kHealthy);
  const IncidentDetail d = Detail(number);
  EXPECT_EQ(d.incident.state, IncidentState::kResolved);
  EXPECT_EQ(d.timeline.back().type, "incident.resolved");
  EXPECT_EQ(d.timeline.back().actor, "heartbeat:nightly-backup");
  ASSERT_EQ(Expiries().size(), 1u);
  EXPECT_EQ(Expiries()[0].due_at, clock_.Now() + seconds(70));

  // The next expiry opens a new incident (one open incident per heartbeat at a time).
  FireTheExpiry();
  const int64_t second = Get("nightly-backup").incident_number;
  EXPECT_NE(second, number);
  EXPECT_EQ(OpenIncidents().size(), 1u);
}

TEST_P(StoreHeartbeatsTest, AutoResolvingServiceResolvesThroughTheIngestPath) {
  AddService("auto", /*auto_resolve=*/true);
  Heartbeat hb = Backup();
  hb.id = "cron";
  hb.service_id = "auto";
  ASSERT_TRUE(Create(hb).ok());
  ASSERT_TRUE(Ping("cron", "auto").ok());
  FireTheExpiry();
  const int64_t number = Get("cron").incident_number;
  Result<HeartbeatPinged> pinged = Ping("cron", "auto");
  ASSERT_TRUE(pinged.ok()) << pinged.error().message;
  EXPECT_EQ(pinged->resolved_incident, number);
  EXPECT_EQ(Detail(number).incident.state, IncidentState::kResolved);
}

TEST_P(StoreHeartbeatsTest, DisabledPagesNothingAndEnablingArmsFromNow) {
  ASSERT_TRUE(Create(Backup()).ok());
  ASSERT_TRUE(Ping("nightly-backup").ok());
  HeartbeatPatch off;
  off.id = "nightly-backup";
  off.enabled = false;
  ASSERT_TRUE(AwaitWrite<Heartbeat>([&](auto done) { store_->UpdateHeartbeat(off, done); }).ok());
  EXPECT_TRUE(Expiries().empty());
  clock_.Advance(std::chrono::hours(2));
  EXPECT_TRUE(OpenIncidents().empty());

  HeartbeatPatch on = off;
  on.enabled = true;
  ASSERT_TRUE(AwaitWrite<Heartbeat>([&](auto done) { store_->UpdateHeartbeat(on, done); }).ok());
  ASSERT_EQ(Expiries().size(), 1u);
  EXPECT_EQ(Expiries()[0].due_at, clock_.Now() + seconds(70));
}

TEST_P(StoreHeartbeatsTest, ConfiguredHeartbeatsAreAppliedAndResumedAtStart) {
  Heartbeat api = Backup();
  api.id = "from-api";
  api.name = "api";
  ASSERT_TRUE(Create(api).ok());
  ASSERT_TRUE(Ping("from-api").ok());
  Heartbeat configured = Backup();
  configured.source = kHeartbeatFromConfig;
  ASSERT_TRUE(store_->ApplyConfiguredHeartbeats({configured}).ok());
  ASSERT_TRUE(Ping("nightly-backup").ok());

  // Down for an hour (no expiry could fire, no ping could arrive), then started again.
  clock_.Advance(std::chrono::hours(1));
  Reopen();
  configured.interval = seconds(30);
  ASSERT_TRUE(store_->ApplyConfiguredHeartbeats({configured}).ok());
  const Heartbeat resumed = Get("nightly-backup");
  EXPECT_EQ(resumed.interval, seconds(30));
  EXPECT_EQ(resumed.state, HeartbeatState::kHealthy);
  EXPECT_EQ(resumed.resumed_at, clock_.Now());
  std::vector<TimePoint> due;
  for (const Deadline& d : Expiries()) due.push_back(d.due_at);
  EXPECT_THAT(due, ElementsAre(clock_.Now() + seconds(40), clock_.Now() + seconds(70)));

  // No longer configured: gone. The API's stays.
  ASSERT_TRUE(store_->ApplyConfiguredHeartbeats({}).ok());
  Result<std::vector<Heartbeat>> all = store_->ListHeartbeats();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, "from-api");
  EXPECT_EQ(Expiries().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreHeartbeatsTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
