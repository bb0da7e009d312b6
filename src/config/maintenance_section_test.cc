// maintenance_section.cc: `maintenance:`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/time_format.h"
#include "config/config.h"
#include "config/config_test_util.h"

namespace loom::config_test {
namespace {

using ::testing::HasSubstr;

constexpr char kServices[] =
    "services:\n"
    "  - id: loom\n"
    "  - id: billing\n";

TEST(ParseConfig, MaintenanceWindows) {
  auto ok = Parse(std::string(kServices) +
                      "maintenance:\n"
                      "  - id: db-upgrade\n"
                      "    services: [loom, billing]\n"
                      "    reason: PostgreSQL 17 upgrade\n"
                      "    start: 2026-12-24T18:00:00Z\n"
                      "    end: 2026-12-24T20:00:00Z\n"
                      "  - id: patching\n"
                      "    services: [loom]\n"
                      "    reason: Weekly OS patching\n"
                      "    weekly: { days: [sat, sun], from: '02:00', to: '04:30',"
                      " time_zone: Europe/Berlin }\n",
                  EnvOf({}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_EQ(ok->maintenance.size(), 2u);
  const MaintenanceWindow& once = ok->maintenance[0];
  EXPECT_EQ(once.config_id, "db-upgrade");
  EXPECT_EQ(once.services, (std::vector<std::string>{"loom", "billing"}));
  EXPECT_EQ(once.reason, "PostgreSQL 17 upgrade");
  EXPECT_EQ(once.start, ParseRfc3339("2026-12-24T18:00:00Z").value());
  EXPECT_EQ(once.end, ParseRfc3339("2026-12-24T20:00:00Z").value());
  EXPECT_FALSE(once.weekly);
  EXPECT_EQ(once.source, kMaintenanceFromConfig);
  const MaintenanceWindow& weekly = ok->maintenance[1];
  ASSERT_TRUE(weekly.weekly);
  EXPECT_EQ(WeekdaysText(weekly.weekly->weekdays), "sat,sun");
  EXPECT_EQ(weekly.weekly->from_minute, 2 * 60);
  EXPECT_EQ(weekly.weekly->to_minute, 4 * 60 + 30);
  EXPECT_EQ(weekly.weekly->time_zone, "Europe/Berlin");
}

TEST(ParseConfig, MaintenanceErrors) {
  auto bad = Parse(std::string(kServices) +
                       "maintenance:\n"
                       "  - { id: a, services: [nope], reason: x, start: tomorrow,"
                       " end: 2026-12-24T20:00:00Z }\n"
                       "  - { id: a, services: [loom], reason: x, start: 2026-12-24T20:00:00Z,"
                       " end: 2026-12-24T18:00:00Z }\n"
                       "  - { id: c, services: [loom], reason: x,"
                       " weekly: { days: someday, from: '02:00', to: '04:00', time_zone: Mars } }\n"
                       "  - { id: d, services: [loom] }\n",
                   EnvOf({}));
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_THAT(m, HasSubstr("maintenance[0].services[0]: is not a service of services:"));
  EXPECT_THAT(m, HasSubstr("maintenance[0].start: must be an RFC 3339 time"));
  EXPECT_THAT(m, HasSubstr("maintenance[1].id: duplicate maintenance window id 'a'"));
  EXPECT_THAT(m, HasSubstr("maintenance[1].end: must be after start"));
  EXPECT_THAT(m, HasSubstr("maintenance[2].weekly.days: must name weekdays"));
  EXPECT_THAT(m, HasSubstr("maintenance[2].weekly.time_zone: must be an IANA time zone"));
  EXPECT_THAT(m, HasSubstr("maintenance[3].reason: is required"));
}

}  // namespace
}  // namespace loom::config_test
