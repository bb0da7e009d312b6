#include "ingest/json_input.h"

#include <gtest/gtest.h>

namespace loom::ingest {
namespace {

TEST(JsonNestingDepth, CountsOnlyStructure) {
  EXPECT_EQ(JsonNestingDepth("{}", 10), 1u);
  EXPECT_EQ(JsonNestingDepth(R"({"a":[{"b":[]}]})", 10), 4u);
  // Brackets and escaped quotes inside strings do not count.
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[{{{\"[[["})", 10), 1u);
  EXPECT_EQ(JsonNestingDepth(R"(["\\",[1]])", 10), 2u);
  // Stops early once past the limit.
  EXPECT_EQ(JsonNestingDepth(std::string(1000, '['), 5), 6u);
}

TEST(ParseJsonBody, Statuses) {
  Json j;
  EXPECT_EQ(ParseJsonBody(R"({"a":1})", &j), JsonBodyStatus::kOk);
  EXPECT_EQ(j["a"], 1);
  EXPECT_EQ(ParseJsonBody("{", &j), JsonBodyStatus::kMalformed);
  std::string deep = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_EQ(ParseJsonBody(deep, &j), JsonBodyStatus::kOk);
  deep = "[" + deep + "]";
  EXPECT_EQ(ParseJsonBody(deep, &j), JsonBodyStatus::kTooDeep);
}

TEST(Utf8Length, CountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x94\xa5"), 9u);
}

TEST(AppendMember, BuildsACompactObject) {
  std::string out = "{";
  AppendMember(out, "a", Json{{"x", 1}});
  AppendMember(out, "b", Json("s"));
  out += '}';
  EXPECT_EQ(out, R"({"a":{"x":1},"b":"s"})");
}

}  // namespace
}  // namespace loom::ingest
