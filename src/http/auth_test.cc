#include "http/auth.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/crypto.h"
#include "http/per_thread.h"

namespace loom::http {
namespace {

TEST(BearerTokenTest, ParsesTheScheme) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER   abc  "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken(""), "");
  EXPECT_EQ(BearerToken("Bearerabc"), "");
}

TEST(PerThreadTest, OneValuePerThreadAndInstance) {
  PerThread<int> a;
  PerThread<int> b;
  a.Local() = 1;
  b.Local() = 2;
  EXPECT_EQ(a.Local(), 1);
  EXPECT_EQ(b.Local(), 2);
  EXPECT_EQ(&a.Local(), &a.Local());
  int* other = nullptr;
  std::thread t([&] {
    other = &a.Local();
    EXPECT_EQ(*other, 0);  // a fresh value on a new thread
    *other = 7;
  });
  t.join();
  EXPECT_NE(other, &a.Local());
  std::multiset<int> seen;
  a.ForEach([&](int& v) { seen.insert(v); });
  EXPECT_EQ(seen, (std::multiset<int>{1, 7}));
}

TEST(PrincipalTest, Actor) {
  Principal p{"ci", Role::kResponder};
  EXPECT_EQ(p.actor(), "token:ci");
}

}  // namespace
}  // namespace loom::http
