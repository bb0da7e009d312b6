// The on-call part of the store (both back ends): overrides and configured users survive a reopen.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sql/test_database.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

class OnCallTablesTest : public ::testing::TestWithParam<sql::TestBackend> {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    auto store = db_.Open(SqliteOptions{}, clock_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }

  Result<ScheduleOverride> Create(const std::string& user, int from_h, int to_h) {
    const TimePoint base = clock_.Now();
    ScheduleOverride o{0,
                       "primary",
                       user,
                       base + std::chrono::hours(from_h),
                       base + std::chrono::hours(to_h),
                       "token:ci",
                       {}};
    return AwaitWrite<ScheduleOverride>([&](auto done) { store_->CreateOverride(o, done); });
  }

  // The number of rows of `table`, read with a separate connection.
  int64_t CountRows(const std::string& table) {
    Result<std::string> n = db_.QueryText("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(n.ok()) << n.error().message;
    return n.ok() ? std::stoll(*n) : -1;
  }

  // The contact_methods_json of user `id`, read with a separate connection.
  std::string ContactMethodsJson(const std::string& id) {
    Result<std::string> json =
        db_.QueryText("SELECT contact_methods_json FROM users WHERE id = '" + id + "'");
    EXPECT_TRUE(json.ok()) << json.error().message;
    return json.ok() ? *json : std::string();
  }

  sql::TestDatabase db_{GetParam()};
  testing::FakeClock clock_;
  std::unique_ptr<Store> store_;
};

TEST_P(OnCallTablesTest, OverridesAreStoredListedAndDeleted) {
  auto a = Create("alice", 1, 3);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_GT(a->id, 0);
  EXPECT_EQ(a->created_at, clock_.Now());
  auto b = Create("bob", 2, 4);
  ASSERT_TRUE(b.ok());
  EXPECT_GT(b->id, a->id);

  auto bad = Create("carol", 4, 4);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument) << bad.error().message;

  store_.reset();
  Open();
  auto listed = store_->ListOverrides();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].user, "alice");
  EXPECT_EQ((*listed)[0].schedule_id, "primary");
  EXPECT_EQ((*listed)[0].from, a->from);
  EXPECT_EQ((*listed)[0].to, a->to);
  EXPECT_EQ((*listed)[0].created_by, "token:ci");

  auto deleted = AwaitWrite<bool>([&](auto done) { store_->DeleteOverride(a->id, done); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  auto again = AwaitWrite<bool>([&](auto done) { store_->DeleteOverride(a->id, done); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListOverrides()->size(), 1u);
}

TEST_P(OnCallTablesTest, ConfiguredUsersAreUpserted) {
  User alice;
  alice.id = "alice";
  alice.name = "Alice";
  alice.email = "alice@example.com";
  alice.time_zone = "Europe/Berlin";
  ContactMethod mail;
  mail.id = "mail";
  mail.type = "email";
  mail.address = "alice@example.com";
  alice.contact_methods.push_back(mail);
  ASSERT_TRUE(store_->UpsertConfiguredUsers({alice}).ok());
  alice.name = "Alice Example";
  User bob;
  bob.id = "bob";
  bob.name = "Bob";
  ASSERT_TRUE(store_->UpsertConfiguredUsers({alice, bob}).ok());
  // Seeding again with fewer users keeps the others.
  ASSERT_TRUE(store_->UpsertConfiguredUsers({bob}).ok());
  store_->Shutdown();
  EXPECT_EQ(CountRows("users"), 2);
}

TEST_P(OnCallTablesTest, ContactMethodSecretsAreNeverStored) {
  User alice;
  alice.id = "alice";
  ContactMethod hook;
  hook.id = "hook";
  hook.type = "webhook";
  hook.address = "https://hooks.example.com/plain";
  hook.secret_env = "ALICE_HOOK_SECRET";
  hook.secrets = {"whsec_bmV3ZXN0", "whsec_b2xkZXI="};
  ContactMethod slack;
  slack.id = "slack";
  slack.type = "slack";
  slack.address = "https://hooks.slack.com/services/T0/B0/sekrit";
  slack.address_is_secret = true;
  slack.url_env = "ALICE_SLACK_URL";
  alice.contact_methods = {hook, slack};
  ASSERT_TRUE(store_->UpsertConfiguredUsers({alice}).ok());
  store_->Shutdown();
  const std::string json = ContactMethodsJson("alice");
  EXPECT_NE(json.find("https://hooks.example.com/plain"), std::string::npos) << json;
  EXPECT_NE(json.find("(from $ALICE_SLACK_URL)"), std::string::npos) << json;
  EXPECT_NE(json.find("ALICE_HOOK_SECRET"), std::string::npos) << json;  // the name is no secret
  for (const char* secret : {"sekrit", "whsec_", "bmV3ZXN0"}) {
    EXPECT_EQ(json.find(secret), std::string::npos) << secret << " in " << json;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, OnCallTablesTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
