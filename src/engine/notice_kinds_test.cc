// Every kind of notification the engine makes says what it is, in every channel (issue 16: the
// escalation manager's notice when a Sev1 opened read "Missed status update — The status update
// due at  was not posted"). The rows come from the engine's own rules (DecideDeadline,
// ChannelPosts), the message from BuildNotice, and each channel renders it: e-mail (subject,
// text, HTML), Slack, webhook.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/html.h"
#include "common/time_format.h"
#include "engine/deadline_rules.h"
#include "engine/delivery_rules.h"
#include "engine/drill_deadline.h"
#include "engine/engine_test_support.h"
#include "notify/email/email_channel.h"
#include "notify/slack/slack_channel.h"
#include "notify/webhook/webhook_channel.h"

namespace loom {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const TimePoint kNow = ParseRfc3339("2026-11-02T10:00:00Z").value();

std::shared_ptr<const OnCallSnapshot> Roster() {
  std::vector<Schedule> schedules = {testing::WeeklySchedule("prim", "alice"),
                                     testing::WeeklySchedule("second", "bob"),
                                     testing::WeeklySchedule("mgr", "erin")};
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"},
                                             {OnCallRole::kSecondary, "second"},
                                             {OnCallRole::kEscalationManager, "mgr"}};
  return std::make_shared<const OnCallSnapshot>(
      OnCallResolver(std::move(schedules), {{"db", roles}}), std::map<std::string, User>{},
      std::map<std::string, BusinessCalendar>{});
}

Incident Inc(Severity severity, IncidentState state = IncidentState::kTriggered) {
  Incident inc;
  inc.number = 12;
  inc.service_id = "db";
  inc.title = "Database down";
  inc.severity = severity;
  inc.state = state;
  if (state != IncidentState::kTriggered) inc.commander = "user:carol";
  return inc;
}

// One kind: where its row comes from, and what its message must say.
struct Kind {
  std::string name;
  std::string type;  // Notice::type (the webhook's "type")
  std::string summary;
  std::string detail_has;  // a phrase of the detail that only this kind has
};

class NoticeKindsTest : public testing::StoreFixture {
 protected:
  NoticeKindsTest() : oncall_(Roster()), policy_(BuiltInPolicy(0)) {}

  std::vector<OutboxEntry> Fire(DeadlineKind kind, const json& payload,
                                std::optional<Incident> incident) {
    Deadline d;
    d.kind = kind;
    d.due_at = kNow;
    d.payload_json = payload.dump();
    return DecideDeadline(d, incident, kNow, *policy_, *oncall_).outbox;
  }

  // The single row of `rows` with this channel and role.
  OutboxEntry Row(const std::vector<OutboxEntry>& rows, const std::string& channel,
                  const std::string& role) {
    for (const OutboxEntry& r : rows) {
      if (r.channel == channel && r.role == role) return r;
    }
    ADD_FAILURE() << "no " << channel << " row for " << role;
    return {};
  }

