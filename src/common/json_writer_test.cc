#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace loom {
namespace {

TEST(AppendJsonStringTest, Escapes) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01\t\xc3\xa9", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\\t\xc3\xa9\"");
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), "a\"b\\c\nd\x01\t\xc3\xa9");
}

TEST(JsonObjectWriterTest, WritesFieldsInTheOrderAdded) {
  std::string out = JsonObjectWriter()
                        .Add("incident", "INC-7")
                        .Add("step", int64_t{-2})
                        .AddBool("drill", true)
                        .Add("title", "disk \"full\"")
                        .Finish();
  EXPECT_EQ(out, R"({"incident":"INC-7","step":-2,"drill":true,"title":"disk \"full\""})");
  EXPECT_EQ(nlohmann::json::parse(out)["title"], "disk \"full\"");
}

}  // namespace
}  // namespace loom
