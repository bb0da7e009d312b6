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
  // One-person rotation: the shift runs to the horizon, not to each weekly handoff.
  EXPECT_GT(*all[2].until, T("2027-01-01T00:00:00Z"));
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
