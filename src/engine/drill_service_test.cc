// The drill service over a real store (SQLite), the fake clock and a fake notes writer: what a
// start and a finish write, and what a failed notes write or a failed store write leaves behind
// (nothing: finishing again retries).
#include "engine/drill_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/drill_deadline.h"
#include "engine/engine_test_support.h"

namespace loom {
namespace {

using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Keeps the notes in memory; fails every write while `fail` is set.
class FakeNotes final : public DrillNotesWriter {
 public:
  Result<std::string> Write(const Incident& drill, const std::string& text) override {
    ++calls;
    const std::string path = "/notes/" + drill.id() + ".md";
    if (fail) return Error::Internal("cannot write the drill notes to " + path);
    written[path] = text;
    return path;
  }
  bool fail = false;
  int calls = 0;
  std::map<std::string, std::string> written;
};

class DrillServiceTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    CreateLoomService();
    service_ = std::make_unique<DrillService>(*store_, clock_, settings_, anchor_, notes_,
                                              [](const std::string& id) { return id == "alice"; });
  }

  static DrillStart Availability() {
    DrillStart s;
    s.scenario = IncidentKind::kAvailability;
    s.service = "loom";
    s.actor = "user:bob";
    return s;
  }

  DrillFinish FinishOf(int64_t number) {
    DrillFinish f;
    f.number = number;
    f.name = IncidentId(number);
    f.actor = "user:carol";
    f.what_worked = {"the page arrived"};
    f.gaps = {"no ETA"};
    f.participants = {"SRE"};
    f.followups = {{"Add an ETA", "alice", "2026-11-20"},
                   {"Rehearse rotation", "SRE", "2026-12-01"}};
    return f;
  }

  IncidentDetail Detail(int64_t number) {
    Result<std::optional<IncidentDetail>> d = store_->GetIncident(number);
    EXPECT_TRUE(d.ok() && d->has_value());
    return **d;
  }

  std::vector<Followup> DrillFollowups() {
    FollowupFilter filter;
    filter.source_kind = "drill";
    Result<std::vector<Followup>> all = store_->ListFollowups(filter);
    EXPECT_TRUE(all.ok());
    return *all;
  }

  DrillSettings settings_;  // every month, availability then security, service loom
  const TimePoint anchor_ = clock_.Now();
  FakeNotes notes_;
  std::unique_ptr<DrillService> service_;
};

TEST_F(DrillServiceTest, StartOpensTheDrillWithCommanderNoteAndTheNextDrillDue) {
  ASSERT_TRUE(StartDrillSchedule(settings_, *store_, clock_.Now()).ok());
  ASSERT_EQ(PendingOfKind(DeadlineKind::kDrillDue).size(), 1u);
  clock_.Advance(minutes(30));
  DrillStart start = Availability();
  start.commander = "alice";
  start.participants = {"Platform", "Security"};
  Result<Incident> drill = service_->Start(start);
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  EXPECT_TRUE(drill->drill);
  EXPECT_EQ(drill->title, "sev1 availability tabletop drill");
  EXPECT_EQ(drill->commander, "alice");
  EXPECT_EQ(drill->created_at, clock_.Now());
  EXPECT_THAT(EventTypes(drill->number, "incident."),
              ElementsAre(HasSubstr("incident.triggered"), HasSubstr("incident.commander_assigned"),
                          "incident.note {\"note\":\"Drill participants: Platform, Security\"}"));
  // The next drill: a month after this one, the other scenario; the earlier one is replaced.
  std::vector<Deadline> due = PendingOfKind(DeadlineKind::kDrillDue);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due_at, AddDrillInterval(drill->created_at, settings_.every));
  EXPECT_EQ(nlohmann::json::parse(due[0].payload_json)["scenario"], "security");
}

