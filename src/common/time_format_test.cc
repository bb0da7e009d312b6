#include "common/time_format.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

TEST(Rfc3339, AcceptsBothOffsetSpellingsAndZulu) {
  auto z = ParseRfc3339("2026-11-27T10:23:56Z");
  auto colon = ParseRfc3339("2026-11-27T11:23:56+01:00");
  auto plain = ParseRfc3339("2026-11-27T10:23:56+0000");
  ASSERT_TRUE(z.ok() && colon.ok() && plain.ok());
  EXPECT_EQ(*z, *colon);
  EXPECT_EQ(*z, *plain);
}

TEST(Rfc3339, KeepsMicrosecondsOfNanosecondTimestamps) {
  auto t = ParseRfc3339("2026-11-27T10:23:56.690123456Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ToUnixMicros(*t) % 1'000'000, 690123);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-27T10:23:56.690Z");
}

TEST(Rfc3339, RejectsGarbage) {
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-27T10:23:56Zjunk").ok());
  EXPECT_FALSE(ParseRfc3339("").ok());
}

TEST(ParseDuration, UnderstandsUnitsAndCombinations) {
  EXPECT_EQ(*ParseDuration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(*ParseDuration("1h30m"), std::chrono::minutes(90));
  EXPECT_EQ(*ParseDuration("1w"), std::chrono::hours(168));
  EXPECT_EQ(*ParseDuration("45"), std::chrono::seconds(45));
  EXPECT_FALSE(ParseDuration("5x").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("1h30").ok());
}

}  // namespace
}  // namespace loom
