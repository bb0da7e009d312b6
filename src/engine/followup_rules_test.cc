// Follow-up reminders end to end through the store with a fake clock: the owner is reminded a
// day before the due time; at the due time the owner and the service's escalation manager get an
// "overdue" message; a follow-up marked done sends nothing more.
#include "engine/followup_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "engine/deadline_rules.h"
#include "engine/engine_test_support.h"

namespace loom {
namespace {

using std::chrono::hours;
using ::testing::UnorderedElementsAre;

std::shared_ptr<const OnCallSnapshot> Roster() {
  std::vector<Schedule> schedules = {testing::WeeklySchedule("prim", "alice"),
                                     testing::WeeklySchedule("mgr", "erin")};
  std::map<OnCallRole, std::string> roles = {{OnCallRole::kPrimary, "prim"},
                                             {OnCallRole::kEscalationManager, "mgr"}};
  std::map<std::string, User> users;
  for (const char* id : {"alice", "erin"}) {
    User u;
    u.id = id;
    ContactMethod mail;
    mail.id = "mail";
    mail.type = "email";
    mail.address = std::string(id) + "@example.com";
    u.contact_methods.push_back(mail);
    users[id] = u;
  }
  return std::make_shared<const OnCallSnapshot>(
      OnCallResolver(std::move(schedules), {{"loom", roles}}), std::move(users),
      std::map<std::string, BusinessCalendar>{});
}

class FollowupRulesTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    CreateLoomService();
    policy_ = BuiltInPolicy(1);
    oncall_ = Roster();
  }

  Followup Create(const std::string& service) {
    Followup f;
    f.title = "Add a disk alert";
    f.owner = "alice";
    f.due_at = clock_.Now() + hours(48);
    f.service_id = service;
    Result<Followup> added =
        AwaitWrite<Followup>([&](auto done) { store_->CreateFollowup(f, done); });
    EXPECT_TRUE(added.ok()) << added.error().message;
    return *added;
  }

  std::vector<Deadline> Pending() {
    Result<std::vector<Deadline>> all = store_->PendingDeadlines();
    EXPECT_TRUE(all.ok());
    return *all;
  }

  DeadlineFiring Fire(const Deadline& d) {
    DeadlineHandler handler = [this](const Deadline& dl, const std::optional<Incident>& incident,
                                     TimePoint now) {
      return DecideDeadline(dl, incident, now, *policy_, *oncall_);
    };
    Result<DeadlineFiring> fired =
        AwaitWrite<DeadlineFiring>([&](auto done) { store_->FireDeadline(d.id, handler, done); });
    EXPECT_TRUE(fired.ok());
    return fired.ok() ? *fired : DeadlineFiring{};
  }

  // (channel, role, recipient) of every pending outbox row.
  std::vector<std::string> Messages() {
    Result<std::vector<OutboxEntry>> rows = store_->PendingOutbox();
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    for (const OutboxEntry& r : *rows) out.push_back(r.channel + " " + r.role + " " + r.recipient);
    return out;
  }

  std::shared_ptr<const SeverityPolicy> policy_;
  std::shared_ptr<const OnCallSnapshot> oncall_;
};

TEST_F(FollowupRulesTest, RemindsTheOwnerThenEscalatesTheOverdueFollowup) {
  const Followup f = Create("loom");
  std::vector<Deadline> pending = Pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].kind, DeadlineKind::kFollowupReminder);

  clock_.Set(pending[0].due_at);
  EXPECT_EQ(Fire(pending[0]).outbox_inserted, 1);
  EXPECT_THAT(Messages(), UnorderedElementsAre("reminder owner alice"));
  EXPECT_EQ(Fire(pending[0]).fired, false) << "a deadline fires once";

  clock_.Set(f.due_at);
  EXPECT_EQ(Fire(pending[1]).outbox_inserted, 2);
  EXPECT_THAT(Messages(), UnorderedElementsAre("reminder owner alice", "overdue owner alice",
                                               "overdue escalation_manager erin"));
  Result<std::vector<OutboxEntry>> rows = store_->PendingOutbox();
  for (const OutboxEntry& r : *rows) {
    EXPECT_EQ(r.incident_number, 0);
    EXPECT_EQ(r.unique_key.rfind(f.id() + "/", 0), 0u) << r.unique_key;
  }
}

TEST_F(FollowupRulesTest, WithoutAServiceOnlyTheOwnerHearsOfIt) {
  const Followup f = Create("");
  clock_.Set(f.due_at);
  for (const Deadline& d : Pending()) Fire(d);
  EXPECT_THAT(Messages(), UnorderedElementsAre("reminder owner alice", "overdue owner alice"));
}

TEST_F(FollowupRulesTest, DoneCancelsWhatIsStillPlanned) {
  const Followup f = Create("loom");
  const std::vector<Deadline> pending = Pending();
  FollowupPatch done;
  done.number = f.number;
  done.status = FollowupStatus::kDone;
  ASSERT_TRUE(AwaitWrite<Followup>([&](auto cb) { store_->UpdateFollowup(done, cb); }).ok());
  clock_.Set(f.due_at);
  for (const Deadline& d : pending) EXPECT_FALSE(Fire(d).fired);
  EXPECT_TRUE(Messages().empty());
}

TEST(FollowupRules, TheMessageSaysWhatIsDueAndWhen) {
  Deadline d;
  d.kind = DeadlineKind::kFollowupReminder;
  d.payload_json =
      R"({"followup":7,"title":"Rotate keys","owner":"alice","due":1764000000000000,"service":""})";
  DeadlineEffects out = DecideFollowupDeadline(d, TimePoint{}, *Roster());
  ASSERT_EQ(out.outbox.size(), 1u);
  EXPECT_EQ(out.outbox[0].channel, "reminder");
  EXPECT_EQ(out.outbox[0].method, "mail");
  EXPECT_THAT(out.outbox[0].payload_json, ::testing::HasSubstr(R"("followup":"FU-7")"));
  EXPECT_TRUE(IsFollowupDeadline(DeadlineKind::kFollowupDue));
  EXPECT_FALSE(IsFollowupDeadline(DeadlineKind::kUpdateDue));
}

}  // namespace
}  // namespace loom
