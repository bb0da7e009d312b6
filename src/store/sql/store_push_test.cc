// PushStore on both back ends: pages remembered (the message id added later), found by their
// channel and ref, and offered for settling once their incident is no longer triggered, with the
// settle attempts recorded.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

class StorePushTest : public sql::testing::StoreTest {
 protected:
  int64_t NewIncident(const std::string& dedup_key) {
    IngestOutcome out = Ingest(Pd(AlertAction::kTrigger, dedup_key, Severity::kSev1));
    return out.incident_number;
  }

  PushPage Page(const std::string& channel, const std::string& ref, int64_t incident) {
    PushPage p;
    p.channel = channel;
    p.ref = ref;
    p.incident_number = incident;
    p.recipient = "alice";
    p.address = channel == "telegram" ? "42" : "";
    p.text = "<b>INC</b>";
    p.created_at = clock_.Now();
    return p;
  }

  Result<int64_t> Remember(std::vector<PushPage> pages) {
    return AwaitWrite<int64_t>([&](auto done) { store_->RememberPushPages(pages, done); });
  }
};

TEST_P(StorePushTest, RememberedPagesAreFoundByChannelAndRef) {
  const int64_t a = NewIncident("push-a");
  const int64_t b = NewIncident("push-b");
  ASSERT_TRUE(Remember({Page("pushover", "rcpt1", b), Page("pushover", "rcpt1", a)}).ok());
  ASSERT_TRUE(Remember({Page("telegram", "ref1", a)}).ok());

  std::vector<PushPage> found = store_->FindPushPages("pushover", "rcpt1").value();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].incident_number, a);
  EXPECT_EQ(found[1].incident_number, b);
  EXPECT_EQ(found[0].recipient, "alice");
  EXPECT_EQ(found[0].created_at, clock_.Now());
  EXPECT_FALSE(found[0].settled);
  EXPECT_TRUE(store_->FindPushPages("pushover", "ref1").value().empty());
  EXPECT_TRUE(store_->FindPushPages("telegram", "rcpt1").value().empty());

  // The message id arrives after the send; a page remembered again keeps its row.
  PushPage sent = Page("telegram", "ref1", a);
  sent.message_id = "77";
  ASSERT_TRUE(Remember({sent}).ok());
  ASSERT_TRUE(Remember({Page("telegram", "ref1", a)}).ok());  // no id: the id stays
  found = store_->FindPushPages("telegram", "ref1").value();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].message_id, "77");
  EXPECT_EQ(found[0].address, "42");
  EXPECT_EQ(found[0].text, "<b>INC</b>");
}

TEST_P(StorePushTest, PagesAreSettledOnceTheirIncidentMovesOn) {
  const int64_t a = NewIncident("push-settle-a");
  const int64_t b = NewIncident("push-settle-b");
  ASSERT_TRUE(Remember({Page("pushover", "r-a", a), Page("telegram", "t-b", b)}).ok());
  EXPECT_TRUE(store_->PushPagesToSettle(clock_.Now(), 10).value().empty());  // both triggered

  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, a).ok());
  std::vector<PushPageToSettle> due = store_->PushPagesToSettle(clock_.Now(), 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].page.ref, "r-a");
  EXPECT_EQ(due[0].incident_state, "acknowledged");
  EXPECT_EQ(due[0].commander, "user:alice");

  // A failed attempt: not due again before its next attempt, then due with the count.
  PushSettleRecord failed{"pushover", "r-a", a, false, clock_.Now() + std::chrono::seconds(30),
                          "HTTP 503"};
  ASSERT_TRUE(
      AwaitWrite<int64_t>([&](auto done) { store_->RecordPushSettles({failed}, done); }).ok());
  EXPECT_TRUE(store_->PushPagesToSettle(clock_.Now(), 10).value().empty());
  clock_.Advance(std::chrono::seconds(30));
  due = store_->PushPagesToSettle(clock_.Now(), 10).value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].page.attempts, 1);

  PushSettleRecord done{"pushover", "r-a", a, true, std::nullopt, ""};
  Result<int64_t> changed =
      AwaitWrite<int64_t>([&](auto cb) { store_->RecordPushSettles({done}, cb); });
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(*changed, 1);
  EXPECT_TRUE(store_->PushPagesToSettle(clock_.Now(), 10).value().empty());
  EXPECT_TRUE(store_->FindPushPages("pushover", "r-a").value()[0].settled);

  // `limit` caps the read.
  ASSERT_TRUE(Execute(IncidentCommand::Type::kAcknowledge, b).ok());
  EXPECT_EQ(store_->PushPagesToSettle(clock_.Now(), 1).value().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StorePushTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
