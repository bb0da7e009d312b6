// schedules_section.cc and what refers to it: the on-call picture of users, schedules, a service's
// roles and business hours, loaded together because each refers to the one before.

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

constexpr char kOnCallYaml[] = R"(users:
  - id: alice
    name: Alice Example
    email: alice@example.com
    time_zone: Europe/Berlin
    contact_methods:
      - { id: hook, type: webhook, url: "http://127.0.0.1:9000/a", secret_env: ALICE_HOOK_SECRET }
      - { id: mail, type: email, address: alice@example.com }
    notification_rules: { high: [ { method: hook, after: 0m } ] }
  - id: bob
  - id: carol.c
schedules:
  - id: loom-primary
    time_zone: Europe/Berlin
    layers:
      - participants: [alice, bob]
        shift: 1d
        handoff: "09:00"
        start: 2026-03-23
      - participants: [carol.c]
        shift: 12h
        handoff: "20:00"
        start: 2026-03-23
        restrictions: [ { days: sat-sun, from: "08:00", to: "20:00" } ]
    overrides: [ { user: carol.c, from: 2026-12-24T18:00, to: "2026-12-27 09:00" } ]
  - id: sec
    layers: [ { participants: [bob], shift: 1w, start: 2026-01-05 } ]
services:
  - id: loom
    roles: { primary: loom-primary, security_lead: sec }
    business_hours: { time_zone: Europe/Berlin, days: mon-fri, from: "09:00", to: "17:00",
                      holidays: [2026-12-25] }
notify: { smtp: { url: "smtp://127.0.0.1:2525", from: oncall@example.com } }
)";

