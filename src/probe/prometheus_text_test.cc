#include "probe/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>

#include "testing/temp_dir.h"

namespace loom {
namespace {

TEST(PrometheusText, ParsesTheLoomNodeScrapeIncludingUntypedSeries) {
  auto scrape =
      ParsePrometheusText(testing::ReadFileOrDie(testing::TestDataPath("loom-node/metrics.txt")));
  ASSERT_TRUE(scrape.ok()) << scrape.error().message;
  EXPECT_EQ(scrape->Value("loom_requests_total"), 9);
  EXPECT_EQ(scrape->Value("loom_errors_total", {{"code", "CAPABILITY_DENIED"}}), 4);
  EXPECT_EQ(scrape->types.at("loom_requests_total"), "counter");
  // loom_federation_outbox_queued has no TYPE line of its own.
  EXPECT_EQ(scrape->types.count("loom_federation_outbox_queued"), 0u);
  EXPECT_EQ(scrape->Value("loom_federation_outbox_queued"), 0);
}

TEST(PrometheusText, HandlesEscapesSpecialValuesAndTimestamps) {
  auto scrape = ParsePrometheusText(
      "a{path=\"C:\\\\dir\",msg=\"say \\\"hi\\\"\\n\"} 1.5 1700000000000\n"
      "b NaN\nc +Inf\nd -Inf\ne{} 3\n");
  ASSERT_TRUE(scrape.ok()) << scrape.error().message;
  ASSERT_EQ(scrape->samples.size(), 5u);
  EXPECT_EQ(scrape->samples[0].Label("path"), "C:\\dir");
  EXPECT_EQ(scrape->samples[0].Label("msg"), "say \"hi\"\n");
  EXPECT_EQ(scrape->samples[0].timestamp_ms, 1700000000000);
  EXPECT_TRUE(std::isnan(scrape->samples[1].value));
  EXPECT_TRUE(std::isinf(scrape->samples[2].value) && scrape->samples[2].value > 0);
  EXPECT_TRUE(std::isinf(scrape->samples[3].value) && scrape->samples[3].value < 0);
  EXPECT_EQ(scrape->Value("e"), 3);
}

TEST(PrometheusText, NamesTheLineOfAnError) {
  auto bad = ParsePrometheusText("ok 1\nbroken{x=\"1\" 2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(ParsePrometheusText("x notanumber\n").ok());
  EXPECT_FALSE(ParsePrometheusText("x 1 2 3\n").ok());
}

}  // namespace
}  // namespace loom
