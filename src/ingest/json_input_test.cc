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

TEST(CapTitle, KeepsATitleUpTo1024Characters) {
  EXPECT_EQ(CapTitle("Backup failed"), "Backup failed");
  const std::string exact(kMaxTitleLength, 'x');
  EXPECT_EQ(CapTitle(exact), exact);
  // 1,024 characters of three bytes each are still 1,024 characters.
  std::string euros;
  for (size_t i = 0; i < kMaxTitleLength; ++i) euros += "\xe2\x82\xac";
  EXPECT_EQ(CapTitle(euros), euros);
}

TEST(CapTitle, CutsALongerTitleWithAMarker) {
  const std::string marker =
      "\u2026 [cut: 200000 characters in all; the full text is in the alert's details]";
  std::string cut = CapTitle(std::string(200000, 'a'));
  EXPECT_EQ(Utf8Length(cut), kMaxTitleLength);
  EXPECT_EQ(cut, std::string(kMaxTitleLength - Utf8Length(marker), 'a') + marker);

  // Cut between characters, never inside one: 1,025 euro signs.
  std::string euros;
  for (size_t i = 0; i <= kMaxTitleLength; ++i) euros += "\xe2\x82\xac";
  cut = CapTitle(euros);
  EXPECT_EQ(Utf8Length(cut), kMaxTitleLength);
  const std::string kept = cut.substr(0, cut.find("\u2026 [cut: 1025 characters"));
  EXPECT_EQ(kept.size() % 3, 0u);
  EXPECT_EQ(Utf8Length(kept) + Utf8Length(cut.substr(kept.size())), kMaxTitleLength);
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
