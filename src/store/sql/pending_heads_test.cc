#include "store/sql/pending_heads.h"

#include <gtest/gtest.h>

namespace loom::sql {
namespace {

IncidentHead Head(int64_t number, const std::string& dedup_key, int64_t alerts) {
  IncidentHead h;
  h.number = number;
  h.integration_key_id = 7;
  h.dedup_key = dedup_key;
  h.alert_count = alerts;
  h.last_seq = alerts + 1;
  h.last_hash = "hash-" + std::to_string(alerts);
  return h;
}

TEST(PendingHeadsTest, FindsByGroup) {
  PendingHeads p;
  p.Put(Head(1, "disk", 2));
  ASSERT_NE(p.FindByGroup(7, "disk"), nullptr);
  EXPECT_EQ(p.FindByGroup(7, "disk")->number, 1);
  EXPECT_EQ(p.FindByGroup(8, "disk"), nullptr);
  EXPECT_EQ(p.FindByGroup(7, "cpu"), nullptr);
}

TEST(PendingHeadsTest, RollbackCommandRestoresWhatTheCommandChanged) {
  PendingHeads p;
  p.MarkCommand();
  p.Put(Head(1, "disk", 2));
  p.MarkCommand();  // the next command
  p.Put(Head(1, "disk", 3));
  p.Put(Head(2, "cpu", 1));
  ASSERT_TRUE(p.Take(1).has_value());
  EXPECT_EQ(p.FindByGroup(7, "disk"), nullptr);
  p.RollbackCommand();

  ASSERT_NE(p.FindByGroup(7, "disk"), nullptr);
  EXPECT_EQ(p.FindByGroup(7, "disk")->alert_count, 2);
  EXPECT_EQ(p.FindByGroup(7, "cpu"), nullptr);
  EXPECT_EQ(p.All().size(), 1u);
}

TEST(PendingHeadsTest, TakeRemovesAndClearForgets) {
  PendingHeads p;
  p.Put(Head(1, "disk", 2));
  std::optional<IncidentHead> h = p.Take(1);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->last_hash, "hash-2");
  EXPECT_FALSE(p.Take(1).has_value());
  p.Put(Head(3, "x", 1));
  p.Clear();
  EXPECT_TRUE(p.empty());
  p.RollbackCommand();  // nothing to undo after Clear
  EXPECT_TRUE(p.empty());
}

}  // namespace
}  // namespace loom::sql
