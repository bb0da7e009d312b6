// AccountStore on both back ends: users created through the API beside the configured ones,
// password hashes, single-use expiring reset tokens, durable console sessions and bound tokens.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class StoreAccountsTest : public sql::testing::StoreTest {
 protected:
  void Configure(std::vector<User> users) {
    ASSERT_TRUE(store_->UpsertConfiguredUsers(users).ok());
  }
  static User Configured(std::string id, std::optional<Role> role = std::nullopt) {
    User u;
    u.id = id;
    u.name = "Name of " + id;
    u.email = id + "@example.com";
    u.role = role;
    return u;
  }
  Result<StoredAccount> Create(std::string id, std::optional<Role> role = std::nullopt) {
    StoredAccount a;
    a.id = std::move(id);
    a.name = "API " + a.id;
    a.email = a.id + "@example.org";
    a.role = role;
    return AwaitWrite<StoredAccount>([&](auto done) { store_->CreateAccount(std::move(a), done); });
  }
  StoredAccount Get(const std::string& id) {
    auto a = store_->GetAccount(id);
    EXPECT_TRUE(a.ok() && a->has_value()) << id;
    return a.ok() && a->has_value() ? **a : StoredAccount{};
  }
  Result<bool> SetPassword(const std::string& id, const std::string& hash) {
    return AwaitWrite<bool>([&](auto done) { store_->SetPasswordHash(id, hash, done); });
  }
  StoredSession Session(std::string user, std::string id_hash) {
    StoredSession s;
    s.id_hash = std::move(id_hash);
    s.user_id = std::move(user);
    s.csrf_token = "csrf-" + s.id_hash;
    s.created_at = clock_.Now();
    s.last_seen_at = clock_.Now();
    s.expires_at = clock_.Now() + hours(24 * 7);
    return s;
  }
  void AddSession(const StoredSession& s) {
    auto r = AwaitWrite<bool>([&](auto done) { store_->CreateSession(s, done); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  bool HasSession(const std::string& id_hash) {
    auto s = store_->FindSession(id_hash);
    EXPECT_TRUE(s.ok());
    return s.ok() && s->has_value();
  }
};

TEST_P(StoreAccountsTest, ConfiguredAndApiUsersAreAccountsWithTheirRoles) {
  Configure({Configured("alice"), Configured("root", Role::kAdmin)});
  ASSERT_TRUE(Create("carol", Role::kViewer).ok());
  auto list = store_->ListAccounts();
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, "alice");
  EXPECT_TRUE((*list)[0].configured);
  EXPECT_FALSE((*list)[0].role.has_value());
  EXPECT_EQ((*list)[1].id, "carol");
  EXPECT_FALSE((*list)[1].configured);
  EXPECT_EQ((*list)[1].role, Role::kViewer);
  EXPECT_EQ((*list)[1].email, "carol@example.org");
  EXPECT_EQ((*list)[2].role, Role::kAdmin);
  auto missing = store_->GetAccount("nobody");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreAccountsTest, CreatingAnExistingUserIsAConflict) {
  Configure({Configured("alice")});
  auto again = Create("alice");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(Create("dave").ok());
  auto twice = Create("dave");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
}

TEST_P(StoreAccountsTest, PasswordHashSurvivesReopenAndConfigurationReseeding) {
  Configure({Configured("alice")});
  ASSERT_TRUE(SetPassword("alice", "$argon2id$fake").ok());
  Reopen();
  Configure({Configured("alice", Role::kAdmin)});  // the next start-up's seeding
  StoredAccount alice = Get("alice");
  EXPECT_EQ(alice.password_hash, "$argon2id$fake");
  EXPECT_EQ(alice.role, Role::kAdmin);
  auto unknown = SetPassword("nobody", "$argon2id$x");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreAccountsTest, ResetTokenWorksOnceBeforeItExpiresAndSignsTheUserOut) {
  Configure({Configured("alice"), Configured("bob")});
  AddSession(Session("alice", "s1"));
  AddSession(Session("bob", "s2"));
  auto created = AwaitWrite<bool>([&](auto done) {
    store_->CreatePasswordReset("r1", "alice", clock_.Now() + minutes(30), done);
  });
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto used = AwaitWrite<std::string>(
      [&](auto done) { store_->UsePasswordReset("r1", "$new", clock_.Now(), done); });
  ASSERT_TRUE(used.ok()) << used.error().message;
  EXPECT_EQ(*used, "alice");
  EXPECT_EQ(Get("alice").password_hash, "$new");
  EXPECT_FALSE(HasSession("s1"));
  EXPECT_TRUE(HasSession("s2"));
  auto again = AwaitWrite<std::string>(
      [&](auto done) { store_->UsePasswordReset("r1", "$newer", clock_.Now(), done); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Get("alice").password_hash, "$new");

  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->CreatePasswordReset("r2", "bob", clock_.Now() + minutes(30), done);
              }).ok());
  clock_.Advance(minutes(30));
  auto late = AwaitWrite<std::string>(
      [&](auto done) { store_->UsePasswordReset("r2", "$late", clock_.Now(), done); });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Get("bob").password_hash, "");
}