TEST(ParseConfig, UsersSchedulesRolesAndBusinessHours) {
  auto r = Parse(kOnCallYaml, EnvOf({{"ALICE_HOOK_SECRET", "whsec_c2VjcmV0"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Config& c = *r;
  ASSERT_EQ(c.users.size(), 3u);
  const User& alice = c.users[0].user;
  EXPECT_EQ(alice.id, "alice");
  EXPECT_EQ(alice.email, "alice@example.com");
  EXPECT_EQ(alice.time_zone, "Europe/Berlin");
  ASSERT_EQ(alice.contact_methods.size(), 2u);
  EXPECT_EQ(alice.contact_methods[0].type, "webhook");
  EXPECT_EQ(alice.contact_methods[0].address, "http://127.0.0.1:9000/a");
  EXPECT_EQ(alice.contact_methods[0].secret_env, "ALICE_HOOK_SECRET");
  EXPECT_EQ(alice.contact_methods[1].address, "alice@example.com");
  EXPECT_EQ(c.users[1].user.name, "bob");  // name defaults to the id
  EXPECT_EQ(c.users[1].user.time_zone, "UTC");

  ASSERT_EQ(c.schedules.size(), 2u);
  const ScheduleConfig& primary = c.schedules[0];
  EXPECT_EQ(primary.time_zone, "Europe/Berlin");
  ASSERT_EQ(primary.layers.size(), 2u);
  EXPECT_EQ(primary.layers[0].participants, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(primary.layers[0].shift_length_minutes, 24 * 60);
  EXPECT_EQ(primary.layers[0].handoff_minute, 9 * 60);
  EXPECT_EQ(primary.layers[0].start_days, 20535);  // 2026-03-23
  EXPECT_EQ(primary.layers[1].shift_length_minutes, 12 * 60);
  ASSERT_EQ(primary.layers[1].restrictions.size(), 1u);
  EXPECT_EQ(primary.layers[1].restrictions[0].weekdays, 0x60u);
  EXPECT_EQ(primary.layers[1].restrictions[0].from_minute, 8 * 60);
  ASSERT_EQ(primary.overrides.size(), 1u);
  EXPECT_EQ(primary.overrides[0].user, "carol.c");
  EXPECT_EQ(primary.overrides[0].from.minute, 18 * 60);
  EXPECT_EQ(primary.overrides[0].to.days - primary.overrides[0].from.days, 3);
  EXPECT_EQ(c.schedules[1].time_zone, "UTC");  // default
  EXPECT_EQ(c.schedules[1].layers[0].shift_length_minutes, 7 * 24 * 60);

  const ServiceConfig& loom = c.services[0];
  EXPECT_EQ(loom.roles, (std::map<OnCallRole, std::string>{{OnCallRole::kPrimary, "loom-primary"},
                                                           {OnCallRole::kSecurityLead, "sec"}}));
  ASSERT_TRUE(loom.business_hours.has_value());
  EXPECT_EQ(loom.business_hours->time_zone, "Europe/Berlin");
  EXPECT_EQ(loom.business_hours->holidays, std::vector<std::string>{"2026-12-25"});
}

TEST(ParseConfig, OnCallErrorsNameFileLineAndKey) {
  const std::string m = ErrorOf(R"(users:
  - id: alice
    time_zone: Mars/Olympus
    contact_methods: [ { id: m, type: pager, address: x } ]
  - id: alice
  - id: Bad!
    contact_methods: [ { id: h, type: webhook, url: "ftp://x" } ]
schedules:
  - id: s1
    time_zone: Europe/Nowhere
    layers:
      - participants: [alice, mallory]
        shift: 90m
        handoff: "25:00"
        start: 2026-02-30
        restrictions: [ { days: funday } ]
      - participants: []
    overrides: [ { user: alice, from: 2026-12-27T09:00, to: 2026-12-24T18:00 },
                 { user: alice, from: tomorrow, to: 2026-12-24T18:00 } ]
  - id: s1
services:
  - id: loom
    roles: { primary: s1, secondary: nope, tertiary: s1 }
    business_hours: { days: mon-fri, from: "17:00", to: "09:00", holidays: [christmas] }
)");
  const std::vector<std::string> expected = {
      "loom-oncall.yaml:3: users[0].time_zone: unknown time zone 'Mars/Olympus'",
      "loom-oncall.yaml:4: users[0].contact_methods[0].type: 'pager' is not a contact method type",
      "loom-oncall.yaml:5: users[1].id: duplicate user id 'alice' (first at line 2)",
      "loom-oncall.yaml:6: users[2].id: 'Bad!' is not a valid user id",
      "loom-oncall.yaml:7: users[2].contact_methods[0].url: must start with http:// or https://",
      "loom-oncall.yaml:10: schedules[0].time_zone: unknown time zone 'Europe/Nowhere'",
      "loom-oncall.yaml:12: schedules[0].layers[0].participants[1]: unknown user 'mallory'",
      "loom-oncall.yaml:13: schedules[0].layers[0].shift: '90m' is not a shift length",
      "loom-oncall.yaml:14: schedules[0].layers[0].handoff: '25:00' is not a time of day",
      "loom-oncall.yaml:15: schedules[0].layers[0].start: '2026-02-30' is not a date",
      "loom-oncall.yaml:16: schedules[0].layers[0].restrictions[0].days: 'funday' is not a list "
      "of weekdays",
      "loom-oncall.yaml:17: schedules[0].layers[1].participants: needs at least one user id",
      "loom-oncall.yaml:18: schedules[0].overrides[0].to: must be after from",
      "loom-oncall.yaml:19: schedules[0].overrides[1].from: 'tomorrow' is not a local date and "
      "time",
      "loom-oncall.yaml:20: schedules[1].id: duplicate schedule id 's1' (first at line 9)",
      "loom-oncall.yaml:23: services[0].roles.secondary: unknown schedule 'nope'",
      "loom-oncall.yaml:23: services[0].roles.tertiary: unknown key",
      "loom-oncall.yaml:24: services[0].business_hours.time_zone: is required",
      "loom-oncall.yaml:24: services[0].business_hours.to: business hours must end after they "
      "start",
      "loom-oncall.yaml:24: services[0].business_hours.holidays[0]: is not a date YYYY-MM-DD",
  };
  for (const std::string& line : expected) EXPECT_THAT(m, HasSubstr(line)) << m;
}

}  // namespace
}  // namespace loom::config_test
