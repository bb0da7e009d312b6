// heartbeats_section.cc: `services[].heartbeats`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

TEST(ParseConfig, HeartbeatsOfAService) {
  auto ok = Parse(
      "services:\n"
      "  - id: loom\n"
      "    heartbeats:\n"
      "      - { id: nightly-backup, interval: 1h, grace: 15m, severity: sev1 }\n"
      "      - { id: prometheus, name: Watchdog, interval: 2m, enabled: false }\n",
      EnvOf({}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  const std::vector<Heartbeat>& hbs = ok->services.at(0).heartbeats;
  ASSERT_EQ(hbs.size(), 2u);
  EXPECT_EQ(hbs[0].id, "nightly-backup");
  EXPECT_EQ(hbs[0].name, "nightly-backup");  // the id when no name is given
  EXPECT_EQ(hbs[0].service_id, "loom");
  EXPECT_EQ(hbs[0].interval, std::chrono::hours(1));
  EXPECT_EQ(hbs[0].grace, std::chrono::minutes(15));
  EXPECT_EQ(hbs[0].severity, Severity::kSev1);
  EXPECT_TRUE(hbs[0].enabled);
  EXPECT_EQ(hbs[0].source, kHeartbeatFromConfig);
  EXPECT_EQ(hbs[1].name, "Watchdog");
  EXPECT_EQ(hbs[1].grace, Duration::zero());
  EXPECT_EQ(hbs[1].severity, Severity::kSev2);
  EXPECT_FALSE(hbs[1].enabled);
}

TEST(ParseConfig, HeartbeatErrors) {
  auto bad = Parse(
      "services:\n"
      "  - id: loom\n"
      "    heartbeats:\n"
      "      - { id: Bad, interval: 1h }\n"
      "      - { id: cron, name: a/b, interval: 40d, grace: 32d, severity: high, every: 1h }\n"
      "      - { id: late }\n"
      "  - id: other\n"
      "    heartbeats:\n"
      "      - { id: cron, interval: 1m }\n",
      EnvOf({}));
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_THAT(m, HasSubstr("services[0].heartbeats[0].id: 'Bad' is not a valid heartbeat id"));
  EXPECT_THAT(m, HasSubstr("services[0].heartbeats[1].name: must be 1-200 characters without '/'"));
  EXPECT_THAT(m, HasSubstr("services[0].heartbeats[1].interval: must be between 1s and 31d"));
  EXPECT_THAT(m, HasSubstr("services[0].heartbeats[1].grace: must be at most 31d"));
  EXPECT_THAT(m, HasSubstr("services[0].heartbeats[1].severity: must be one of sev1"));
  EXPECT_THAT(m, HasSubstr("services[0].heartbeats[1].every: unknown key"));
  EXPECT_THAT(m, HasSubstr("services[0].heartbeats[2].interval: is required"));
  EXPECT_THAT(m, HasSubstr("services[1].heartbeats[0].id: duplicate heartbeat id 'cron'"));
}

}  // namespace
}  // namespace loom::config_test
