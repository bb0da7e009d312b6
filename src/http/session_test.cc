#include "http/session.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace loom::http {
namespace {

TEST(CookieValueTest, FindsTheNamedCookie) {
  EXPECT_EQ(CookieValue("loom_session=abc", "loom_session"), "abc");
  EXPECT_EQ(CookieValue("a=1; loom_session=abc; b=2", "loom_session"), "abc");
  EXPECT_EQ(CookieValue("a=1;loom_session=\"abc\"", "loom_session"), "abc");
  EXPECT_EQ(CookieValue("xloom_session=abc", "loom_session"), "");
  EXPECT_EQ(CookieValue("loom_session_old=abc", "loom_session"), "");
  EXPECT_EQ(CookieValue("", "loom_session"), "");
  EXPECT_EQ(CookieValue("loom_session", "loom_session"), "");
}

TEST(SessionSetCookieTest, StrictHttpOnlyAndSecureOverTls) {
  EXPECT_EQ(SessionSetCookie("abc", 60, false),
            "loom_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionSetCookie("abc", 60, true),
            "loom_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(SessionSetCookie("", 0, false),
            "loom_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST(SessionPermissionsTest, ResponderAndAdminWriteViewerAndCalendarRead) {
  EXPECT_TRUE(PermissionsOf(Principal{"a", Role::kAdmin}).can_write);
  EXPECT_TRUE(PermissionsOf(Principal{"r", Role::kResponder}).can_write);
  EXPECT_FALSE(PermissionsOf(Principal{"v", Role::kViewer}).can_write);
  EXPECT_FALSE(PermissionsOf(Principal{"c", Role::kCalendar}).can_write);
}

// Whether the session of cookie value `id` is live (the store answers).
bool Live(SessionStore& store, std::string_view id) {
  auto found = store.Find(id);
  EXPECT_TRUE(found.ok());
  return found.ok() && found->has_value();
}

SessionStore::Created MustCreate(SessionStore& store, Principal p) {
  auto created = store.Create(std::move(p));
  EXPECT_TRUE(created.ok());
  return created.ok() ? *created : SessionStore::Created{};
}

TEST(SessionStoreTest, CreateFindRemoveAndExpire) {
  testing::FakeClock clock;
  SessionStore store(clock, SessionOptions{std::chrono::hours(1), 100});
  auto created = MustCreate(store, Principal{"ci", Role::kResponder});
  EXPECT_EQ(created.id.size(), 64u);
  EXPECT_EQ(created.session.csrf_token.size(), 64u);
  EXPECT_NE(created.id, created.session.csrf_token);
  auto found = store.Find(created.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->principal.name, "ci");
  EXPECT_EQ((*found)->principal.role, Role::kResponder);
  EXPECT_EQ((*found)->csrf_token, created.session.csrf_token);
  EXPECT_FALSE(Live(store, "not-a-session"));
  EXPECT_FALSE(Live(store, ""));

  auto other = MustCreate(store, Principal{"dash", Role::kViewer});
  store.Remove(other.id);
  EXPECT_FALSE(Live(store, other.id));

  clock.Advance(std::chrono::minutes(59));
  EXPECT_TRUE(Live(store, created.id));
  clock.Advance(std::chrono::minutes(1));
  EXPECT_FALSE(Live(store, created.id));
  EXPECT_EQ(store.size(), 0u);
}

TEST(SessionStoreTest, FullStoreDropsTheSessionExpiringFirst) {
  testing::FakeClock clock;
  SessionStore store(clock, SessionOptions{std::chrono::hours(1), 2});
  auto first = MustCreate(store, Principal{"a", Role::kViewer});
  clock.Advance(std::chrono::seconds(1));
  auto second = MustCreate(store, Principal{"b", Role::kViewer});
  clock.Advance(std::chrono::seconds(1));
  auto third = MustCreate(store, Principal{"c", Role::kViewer});
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(Live(store, first.id));
  EXPECT_TRUE(Live(store, second.id));
  EXPECT_TRUE(Live(store, third.id));
}

TEST(SessionStoreTest, APersonNeedsTheAccountStoreAndATokenBoundToThemStaysInMemory) {
  testing::FakeClock clock;
  SessionStore store(clock);
  Principal person{"alice", Role::kResponder, "alice"};
  auto refused = store.Create(person);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  // A token bound to alice signs in as a machine: in memory, acting as alice.
  auto bound = store.CreateForToken(Principal{"laptop", Role::kResponder, "alice"});
  ASSERT_TRUE(bound.ok());
  EXPECT_EQ(store.size(), 1u);
  auto found = store.Find(bound->id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->principal.actor(), "user:alice");
  EXPECT_EQ((*found)->expires_at, clock.Now() + std::chrono::hours(12));
}

Request StateChange(std::string_view origin, std::string_view csrf, bool tls = false) {
  Request r;
  r.method = Method::kPost;
  r.host = "127.0.0.1:8080";
  r.origin = origin;
  r.csrf_token = csrf;
  r.tls = tls;
  return r;
}

TEST(CsrfTest, OwnOriginFollowsHostAndScheme) {
  EXPECT_EQ(OwnOrigin(StateChange("", "")), "http://127.0.0.1:8080");
  EXPECT_EQ(OwnOrigin(StateChange("", "", true)), "https://127.0.0.1:8080");
  Request no_host;
  EXPECT_EQ(OwnOrigin(no_host), "");
}

TEST(CsrfTest, NeedsTheSessionsTokenFromTheOwnOrigin) {
  ConsoleSession session{Principal{"ci", Role::kResponder}, std::string(64, 'a'), {}};
  const std::string good(64, 'a');
  EXPECT_TRUE(CheckCsrf(StateChange("http://127.0.0.1:8080", good), session).ok());
  EXPECT_TRUE(CheckCsrf(StateChange("", good), session).ok());  // no Origin: the token decides

  auto refused = [&](const Request& r) {
    Status s = CheckCsrf(r, session);
    return !s.ok() && s.error().code == ErrorCode::kPermissionDenied;
  };
  EXPECT_TRUE(refused(StateChange("http://127.0.0.1:8080", "")));
  EXPECT_TRUE(refused(StateChange("http://127.0.0.1:8080", std::string(64, 'b'))));
  EXPECT_TRUE(refused(StateChange("http://127.0.0.1:8080", "a")));
  EXPECT_TRUE(refused(StateChange("http://evil.example", good)));
  EXPECT_TRUE(refused(StateChange("null", good)));
  EXPECT_TRUE(refused(StateChange("https://127.0.0.1:8080", good)));  // another scheme
  EXPECT_TRUE(refused(StateChange("http://127.0.0.1:8081", good)));   // another port
}

TEST(CsrfTest, StateChangingMethods) {
  EXPECT_TRUE(IsStateChanging(Method::kPost));
  EXPECT_TRUE(IsStateChanging(Method::kPut));
  EXPECT_TRUE(IsStateChanging(Method::kPatch));
  EXPECT_TRUE(IsStateChanging(Method::kDelete));
  EXPECT_FALSE(IsStateChanging(Method::kGet));
  EXPECT_FALSE(IsStateChanging(Method::kHead));
}

}  // namespace
}  // namespace loom::http