  // Every kind of notification, built as the engine builds it.
  std::vector<std::pair<Kind, Notice>> AllKinds() {
    std::vector<std::pair<Kind, Notice>> out;
    auto add = [&](Kind kind, const OutboxEntry& row) {
      Notice n = BuildNotice({row}, *oncall_);
      n.id = "msg_" + kind.name;
      out.emplace_back(std::move(kind), std::move(n));
    };
    const auto opened =
        Fire(DeadlineKind::kEscalate, {{"arm", 1}, {"step", 0}}, Inc(Severity::kSev1));
    add({"page", "page", "Sev1 page (primary, step 0)", "You are paged as primary of service db"},
        Row(opened, "page", "primary"));
    add({"notice at open", "notify", "Sev1 incident opened: notice to the escalation manager",
         "For your information as escalation manager of service db"},
        Row(opened, "notify", "escalation_manager"));
    add({"escalation to the secondary", "page", "Sev1 page, escalated (secondary, step 1)",
         "Nobody has acknowledged it yet"},
        Row(Fire(DeadlineKind::kEscalate, {{"arm", 1}, {"step", 1}}, Inc(Severity::kSev1)), "page",
            "secondary"));
    add({"escalation to the manager", "page", "Sev1 page, escalated (escalation_manager, step 2)",
         "you are paged as escalation manager of service db (escalation step 2)"},
        Row(Fire(DeadlineKind::kEscalate, {{"arm", 1}, {"step", 2}}, Inc(Severity::kSev1)), "page",
            "escalation_manager"));
    add({"page of the assignee", "page", "Sev1 page: reassigned to you", "was reassigned to you"},
        Row(Fire(DeadlineKind::kEscalate, {{"arm", 1}, {"step", 0}, {"assignee", "bob"}},
                 Inc(Severity::kSev1)),
            "page", "assignee"));
    add({"ticket", "ticket", "Sev3 ticket (primary, step 0)",
         "You are notified as primary of service db"},
        Row(Fire(DeadlineKind::kEscalate, {{"arm", 1}, {"step", 0}}, Inc(Severity::kSev3)),
            "ticket", "primary"));
    add({"escalated ticket", "ticket", "Sev3 ticket, escalated (secondary, step 1)",
         "you are notified as secondary of service db (escalation step 1)"},
        Row(Fire(DeadlineKind::kEscalate, {{"arm", 1}, {"step", 1}}, Inc(Severity::kSev3)),
            "ticket", "secondary"));
    const json due = {{"due", ToUnixMicros(kNow + std::chrono::minutes(5))}};
    add({"status update reminder", "reminder", "Status update due",
         "post the next status update before 2026-11-02T10:05:00.000Z"},
        Row(Fire(DeadlineKind::kUpdateReminder, due,
                 Inc(Severity::kSev1, IncidentState::kAcknowledged)),
            "reminder", "commander"));
    add({"missed update", "notify", "Missed status update",
         "The status update due at 2026-11-02T10:05:00.000Z was not posted"},
        Row(Fire(DeadlineKind::kUpdateDue, due, Inc(Severity::kSev1, IncidentState::kAcknowledged)),
            "notify", "escalation_manager"));
    const json followup = {{"followup", 3},   {"owner", "bob"},     {"title", "Add an alert"},
                           {"service", "db"}, {"source", "INC-12"}, {"due", ToUnixMicros(kNow)}};
    add({"follow-up reminder", "reminder", "Follow-up due soon: FU-3 Add an alert",
         "Owner bob, due 2026-11-02T10:00:00.000Z."},
        Row(Fire(DeadlineKind::kFollowupReminder, followup, std::nullopt), "reminder", "owner"));
    const auto overdue = Fire(DeadlineKind::kFollowupDue, followup, std::nullopt);
    add({"follow-up overdue", "overdue", "Follow-up overdue: FU-3 Add an alert",
         "Owner bob, due 2026-11-02T10:00:00.000Z."},
        Row(overdue, "overdue", "owner"));
    add({"follow-up overdue to the manager", "overdue", "Follow-up overdue: FU-3 Add an alert",
         "; you are notified as escalation manager."},
        Row(overdue, "overdue", "escalation_manager"));
    add({"drill overdue", "drill_overdue",
         "Drill overdue: the availability drill of service db was due 2026-11-02T10:00:00.000Z",
         "loom-oncall drill start --scenario availability"},
        Row(Fire(DeadlineKind::kDrillDue,
                 {{"scenario", "availability"},
                  {"service", "db"},
                  {"every", "1mo"},
                  {"due", ToUnixMicros(kNow)}},
                 std::nullopt),
            "drill_overdue", "escalation_manager"));

    // The incident channel's post of each lifecycle event.
    const std::vector<std::tuple<std::string, json, std::string>> events = {
        {"incident.triggered", {{"title", "Database down"}}, "Incident opened"},
        {"incident.acknowledged", {{"from", "triggered"}, {"to", "acknowledged"}}, "Acknowledged"},
        {"incident.unacknowledged",
         {{"from", "acknowledged"}, {"to", "triggered"}},
         "Acknowledgement withdrawn, paging again"},
        {"incident.mitigated", {{"from", "acknowledged"}, {"to", "mitigated"}}, "Mitigated"},
        {"incident.resolved", {{"from", "mitigated"}, {"to", "resolved"}}, "Resolved"},
        {"incident.closed", {{"from", "resolved"}, {"to", "closed"}}, "Closed"},
        {"incident.severity_changed", {{"from", "sev2"}, {"to", "sev1"}}, "Severity changed"},
        {"incident.commander_assigned", {{"commander", "user:carol"}}, "Commander assigned"},
        {"commander.handover",
         {{"from", "user:carol"}, {"to", "user:dave"}, {"commander", "user:dave"}},
         "Commander handed over"},
        {"incident.reassigned", {{"assignee", "bob"}, {"from", "acknowledged"}}, "Reassigned"},
        {"incident.status_update", {{"impact", "writes fail"}}, "Status update"},
        {"incident.summary", {{"root_cause", "disk full"}}, "Final summary posted"},
    };
    IncidentChannel channel{"db", "ops", {"slack", "https://hooks.slack.test/x", {}}};
    std::vector<TimelineEvent> timeline;
    for (const auto& [type, data, summary] : events) {
      TimelineEvent e;
      e.incident_number = 12;
      e.seq = static_cast<int64_t>(timeline.size()) + 1;
      e.type = type;
      e.actor = "user:carol";
      e.data_json = data.dump();
      timeline.push_back(e);
    }
    const auto posts = ChannelPosts(Inc(Severity::kSev1), timeline, {{"db", {channel}}});
    EXPECT_EQ(posts.size(), events.size());  // every lifecycle event is posted
    for (size_t i = 0; i < events.size() && i < posts.size(); ++i) {
      const auto& [type, data, summary] = events[i];
      add({type, type, summary, "By user:carol."}, posts[i]);
    }
    return out;
  }

