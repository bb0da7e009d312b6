#include "core/drill_notes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "core/evidence_check.h"

namespace loom {
namespace {

using std::chrono::minutes;
using ::testing::HasSubstr;

TimePoint At(int hour, int minute) {
  return TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 11 / 27}) +
         std::chrono::hours(hour) + minutes(minute);
}

TimelineEvent Event(int64_t seq, TimePoint at, std::string type, std::string actor,
                    std::string data) {
  TimelineEvent e;
  e.incident_number = 7;
  e.seq = seq;
  e.at = at;
  e.type = std::move(type);
  e.actor = std::move(actor);
  e.data_json = std::move(data);
  return e;
}

DrillNotes SampleNotes() {
  DrillNotes n;
  n.incident.number = 7;
  n.incident.title = "Sev1 availability tabletop drill";
  n.incident.kind = IncidentKind::kAvailability;
  n.incident.severity = Severity::kSev1;
  n.incident.service_id = "loom";
  n.incident.commander = "user:alice";
  n.incident.drill = true;
  n.incident.created_at = At(19, 30);
  n.timeline = {
      Event(1, At(19, 30), "incident.triggered", "token:ops",
            R"({"title":"Sev1 availability tabletop drill","severity":"sev1",)"
            R"("kind":"availability","service":"loom","drill":true})"),
      Event(2, At(19, 30), "escalation.notified", "system",
            R"({"step":0,"role":"primary","user":"alice","method":"page"})"),
      Event(3, At(19, 31), "notification.sent", "system", R"({"user":"alice"})"),
      Event(4, At(19, 33), "incident.acknowledged", "user:alice",
            R"({"from":"triggered","to":"acknowledged"})"),
      Event(5, At(19, 40), "incident.status_update", "user:alice",
            R"({"impact":"readiness flaps","mitigation":"raised outbox workers"})"),
      Event(6, At(19, 55), "incident.resolved", "user:alice", R"({"from":"acknowledged"})"),
  };
  n.what_worked = {"The page reached the primary within a minute."};
  n.gaps = {"No ETA in the first update."};
  n.followups = {{"Add an ETA field to the update template", "SRE", "2026-12-04"},
                 {"Backup-responder handoff checklist", "Platform", "2026-12-11"}};
  return n;
}

TEST(DrillNotes, FileNameIsTheStartDateAndTheTitleSlug) {
  DrillNotes n = SampleNotes();
  EXPECT_EQ(DrillNotesFileName(n.incident), "2026-11-27-sev1-availability-tabletop-drill.md");
  n.incident.title = "  Security: token leak?! ";
  EXPECT_EQ(DrillNotesFileName(n.incident), "2026-11-27-security-token-leak.md");
  n.incident.title = "!!!";
  EXPECT_EQ(DrillNotesFileName(n.incident), "2026-11-27-availability-drill.md");
}

TEST(DrillNotes, RendersTheSectionsOfTheLoomDrillNote) {
  const std::string md = RenderDrillNotes(SampleNotes());
  EXPECT_THAT(md, HasSubstr("# LOOM Drill: Sev1 availability tabletop drill\n"));
  EXPECT_THAT(md, HasSubstr("- Date: 2026-11-27\n"));
  EXPECT_THAT(md, HasSubstr("- Scenario: Availability (sev1 tabletop drill, service loom)\n"));
  EXPECT_THAT(md, HasSubstr("- Commander: alice\n"));
  // No participants given: the people the timeline names.
  EXPECT_THAT(md, HasSubstr("- Participants: token:ops, alice\n"));
  EXPECT_THAT(md, HasSubstr("## Timeline Summary\n\n1. 19:30 UTC — Drill opened: Sev1 "
                            "availability tabletop drill (sev1, availability, service loom).\n"
                            "2. 19:30 UTC — Notified alice as primary (page, step 0).\n"
                            "3. 19:33 UTC — Acknowledged by alice.\n"
                            "4. 19:40 UTC — Status update by alice: impact — readiness flaps; "
                            "mitigation — raised outbox workers.\n"
                            "5. 19:55 UTC — Resolved by alice.\n"));
  EXPECT_THAT(md, HasSubstr("## What Worked\n\n- The page reached the primary within a minute.\n"));
  EXPECT_THAT(md, HasSubstr("## Gaps\n\n- No ETA in the first update.\n"));
  EXPECT_THAT(md, HasSubstr("## Follow-Up\n\n- [ ] Add an ETA field to the update template "
                            "(Owner: SRE, Due: 2026-12-04).\n"));
}

TEST(DrillNotes, TheEvidenceCheckAcceptsTheNotes) {
  DrillNotes n = SampleNotes();
  std::vector<EvidenceFinding> findings =
      CheckDrillNotes({{DrillNotesFileName(n.incident), RenderDrillNotes(n)}}, 1, "drills");
  ASSERT_EQ(findings.size(), 2u);
  for (const EvidenceFinding& f : findings) {
    EXPECT_EQ(f.level, EvidenceFinding::Level::kPass) << f.message;
  }
  EXPECT_THAT(findings[1].message, HasSubstr("has 2 follow-up items with owners and due dates"));
}

TEST(DrillNotes, FollowUpsNeedTitleOwnerAndARealDueDate) {
  EXPECT_TRUE(ValidateFollowUp({"Fix it", "SRE", "2026-12-04"}).ok());
  EXPECT_FALSE(ValidateFollowUp({"", "SRE", "2026-12-04"}).ok());
  EXPECT_FALSE(ValidateFollowUp({"Fix it", "", "2026-12-04"}).ok());
  EXPECT_FALSE(ValidateFollowUp({"Fix it", "SRE", "next week"}).ok());
  Status bad = ValidateFollowUp({"Fix it", "SRE", "2026-02-30"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "follow-up \"Fix it\" needs a due date YYYY-MM-DD (got \"2026-02-30\")");
}

}  // namespace
}  // namespace loom
