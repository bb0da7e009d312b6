#include "core/review.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/time_format.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TimePoint T(const char* text) { return *ParseRfc3339(text); }

TimelineEvent Event(const char* at, const char* type, const char* actor, const char* data) {
  TimelineEvent e;
  e.at = T(at);
  e.type = type;
  e.actor = actor;
  e.data_json = data;
  return e;
}

Incident Closed() {
  Incident in;
  in.number = 4;
  in.title = "LOOM node down";
  in.service_id = "loom";
  in.severity = Severity::kSev1;
  in.state = IncidentState::kClosed;
  in.commander = "user:alice";
  in.created_at = T("2026-11-20T10:00:00Z");
  in.acknowledged_at = T("2026-11-20T10:03:00Z");
  in.resolved_at = T("2026-11-20T10:45:00Z");
  in.closed_at = T("2026-11-20T11:00:00Z");
  return in;
}

TEST(Review, DraftKeepsTheKeyEventsAndTheFinalSummary) {
  std::vector<TimelineEvent> timeline = {
      Event("2026-11-20T10:00:00Z", "incident.triggered", "integration:loom", "{}"),
      Event("2026-11-20T10:00:01Z", "alert.triggered", "integration:loom", "{}"),
      Event("2026-11-20T10:03:00Z", "incident.acknowledged", "user:alice", "{}"),
      Event("2026-11-20T10:20:00Z", "commander.handover", "user:alice",
            R"({"from":"user:alice","to":"bob","commander":"bob"})"),
      Event("2026-11-20T10:30:00Z", "incident.status_update", "user:bob",
            R"({"impact":"writes fail","mitigation":"failing over"})"),
      Event("2026-11-20T10:45:00Z", "incident.resolved", "user:bob", "{}"),
  };
  FinalSummary summary;
  summary.root_cause = "PostgreSQL ran out of disk";
  summary.customer_impact = "45 minutes of failed writes";
  summary.remediation = "grew the volume";
  Review r = DraftReview(Closed(), timeline, &summary, "token:ci", T("2026-11-21T09:00:00Z"));
  ASSERT_EQ(r.timeline.size(), 5u) << "alert.triggered is not a key event";
  EXPECT_EQ(r.timeline[2].text, "commander handed over from user:alice to bob");
  EXPECT_EQ(r.timeline[3].text, "status update: impact writes fail; mitigation failing over");
  EXPECT_EQ(r.root_cause, summary.root_cause);
  EXPECT_THAT(r.summary, HasSubstr("acknowledged after 3 min"));
  EXPECT_THAT(r.summary, HasSubstr("resolved after 45 min"));
  EXPECT_FALSE(r.published());
  EXPECT_TRUE(ReviewRequired(Severity::kSev2));
  EXPECT_FALSE(ReviewRequired(Severity::kSev3));
}

TEST(Review, PublishNeedsEveryPartAndOwnedDatedFollowups) {
  Review r;
  auto is_user = [](const std::string& u) { return u == "alice"; };
  EXPECT_THAT(PublishProblems(r, {}, "", is_user),
              ElementsAre("summary is empty", "root_cause is empty", "customer_impact is empty",
                          "remediation is empty",
                          "there are no follow-ups and the final summary does not say why"));
  r.summary = r.root_cause = r.customer_impact = r.remediation = "x";
  EXPECT_TRUE(PublishProblems(r, {}, "nothing to do", is_user).empty());
  Followup f;
  f.number = 3;
  f.owner = "mallory";
  EXPECT_THAT(PublishProblems(r, {f}, "", is_user),
              ElementsAre("FU-3 has no owner who is a configured user", "FU-3 has no due date"));
  f.owner = "alice";
  f.due_at = T("2026-12-01T00:00:00Z");
  EXPECT_TRUE(PublishProblems(r, {f}, "", is_user).empty());
}

TEST(Review, MarkdownHasEverySection) {
  Review r;
  r.title = "LOOM node down";
  r.summary = "Sev1 on loom.";
  r.timeline.push_back({T("2026-11-20T10:03:00Z"), "incident.acknowledged", "user:alice",
                        "acknowledged | by pager"});
  r.root_cause = "disk";
  r.published_at = T("2026-11-22T08:00:00Z");
  r.published_by = "token:ci";
  Followup f;
  f.number = 1;
  f.title = "Alert at 80%";
  f.owner = "alice";
  f.due_at = T("2026-12-01T23:59:59Z");
  const std::string md = ReviewMarkdown(r, Closed(), {f});
  EXPECT_THAT(md, HasSubstr("# Post-incident review: INC-4 LOOM node down\n"));
  EXPECT_THAT(md, HasSubstr("- Status: published 2026-11-22T08:00:00.000Z by token:ci"));
  EXPECT_THAT(md,
              HasSubstr("| 2026-11-20T10:03:00.000Z | acknowledged \\| by pager | user:alice |"));
  EXPECT_THAT(md, HasSubstr("## Root cause\n\ndisk\n"));
  EXPECT_THAT(md, HasSubstr("## Customer impact\n\n_(none)_\n"));
  EXPECT_THAT(md, HasSubstr("| FU-1 | Alert at 80% | alice | 2026-12-01T23:59:59.000Z | open |"));
}

}  // namespace
}  // namespace loom
