#include "core/oncall.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace loom {
namespace {

TimePoint T(const char* text) { return *ParseRfc3339(text); }

Schedule Weekly(const std::string& id, std::vector<std::string> who) {
  RotationLayer l;
  l.participants = std::move(who);
  l.shift_length_minutes = 7 * 1440;
  l.handoff_minute = 9 * 60;
  l.start_days = ToUnixMicros(T("2026-11-02T00:00:00Z")) / 86'400'000'000LL;
  return *Schedule::Create(id, "Europe/Berlin", {l}, {});
}

TEST(OnCallResolver, AnswersEachRoleWithHolderAndHandoff) {
  OnCallResolver resolver(
      {Weekly("loom-primary", {"alice", "bob"}), Weekly("loom-secondary", {"bob", "alice"}),
       Weekly("eng-lead", {"erin"})},
      {{"loom",
        {{OnCallRole::kPrimary, "loom-primary"},
         {OnCallRole::kSecondary, "loom-secondary"},
         {OnCallRole::kEscalationManager, "eng-lead"}}}});
  auto all = resolver.ResolveAll("loom", T("2026-11-04T12:00:00Z"));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].user, "alice");
  EXPECT_EQ(all[0].until, T("2026-11-09T08:00:00Z"));
  EXPECT_EQ(all[1].user, "bob");
  EXPECT_EQ(all[2].user, "erin");
  // One-person rotation: the turn does not end within the horizon (90 days), so no `until`; not
  // the weekly handoff to the same person, nor the horizon itself.
  EXPECT_FALSE(all[2].until);
  // No schedule for the security lead: nobody, no schedule id.
  EXPECT_FALSE(all[3].user);
  EXPECT_EQ(all[3].schedule_id, "");
  // HolderAt answers the same holder without looking for the handoff.
  for (const char* at : {"2026-11-04T12:00:00Z", "2026-11-09T07:59:59Z", "2026-11-09T08:00:00Z"}) {
    for (const RoleHolder& h : resolver.ResolveAll("loom", T(at))) {
      EXPECT_EQ(resolver.HolderAt("loom", h.role, T(at)), h.user) << at;
    }
  }
}

TEST(OnCallResolver, UntilIsTheEndOfTheHoldersTurn) {
  // bob covers alice's last day by an override and then takes over by rotation: his turn ends at
  // the next handoff (2026-11-16 09:00 CET), not where the override does.
  auto weekly = Weekly("loom-primary", {"alice", "bob"});
  auto s =
      Schedule::Create("loom-primary", "Europe/Berlin", weekly.layers(),
                       {Override{"bob", T("2026-11-08T08:00:00Z"), T("2026-11-09T08:00:00Z")}});
  ASSERT_TRUE(s.ok());
  OnCallResolver resolver({*s}, {{"loom", {{OnCallRole::kPrimary, "loom-primary"}}}});
  RoleHolder h = resolver.Resolve("loom", OnCallRole::kPrimary, T("2026-11-08T12:00:00Z"));
  EXPECT_EQ(h.user, "bob");
  EXPECT_EQ(h.until, T("2026-11-16T08:00:00Z"));
  // A turn ending exactly at the horizon still ends within it.
  auto one =
      Schedule::Create("one", "UTC", weekly.layers(),
                       {Override{"carol", T("2026-11-04T00:00:00Z"), T("2027-02-02T00:00:00Z")}});
  ASSERT_TRUE(one.ok());
  OnCallResolver horizon({*one}, {{"loom", {{OnCallRole::kPrimary, "one"}}}});
  EXPECT_EQ(horizon.Resolve("loom", OnCallRole::kPrimary, T("2026-11-04T00:00:00Z")).until,
            T("2026-11-04T00:00:00Z") + OnCallResolver::kHorizon);
}

TEST(OnCallResolver, UnknownServiceOrScheduleMeansNobody) {
  OnCallResolver resolver({}, {{"loom", {{OnCallRole::kPrimary, "missing"}}}});
  EXPECT_FALSE(resolver.Resolve("loom", OnCallRole::kPrimary, T("2026-11-04T12:00:00Z")).user);
  EXPECT_FALSE(resolver.Resolve("other", OnCallRole::kPrimary, T("2026-11-04T12:00:00Z")).user);
  EXPECT_FALSE(resolver.HasService("other"));
  EXPECT_FALSE(resolver.HolderAt("loom", OnCallRole::kPrimary, T("2026-11-04T12:00:00Z")));
  EXPECT_FALSE(resolver.HolderAt("other", OnCallRole::kPrimary, T("2026-11-04T12:00:00Z")));
}

}  // namespace
}  // namespace loom