TEST_P(StoreAccountsTest, SessionsAreDurableCarryTheRoleAndAreDeletedByUserOrExpiry) {
  Configure({Configured("alice", Role::kViewer), Configured("bob")});
  AddSession(Session("alice", "a1"));
  AddSession(Session("alice", "a2"));
  AddSession(Session("bob", "b1"));
  Reopen();
  auto found = store_->FindSession("a1");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->user_id, "alice");
  EXPECT_EQ((*found)->csrf_token, "csrf-a1");
  EXPECT_EQ((*found)->role, Role::kViewer);
  EXPECT_EQ((*found)->expires_at, clock_.Now() + hours(24 * 7));

  clock_.Advance(minutes(5));
  auto touched =
      AwaitWrite<bool>([&](auto done) { store_->TouchSession("a1", clock_.Now(), done); });
  ASSERT_TRUE(touched.ok() && *touched);
  EXPECT_EQ((*store_->FindSession("a1"))->last_seen_at, clock_.Now());

  auto gone = AwaitWrite<int64_t>([&](auto done) { store_->DeleteUserSessions("alice", done); });
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, 2);
  EXPECT_FALSE(HasSession("a1"));
  EXPECT_FALSE(HasSession("a2"));
  EXPECT_TRUE(HasSession("b1"));

  auto one = AwaitWrite<bool>([&](auto done) { store_->DeleteSession("b1", done); });
  ASSERT_TRUE(one.ok() && *one);
  EXPECT_FALSE(HasSession("b1"));

  // Expiry: absolute (expires_at) or idle (last_seen_at before the idle cut-off).
  AddSession(Session("bob", "old"));
  clock_.Advance(hours(9));
  AddSession(Session("bob", "fresh"));
  auto swept = AwaitWrite<int64_t>([&](auto done) {
    store_->DeleteExpiredSessions(clock_.Now(), clock_.Now() - hours(8), done);
  });
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(*swept, 1);
  EXPECT_FALSE(HasSession("old"));
  EXPECT_TRUE(HasSession("fresh"));
}

TEST_P(StoreAccountsTest, BoundTokenNamesItsUserAndNeedsAKnownUser) {
  Configure({Configured("alice")});
  auto token = AwaitWrite<ApiToken>([&](auto done) {
    store_->CreateBoundToken("laptop", Role::kResponder, "alice", Sha256Hex("t1"), done);
  });
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->user, "alice");
  auto found = store_->FindToken(Sha256Hex("t1"));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->user, "alice");
  EXPECT_EQ((*found)->name, "laptop");
  auto unbound = AwaitWrite<ApiToken>(
      [&](auto done) { store_->CreateToken("ci", Role::kAdmin, Sha256Hex("t2"), done); });
  ASSERT_TRUE(unbound.ok());
  EXPECT_EQ((*store_->FindToken(Sha256Hex("t2")))->user, "");
  auto nobody = AwaitWrite<ApiToken>([&](auto done) {
    store_->CreateBoundToken("x", Role::kViewer, "nobody", Sha256Hex("t3"), done);
  });
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(nobody.error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreAccountsTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
