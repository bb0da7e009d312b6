#include "config/oncall_snapshot.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace loom {
namespace {

TimePoint At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

Config OnCallConfig() {
  auto r = ParseConfig(R"(users:
  - { id: alice, name: Alice Example }
  - { id: bob }
  - { id: carol }
schedules:
  - id: primary
    time_zone: Europe/Berlin
    layers: [ { participants: [alice, bob], shift: 1d, handoff: "09:00", start: 2026-03-27 } ]
    overrides: [ { user: carol, from: 2026-04-01T12:00, to: 2026-04-01T14:00 } ]
services:
  - id: loom
    roles: { primary: primary }
    business_hours: { time_zone: Europe/Berlin }
)",
                       "oncall.yaml", nullptr);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return std::move(r).value();
}

TEST(BuildOnCallSnapshot, DailyBerlinHandoffStaysAtNineAcrossDst) {
  auto snapshot = BuildOnCallSnapshot(OnCallConfig(), {});
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  const OnCallResolver& resolver = (*snapshot)->resolver;
  // 2026-03-28 09:00 CET (UTC+1) starts bob's day; 2026-03-29 09:00 CEST (UTC+2) alice's.
  RoleHolder sat = resolver.Resolve("loom", OnCallRole::kPrimary, At("2026-03-28T12:00:00Z"));
  EXPECT_EQ(sat.user, std::optional<std::string>("bob"));
  EXPECT_EQ(sat.schedule_id, "primary");
  ASSERT_TRUE(sat.until.has_value());
  EXPECT_EQ(FormatRfc3339(*sat.until), "2026-03-29T07:00:00.000Z");
  EXPECT_EQ(resolver.Resolve("loom", OnCallRole::kPrimary, At("2026-03-29T06:59:00Z")).user,
            std::optional<std::string>("bob"));
  EXPECT_EQ(resolver.Resolve("loom", OnCallRole::kPrimary, At("2026-03-29T07:00:00Z")).user,
            std::optional<std::string>("alice"));
  // No schedule for the role: nobody.
  EXPECT_FALSE(resolver.Resolve("loom", OnCallRole::kSecondary, At("2026-03-29T07:00:00Z")).user);
  EXPECT_EQ((*snapshot)->FindUser("alice")->name, "Alice Example");
  EXPECT_NE((*snapshot)->CalendarOf("loom"), nullptr);
  EXPECT_EQ((*snapshot)->CalendarOf("other"), nullptr);
}

TEST(BuildOnCallSnapshot, ConfiguredOverrideIsLocalTimeAndStoredOverridesWin) {
  std::vector<ScheduleOverride> stored = {
      {1,
       "primary",
       "alice",
       At("2026-04-01T10:30:00Z"),
       At("2026-04-01T11:00:00Z"),
       "token:ci",
       {}},
      {2, "gone", "bob", At("2026-04-01T10:00:00Z"), At("2026-04-01T11:00:00Z"), "token:ci", {}},
  };
  std::vector<std::string> skipped;
  auto snapshot = BuildOnCallSnapshot(OnCallConfig(), stored, &skipped);
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  const Schedule* s = (*snapshot)->resolver.FindSchedule("primary");
  ASSERT_NE(s, nullptr);
  // 12:00-14:00 Berlin (CEST) = 10:00-12:00 UTC.
  EXPECT_EQ(s->OnCallAt(At("2026-04-01T09:59:00Z")), std::optional<std::string>("bob"));
  EXPECT_EQ(s->OnCallAt(At("2026-04-01T10:00:00Z")), std::optional<std::string>("carol"));
  EXPECT_EQ(s->OnCallAt(At("2026-04-01T10:45:00Z")), std::optional<std::string>("alice"));
  EXPECT_EQ(s->OnCallAt(At("2026-04-01T11:30:00Z")), std::optional<std::string>("carol"));
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("'gone'"), std::string::npos);
}

TEST(BuildOnCallSnapshot, EmptyConfigResolvesNobody) {
  auto snapshot = BuildOnCallSnapshot(Config{}, {});
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE((*snapshot)->resolver.schedules().empty());
  EXPECT_FALSE((*snapshot)->resolver.HasService("loom"));
}

TEST(WithCreatedUsers, PeopleCreatedThroughTheApiJoinTheFilesUsersAndTheTeamsStay) {
  auto r = ParseConfig(R"(users:
  - { id: alice, name: Alice Example }
teams:
  - { id: web, members: [ { user: alice, role: admin } ] }
)",
                       "teams.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto base = BuildOnCallSnapshot(*r, {});
  ASSERT_TRUE(base.ok()) << base.error().message;
  StoredAccount dana{"dana", "Dana Created", "dana@example.com", Role::kResponder, false, "", {}};
  StoredAccount alice{"alice", "Not This Name", "", std::nullopt, false, "", {}};
  StoredAccount configured{"erin", "Erin", "", std::nullopt, true, "", {}};
  auto merged = WithCreatedUsers(*base, {dana, alice, configured});
  ASSERT_NE(merged->FindUser("dana"), nullptr);
  EXPECT_EQ(merged->FindUser("dana")->name, "Dana Created");
  EXPECT_EQ(merged->FindUser("dana")->email, "dana@example.com");
  EXPECT_EQ(merged->FindUser("dana")->role, Role::kResponder);
  EXPECT_EQ(merged->FindUser("alice")->name, "Alice Example");  // the file's user is kept
  EXPECT_EQ(merged->FindUser("erin"), nullptr);  // a configured account the file no longer has
  EXPECT_EQ(merged->teams.RolesOf("alice").at("web"), Role::kAdmin);
  EXPECT_EQ((*base)->FindUser("dana"), nullptr);  // the base is unchanged
}

}  // namespace
}  // namespace loom