TEST_F(DrillServiceTest, StartOfAnUnknownServiceWritesNothing) {
  DrillStart start = Availability();
  start.service = "nope";
  Result<Incident> drill = service_->Start(start);
  ASSERT_FALSE(drill.ok());
  EXPECT_EQ(drill.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(drill.error().fields.size(), 1u);
  EXPECT_EQ(drill.error().fields[0].pointer, "/service");
  EXPECT_THAT(store_->ListIncidents(IncidentFilter{})->incidents, IsEmpty());
  EXPECT_THAT(PendingOfKind(DeadlineKind::kDrillDue), IsEmpty());
}

TEST_F(DrillServiceTest, FinishResolvesWritesTheNotesClosesAndTracksUsersFollowups) {
  Result<Incident> drill = service_->Start(Availability());
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  clock_.Advance(minutes(20));
  Result<DrillFinishOutcome> done = service_->Finish(FinishOf(drill->number));
  ASSERT_TRUE(done.ok()) << done.error().message;

  EXPECT_EQ(done->drill.state, IncidentState::kClosed);
  EXPECT_EQ(done->drill.commander, "user:carol");  // none was named: whoever finished it
  EXPECT_EQ(done->notes_path, "/notes/INC-1.md");
  EXPECT_THAT(done->tracked, ElementsAre("FU-1"));
  EXPECT_THAT(done->untracked, ElementsAre("Rehearse rotation"));  // SRE is not a user

  // The notes see the drill resolved (with its commander), not yet closed.
  ASSERT_EQ(notes_.written.count("/notes/INC-1.md"), 1u);
  const std::string& text = notes_.written["/notes/INC-1.md"];
  EXPECT_THAT(text, HasSubstr("- Commander: carol\n"));
  EXPECT_THAT(text, HasSubstr("- Participants: SRE\n"));
  EXPECT_THAT(text, HasSubstr("09:20 UTC — Incident commander: carol."));
  EXPECT_THAT(text, HasSubstr("09:20 UTC — Resolved by carol."));
  EXPECT_THAT(text, HasSubstr("- the page arrived\n"));
  EXPECT_THAT(text, HasSubstr("- [ ] Rehearse rotation (Owner: SRE, Due: 2026-12-01)."));

  EXPECT_THAT(EventTypes(drill->number, "incident.closed"),
              ElementsAre(HasSubstr("\"note\":\"drill notes: /notes/INC-1.md\"")));
  std::vector<Followup> tracked = DrillFollowups();
  ASSERT_EQ(tracked.size(), 1u);
  EXPECT_EQ(tracked[0].title, "Add an ETA");
  EXPECT_EQ(tracked[0].owner, "alice");
  EXPECT_EQ(tracked[0].source_ref, "INC-1");
  EXPECT_EQ(tracked[0].service_id, "loom");
  EXPECT_EQ(tracked[0].created_by, "user:carol");
}

TEST_F(DrillServiceTest, AFailedNotesWriteLeavesTheDrillAsItWasAndFinishingAgainRetries) {
  Result<Incident> drill = service_->Start(Availability());
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  const size_t events = Detail(drill->number).timeline.size();
  notes_.fail = true;
  Result<DrillFinishOutcome> failed = service_->Finish(FinishOf(drill->number));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kInternal);
  EXPECT_EQ(failed.error().message, "cannot write the drill notes to /notes/INC-1.md");
  EXPECT_EQ(notes_.calls, 1);

  // Neither the commander nor the resolve nor any follow-up: the drill as it was.
  IncidentDetail now = Detail(drill->number);
  EXPECT_EQ(now.incident.state, IncidentState::kTriggered);
  EXPECT_EQ(now.incident.commander, "");
  EXPECT_EQ(now.timeline.size(), events);
  EXPECT_THAT(DrillFollowups(), IsEmpty());

  notes_.fail = false;
  Result<DrillFinishOutcome> again = service_->Finish(FinishOf(drill->number));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->drill.state, IncidentState::kClosed);
  EXPECT_THAT(again->tracked, ElementsAre("FU-1"));
  EXPECT_EQ(DrillFollowups().size(), 1u);
}

TEST_F(DrillServiceTest, AFailedStoreWriteWritesNoNotesAndChangesNothing) {
  Result<Incident> drill = service_->Start(Availability());
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  store_->Shutdown();  // every later write fails; reads still work

  Result<DrillFinishOutcome> failed = service_->Finish(FinishOf(drill->number));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(notes_.calls, 0);
  EXPECT_EQ(Detail(drill->number).incident.state, IncidentState::kTriggered);
  EXPECT_THAT(DrillFollowups(), IsEmpty());

  Result<Incident> second = service_->Start(Availability());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(store_->ListIncidents(IncidentFilter{})->incidents.size(), 1u);
}

TEST_F(DrillServiceTest, FinishingAClosedDrillConflictsAndAnIncidentThatIsNoDrillIsNotFound) {
  Result<Incident> drill = service_->Start(Availability());
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  ASSERT_TRUE(service_->Finish(FinishOf(drill->number)).ok());
  DrillFinish again = FinishOf(drill->number);
  again.name = "1";  // as the caller named it
  Result<DrillFinishOutcome> closed = service_->Finish(again);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(closed.error().message, "1 is closed; the drill is finished");

  const int64_t real = Trigger("real-1", Severity::kSev2);
  Result<DrillFinishOutcome> not_drill = service_->Finish(FinishOf(real));
  ASSERT_FALSE(not_drill.ok());
  EXPECT_EQ(not_drill.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(not_drill.error().message, "no drill INC-2");
  EXPECT_EQ(Detail(real).incident.state, IncidentState::kTriggered);
  EXPECT_EQ(notes_.calls, 1);
}

}  // namespace
}  // namespace loom
