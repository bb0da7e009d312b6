#include "store/sql/row_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace loom::sql {
namespace {

TEST(JsonObjectWriterTest, EscapesValuesIntoValidJson) {
  std::string text = JsonObjectWriter()
                         .Add("s", "quote \" backslash \\ newline \n tab \t bell \x07 ü")
                         .Add("n", int64_t{-42})
                         .AddBool("b", true)
                         .Finish();
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["s"], "quote \" backslash \\ newline \n tab \t bell \x07 ü");
  EXPECT_EQ(j["n"], -42);
  EXPECT_EQ(j["b"], true);
  EXPECT_EQ(JsonObjectWriter().Finish(), "{}");
}

TEST(JsonObjectWriterTest, KeepsFieldOrder) {
  EXPECT_EQ(JsonObjectWriter().Add("to", "b").Add("from", "a").Finish(),
            R"({"to":"b","from":"a"})");
}

TEST(ServiceSettingsCodecTest, RoundTrips) {
  ServiceSettings s;
  s.auto_resolve = true;
  s.rate_limit_per_minute = 120;
  s.severity_map.by_word = {{"page", Severity::kSev1}, {"fyi", Severity::kSev4}};
  s.severity_map.fallback = Severity::kSev3;
  Result<ServiceSettings> back = DecodeSettings(EncodeSettings(s));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->auto_resolve);
  EXPECT_EQ(back->rate_limit_per_minute, 120);
  EXPECT_EQ(back->severity_map.by_word, s.severity_map.by_word);
  EXPECT_EQ(back->severity_map.fallback, Severity::kSev3);
}

TEST(ServiceSettingsCodecTest, MissingFieldsKeepDefaultsAndGarbageIsAnError) {
  Result<ServiceSettings> s = DecodeSettings("{}");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->auto_resolve);
  EXPECT_EQ(s->severity_map.Map("critical"), Severity::kSev1);
  EXPECT_FALSE(DecodeSettings("not json").ok());
}

TEST(RespondersCodecTest, RoundTrips) {
  std::vector<std::string> r = {"alice", "b\"ob"};
  EXPECT_EQ(DecodeResponders(EncodeResponders(r)), r);
  EXPECT_TRUE(DecodeResponders("[]").empty());
  EXPECT_TRUE(DecodeResponders("garbage").empty());
}

}  // namespace
}  // namespace loom::sql
