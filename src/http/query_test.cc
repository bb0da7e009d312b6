#include "http/query.h"

#include <gtest/gtest.h>

namespace loom::http {
namespace {

TEST(QueryTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b+c"), "a b c");
  EXPECT_EQ(PercentDecode("%2Fx%2f"), "/x/");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz"), "%zz");
  EXPECT_EQ(PercentDecode("%4"), "%4");
}

TEST(QueryTest, ParsesPairs) {
  QueryParams q("state=triggered&limit=5&flag&empty=&key=a%2Bb");
  EXPECT_EQ(q.Get("state"), "triggered");
  EXPECT_EQ(q.Get("limit"), "5");
  EXPECT_EQ(q.Get("flag"), "");
  EXPECT_EQ(q.Get("empty"), "");
  EXPECT_EQ(q.Get("key"), "a+b");
  EXPECT_FALSE(q.Get("missing").has_value());
  EXPECT_EQ(q.all().size(), 5u);
}

TEST(QueryTest, FirstValueWins) {
  QueryParams q("a=1&a=2");
  EXPECT_EQ(q.Get("a"), "1");
}

TEST(QueryTest, EmptyQuery) {
  QueryParams q("");
  EXPECT_TRUE(q.all().empty());
  QueryParams q2("&&");
  EXPECT_TRUE(q2.all().empty());
}

}  // namespace
}  // namespace loom::http
