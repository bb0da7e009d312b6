// ContactStore on both back ends: methods people add (unverified, then verified by their code
// with attempts counted and the code forgotten), deletion guarded by the person's rules, the
// rules themselves, and the history of who changed them.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class StoreContactsTest : public sql::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    User alice;
    alice.id = "alice";
    alice.name = "Alice";
    ASSERT_TRUE(store_->UpsertConfiguredUsers({alice}).ok());
  }

  Result<StoredContactMethod> Add(const std::string& user, const std::string& id) {
    StoredContactMethod m;
    m.user_id = user;
    m.id = id;
    m.type = "webhook";
    m.keys = {{"url", "https://hooks.example.com/" + id}, {"secret_env", "HOOK_SECRET"}};
    m.code = VerificationCode{HashVerificationCode("123456"), clock_.Now() + kCodeTtl, 0};
    return AwaitWrite<StoredContactMethod>(
        [&](auto done) { store_->CreateContactMethod(m, "user:alice", done); });
  }

  Result<CodeCheck> Check(const std::string& id, const std::string& code) {
    return AwaitWrite<CodeCheck>([&](auto done) {
      store_->CheckContactCode("alice", id, code, clock_.Now(), "user:alice", done);
    });
  }

  Result<bool> Delete(const std::string& id) {
    return AwaitWrite<bool>(
        [&](auto done) { store_->DeleteContactMethod("alice", id, "user:alice", done); });
  }
};

TEST_P(StoreContactsTest, AddedMethodsAreUnverifiedAndListed) {
  ASSERT_TRUE(Add("alice", "hook").ok());
  EXPECT_EQ(Add("alice", "hook").error().code, ErrorCode::kConflict);
  EXPECT_EQ(Add("nobody", "hook").error().code, ErrorCode::kNotFound);

  std::vector<StoredContactMethod> listed = store_->ListContactMethods("alice").value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].type, "webhook");
  EXPECT_EQ(listed[0].keys.at("url"), "https://hooks.example.com/hook");
  EXPECT_EQ(listed[0].keys.at("secret_env"), "HOOK_SECRET");
  EXPECT_FALSE(listed[0].verified);
  EXPECT_EQ(listed[0].created_at, clock_.Now());
  EXPECT_EQ(store_->ListContactMethods("").value().size(), 1u);
  EXPECT_TRUE(store_->ListContactMethods("bob").value().empty());
}

TEST_P(StoreContactsTest, TheRightCodeVerifiesOnceWrongOnesAreCounted) {
  ASSERT_TRUE(Add("alice", "hook").ok());
  EXPECT_EQ(Check("hook", "000000").value(), CodeCheck::kWrong);
  EXPECT_EQ(store_->ListContactMethods("alice").value()[0].code.attempts, 1);
  EXPECT_EQ(Check("hook", "123456").value(), CodeCheck::kVerified);
  StoredContactMethod m = store_->ListContactMethods("alice").value()[0];
  EXPECT_TRUE(m.verified);
  EXPECT_TRUE(m.code.hash.empty());
  EXPECT_EQ(Check("hook", "999999").value(), CodeCheck::kVerified);  // verified stays verified
  EXPECT_EQ(Check("nope", "123456").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContactsTest, FiveWrongTriesThenANewCode) {
  ASSERT_TRUE(Add("alice", "hook").ok());
  for (int i = 0; i < kMaxCodeAttempts; ++i)
    EXPECT_EQ(Check("hook", "000000").value(), CodeCheck::kWrong);
  EXPECT_EQ(Check("hook", "123456").value(), CodeCheck::kTooManyTries);

  VerificationCode fresh{HashVerificationCode("654321"), clock_.Now() + kCodeTtl, 0};
  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->SetContactCode("alice", "hook", fresh, done);
              }).ok());
  EXPECT_EQ(store_->ListContactMethods("alice").value()[0].code.attempts, 0);
  clock_.Advance(kCodeTtl + seconds(1));
  EXPECT_EQ(Check("hook", "654321").value(), CodeCheck::kExpired);
}

TEST_P(StoreContactsTest, RulesAreStoredAndGuardTheirMethods) {
  ASSERT_TRUE(Add("alice", "hook").ok());
  ASSERT_TRUE(Add("alice", "spare").ok());
  StoredNotificationRules rules{"alice", {{"hook", {}}, {"spare", minutes(5)}}, {{"hook", {}}}};
  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->SetNotificationRules(rules, "token:ops", done);
              }).ok());
  std::vector<StoredNotificationRules> stored = store_->ListNotificationRules().value();
  ASSERT_EQ(stored.size(), 1u);
  ASSERT_EQ(stored[0].high.size(), 2u);
  EXPECT_EQ(stored[0].high[1].method, "spare");
  EXPECT_EQ(stored[0].high[1].after, Duration(minutes(5)));
  ASSERT_EQ(stored[0].low.size(), 1u);

  EXPECT_EQ(Delete("spare").error().code, ErrorCode::kConflict);
  rules.high = {{"hook", {}}};
  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->SetNotificationRules(rules, "token:ops", done);
              }).ok());
  EXPECT_TRUE(Delete("spare").value());
  EXPECT_EQ(Delete("spare").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListContactMethods("alice").value().size(), 1u);
  StoredNotificationRules unknown{"nobody", {}, {}};
  EXPECT_EQ(
      AwaitWrite<bool>([&](auto done) { store_->SetNotificationRules(unknown, "token:ops", done); })
          .error()
          .code,
      ErrorCode::kNotFound);
}

TEST_P(StoreContactsTest, EveryChangeIsRecordedWithItsActorNewestFirst) {
  ASSERT_TRUE(Add("alice", "hook").ok());                         // as user:alice
  EXPECT_EQ(Check("hook", "000000").value(), CodeCheck::kWrong);  // not a change
  clock_.Advance(seconds(10));
  EXPECT_EQ(Check("hook", "123456").value(), CodeCheck::kVerified);
  EXPECT_EQ(Check("hook", "123456").value(), CodeCheck::kVerified);  // recorded once
  StoredNotificationRules rules{"alice", {{"hook", {}}}, {}};
  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->SetNotificationRules(rules, "token:ops", done);
              }).ok());
  rules.high.clear();
  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->SetNotificationRules(rules, "user:bob", done);
              }).ok());
  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->DeleteContactMethod("alice", "hook", "user:bob", done);
              }).ok());
  // A refused change records nothing.
  EXPECT_EQ(Delete("hook").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(Add("alice", "hook").ok());
  EXPECT_EQ(Add("alice", "hook").error().code, ErrorCode::kConflict);

  std::vector<ContactChange> history = store_->ListContactHistory("alice", 100).value();
  std::vector<std::string> seen;
  for (const ContactChange& c : history) {
    seen.push_back(c.actor + " " + c.action + " " + c.method_id + " " + c.method_type);
    EXPECT_EQ(c.user_id, "alice");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "user:alice method_added hook webhook",  // added again after the delete
                      "user:bob method_deleted hook webhook",
                      "user:bob rules_replaced  ",
                      "token:ops rules_replaced  ",
                      "user:alice method_verified hook webhook",
                      "user:alice method_added hook webhook",
                  }));
  EXPECT_GT(history[0].id, history[1].id);
  EXPECT_EQ(history.back().at + seconds(10), history[history.size() - 2].at);
  EXPECT_EQ(store_->ListContactHistory("alice", 2).value().size(), 2u);
  EXPECT_TRUE(store_->ListContactHistory("bob", 100).value().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContactsTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