  std::shared_ptr<const OnCallSnapshot> oncall_;
  std::shared_ptr<const SeverityPolicy> policy_;
};

TEST_F(NoticeKindsTest, EveryKindHasItsOwnSummaryAndDetail) {
  std::set<std::string> summaries;
  for (const auto& [kind, notice] : AllKinds()) {
    SCOPED_TRACE(kind.name);
    EXPECT_EQ(notice.type, kind.type);
    EXPECT_EQ(notice.summary, kind.summary);
    EXPECT_THAT(notice.detail, HasSubstr(kind.detail_has));
    // Nothing left blank where a value was meant to go.
    EXPECT_THAT(notice.detail, ::testing::Not(HasSubstr("  ")));
    EXPECT_THAT(notice.detail, ::testing::Not(HasSubstr(" .")));
    summaries.insert(notice.summary);
  }
  // Two follow-up overdue messages (owner, manager) share a summary; their details differ.
  EXPECT_EQ(summaries.size(), AllKinds().size() - 1);
}

TEST_F(NoticeKindsTest, EmailSaysWhatEachKindIsInTheSubjectAndBody) {
  for (const auto& [kind, notice] : AllKinds()) {
    SCOPED_TRACE(kind.name);
    const std::string headline = notice.incidents.empty() ? "" : ": INC-12 Database down";
    EXPECT_EQ(EmailSubject(notice), "[loom-oncall] " + kind.summary + headline);
    EmailMessage mail = RenderEmail(notice, "oncall@example.com", "erin@example.com", kNow);
    EXPECT_THAT(mail.text, HasSubstr(kind.summary + "\r\n"));
    EXPECT_THAT(mail.text, HasSubstr(kind.detail_has));
    EXPECT_THAT(mail.html, HasSubstr("<strong>" + EscapeHtml(kind.summary) + "</strong>"));
    EXPECT_THAT(mail.html, HasSubstr(EscapeHtml(kind.detail_has)));
  }
}

TEST_F(NoticeKindsTest, SlackSaysWhatEachKindIs) {
  for (const auto& [kind, notice] : AllKinds()) {
    SCOPED_TRACE(kind.name);
    json message = json::parse(RenderSlackMessage(notice));
    const std::string top = message["blocks"][0]["text"]["text"];
    EXPECT_THAT(top, ::testing::StartsWith("*" + EscapeSlackText(kind.summary) + "*\n"));
    EXPECT_THAT(top, HasSubstr(EscapeSlackText(kind.detail_has)));
    EXPECT_THAT(message["text"].get<std::string>(),
                ::testing::StartsWith(EscapeSlackText(kind.summary)));
  }
}

TEST_F(NoticeKindsTest, WebhookSaysWhatEachKindIs) {
  for (const auto& [kind, notice] : AllKinds()) {
    SCOPED_TRACE(kind.name);
    json body = json::parse(RenderWebhookBody(notice));
    EXPECT_EQ(body["type"], kind.type);
    EXPECT_EQ(body["summary"], kind.summary);
    EXPECT_THAT(body["detail"].get<std::string>(), HasSubstr(kind.detail_has));
  }
}

}  // namespace
}  // namespace loom
