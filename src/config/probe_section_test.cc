// probe_section.cc: `services[].probe:`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

TEST(ParseConfig, ProbeKeysAreTypedAndValidated) {
  const std::string head = "services:\n  - id: loom\n    probe: ";
  auto ok = Parse(head +
                      "{ base_url: \"https://loom.example.com/\", interval: 30s, timeout: 2s, "
                      "lag_threshold_ms: 5000 }\n",
                  EnvOf({}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const ProbeConfig& p = *ok->services.at(0).probe;
  EXPECT_EQ(p.base_url, "https://loom.example.com");  // trailing '/' dropped
  EXPECT_TRUE(p.admin_token.empty());
  EXPECT_EQ(p.interval, std::chrono::seconds(30));
  EXPECT_EQ(p.timeout, std::chrono::seconds(2));
  EXPECT_EQ(p.lag_threshold_ms, 5000);

  auto bad = Parse(head +
                       "{ base_url: \"ftp://x\", admin_token_env: MISSING_TOKEN, interval: 0s, "
                       "lag_threshold_ms: 0, port: 1 }\n",
                   EnvOf({}));
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_THAT(m, HasSubstr("services[0].probe.base_url: must start with http:// or https://"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.admin_token_env: environment variable MISSING_TOKEN "
                           "is not set"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.interval: must be longer than 0"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.lag_threshold_ms"));
  EXPECT_THAT(m, HasSubstr("services[0].probe.port"));

  auto missing = Parse(head + "{ interval: 1m }\n", EnvOf({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("services[0].probe.base_url: is required"));
}

}  // namespace
}  // namespace loom::config_test
