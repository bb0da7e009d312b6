#include "ingest/fast_json.h"

#include <gtest/gtest.h>

namespace loom::ingest {
namespace {

std::string Compact(std::string_view body) {
  FastElement doc;
  if (ParseFastJsonBody(body, &doc) != JsonBodyStatus::kOk) return "<refused>";
  std::string out = "{";
  AppendFastMember(out, "v", doc);
  return out + "}";
}

TEST(ParseFastJsonBody, Statuses) {
  FastElement doc;
  EXPECT_EQ(ParseFastJsonBody(R"({"a":1})", &doc), JsonBodyStatus::kOk);
  EXPECT_EQ(ParseFastJsonBody("{", &doc), JsonBodyStatus::kMalformed);
  EXPECT_EQ(ParseFastJsonBody("{} x", &doc), JsonBodyStatus::kMalformed);
  EXPECT_EQ(ParseFastJsonBody("{\"a\":\"\xff\"}", &doc), JsonBodyStatus::kMalformed);  // not UTF-8
  EXPECT_EQ(ParseFastJsonBody(R"({"a":1e400})", &doc), JsonBodyStatus::kMalformed);
  // The same depth limit as ParseJsonBody.
  std::string deep = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_EQ(ParseFastJsonBody(deep, &doc), JsonBodyStatus::kOk);
  deep = "[" + deep + "]";
  EXPECT_EQ(ParseFastJsonBody(deep, &doc), JsonBodyStatus::kTooDeep);
}

TEST(ParseFastJsonBody, SerialisesCompactlyInTheSendersOrder) {
  EXPECT_EQ(Compact(R"( { "z" : [1, 2.5, -0.0, {"e": "\u00e9\"\n"}], "a": null, "t": true } )"),
            R"({"v":{"z":[1,2.5,-0.0,{"e":"é\"\n"}],"a":null,"t":true}})");
  EXPECT_EQ(Compact(R"({"max":18446744073709551615,"min":-9223372036854775808})"),
            R"({"v":{"max":18446744073709551615,"min":-9223372036854775808}})");
}

TEST(ParseFastJsonBody, AcceptsIntegersBeyondSixtyFourBitsAsDoubles) {
  EXPECT_EQ(Compact(R"({"serial":123456789012345678901234567890})"),
            R"({"v":{"serial":1.2345678901234568e+29}})");
}

TEST(FastMember, NullCountsAsAbsent) {
  FastElement doc;
  ASSERT_EQ(ParseFastJsonBody(R"({"a":null,"s":"x","n":1})", &doc), JsonBodyStatus::kOk);
  FastObject obj = doc.get_object().value_unsafe();
  EXPECT_FALSE(FastMember(obj, "a").has_value());
  EXPECT_FALSE(FastMember(obj, "missing").has_value());
  EXPECT_EQ(FastStringMember(obj, "s"), std::optional<std::string_view>("x"));
  EXPECT_FALSE(FastStringMember(obj, "n").has_value());  // not a string
}

TEST(FastMember, TheLastOfDuplicateKeysWins) {
  FastElement doc;
  ASSERT_EQ(ParseFastJsonBody(R"({"k":"first","k":"last","n":1,"n":null})", &doc),
            JsonBodyStatus::kOk);
  FastObject obj = doc.get_object().value_unsafe();
  EXPECT_EQ(FastStringMember(obj, "k"), std::optional<std::string_view>("last"));
  EXPECT_FALSE(FastMember(obj, "n").has_value());
}

}  // namespace
}  // namespace loom::ingest
