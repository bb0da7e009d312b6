#include "ingest/ingest_formats.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace loom {
namespace {

TEST(IngestFormatsTest, EveryEntryIsCompleteWithAUniqueLabelAndPath) {
  std::set<std::string_view> labels, paths;
  ASSERT_FALSE(IngestFormats().empty());
  for (const IngestFormat* format : IngestFormats()) {
    ASSERT_NE(format, nullptr);
    EXPECT_FALSE(format->label.empty());
    EXPECT_TRUE(format->path.starts_with("/")) << format->path;
    EXPECT_TRUE(labels.insert(format->label).second) << "duplicate label " << format->label;
    EXPECT_TRUE(paths.insert(format->path).second) << "duplicate path " << format->path;
    EXPECT_NE(format->parse, nullptr) << format->label;
    EXPECT_NE(format->accepted_body, nullptr) << format->label;
    EXPECT_GE(format->accepted_status, 200) << format->label;
    EXPECT_LT(format->accepted_status, 300) << format->label;
  }
}

TEST(IngestFormatsTest, ThePagerDutyRouteComesFirst) {
  // The router scans in table order: the hot route first.
  EXPECT_EQ(IngestFormats().front()->path, "/v2/enqueue");
}

TEST(IngestFormatsTest, EveryParserRefusesABodyThatIsNotJson) {
  for (const IngestFormat* format : IngestFormats()) {
    auto parsed = format->parse("{not json");
    ASSERT_FALSE(parsed.ok()) << format->label;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << format->label;
  }
}

TEST(IncidentAcceptedBodyTest, IncidentOrNullWithOptionalDedupKey) {
  IngestOutcome out;
  out.dedup_key = "grp\"1";
  EXPECT_EQ(IncidentAcceptedBody(out, false), R"({"status":"success","incident":null})");
  out.incident_number = 12;
  EXPECT_EQ(IncidentAcceptedBody(out, false), R"({"status":"success","incident":"INC-12"})");
  EXPECT_EQ(IncidentAcceptedBody(out, true),
            R"({"status":"success","dedup_key":"grp\"1","incident":"INC-12"})");
}

}  // namespace
}  // namespace loom
