#include "core/timeline.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

TimelineEvent Event() {
  TimelineEvent e;
  e.incident_number = 3;
  e.seq = 2;
  e.at = FromUnixMicros(1'800'000'000'000'000);
  e.type = "incident.acknowledged";
  e.actor = "token:alice";
  e.data_json = R"({"from":"triggered","to":"acknowledged"})";
  e.prev_hash = std::string(64, 'a');
  return e;
}

TEST(TimelineHash, IsStableAndCoversEveryField) {
  const std::string base = TimelineHash(Event());
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(TimelineHash(Event()), base);

  auto changed = [&](auto mutate) {
    TimelineEvent e = Event();
    mutate(e);
    return TimelineHash(e) != base;
  };
  EXPECT_TRUE(changed([](TimelineEvent& e) { e.incident_number = 4; }));
  EXPECT_TRUE(changed([](TimelineEvent& e) { e.seq = 3; }));
  EXPECT_TRUE(changed([](TimelineEvent& e) { e.at += Duration(1); }));
  EXPECT_TRUE(changed([](TimelineEvent& e) { e.type = "incident.resolved"; }));
  EXPECT_TRUE(changed([](TimelineEvent& e) { e.actor = "token:bob"; }));
  EXPECT_TRUE(changed([](TimelineEvent& e) { e.data_json = "{}"; }));
  EXPECT_TRUE(changed([](TimelineEvent& e) { e.prev_hash = ""; }));
  // The hash field itself is not an input.
  EXPECT_FALSE(changed([](TimelineEvent& e) { e.hash = "x"; }));
}

TEST(TimelineHash, FieldBoundariesCannotBeShifted) {
  TimelineEvent a = Event();
  TimelineEvent b = Event();
  a.type = "ab";
  a.actor = "c";
  b.type = "a";
  b.actor = "bc";
  EXPECT_NE(TimelineHash(a), TimelineHash(b));
}

}  // namespace
}  // namespace loom
