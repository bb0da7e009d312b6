// MessageActionStore on both back ends: a kept action is found by its secret's hash (and only
// by it), survives a reopen, a hash kept twice is refused, and long-expired actions go.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

class StoreMessageActionsTest : public sql::testing::StoreTest {
 protected:
  MessageAction Action(std::string hash, TimePoint created) {
    MessageAction a;
    a.secret_hash = std::move(hash);
    a.channel = "mattermost";
    a.incident_number = 12;
    a.recipient = "channel:db/ops";
    a.notice_id = "ntf-1";
    a.created_at = created;
    a.expires_at = created + std::chrono::hours(24);
    return a;
  }
  Result<int64_t> Save(std::vector<MessageAction> actions) {
    return AwaitWrite<int64_t>(
        [&](auto done) { store_->SaveMessageActions(std::move(actions), done); });
  }
};

TEST_P(StoreMessageActionsTest, FoundByTheSecretsHashAfterAReopen) {
  const TimePoint now = clock_.Now();
  Result<int64_t> saved = Save({Action("aa11", now), Action("bb22", now)});
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(*saved, 2);
  Reopen();
  Result<std::optional<MessageAction>> found = store_->FindMessageAction("bb22");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->channel, "mattermost");
  EXPECT_EQ((*found)->incident_number, 12);
  EXPECT_EQ((*found)->recipient, "channel:db/ops");
  EXPECT_EQ((*found)->notice_id, "ntf-1");
  EXPECT_EQ((*found)->created_at, now);
  EXPECT_EQ((*found)->expires_at, now + std::chrono::hours(24));
  EXPECT_FALSE(store_->FindMessageAction("cc33").value().has_value());
  EXPECT_FALSE(store_->FindMessageAction("").value().has_value());
}

TEST_P(StoreMessageActionsTest, AHashKeptTwiceIsAConflictAndNothingOfTheBatchIsKept) {
  const TimePoint now = clock_.Now();
  ASSERT_TRUE(Save({Action("aa11", now)}).ok());
  Result<int64_t> again = Save({Action("dd44", now), Action("aa11", now)});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(store_->FindMessageAction("dd44").value().has_value());
}

TEST_P(StoreMessageActionsTest, ActionsExpiredForADayGoWithTheNextSave) {
  const TimePoint start = clock_.Now();
  ASSERT_TRUE(Save({Action("old1", start)}).ok());
  // Expired at start + 24h; still kept a day after that, gone after.
  ASSERT_TRUE(Save({Action("new1", start + std::chrono::hours(47))}).ok());
  EXPECT_TRUE(store_->FindMessageAction("old1").value().has_value());
  ASSERT_TRUE(Save({Action("new2", start + std::chrono::hours(49))}).ok());
  EXPECT_FALSE(store_->FindMessageAction("old1").value().has_value());
  EXPECT_TRUE(store_->FindMessageAction("new1").value().has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreMessageActionsTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
