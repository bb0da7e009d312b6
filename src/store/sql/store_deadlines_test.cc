// DeadlineStore on both back ends: pending deadlines, firing once, the drill-due deadline, and
// the kinds as stored.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

class StoreDeadlinesTest : public sql::testing::StoreTest {
 protected:
  Result<Deadline> ScheduleDrillDue(TimePoint due) {
    Deadline d;
    d.kind = DeadlineKind::kDrillDue;
    d.due_at = due;
    d.payload_json = R"({"scenario":"sev1","service":"loom","every":"30d"})";
    return AwaitWrite<Deadline>([&](auto done) { store_->ScheduleDrillDue(d, done); });
  }

  Result<DeadlineFiring> Fire(int64_t id, DeadlineEffects effects = {}) {
    return AwaitWrite<DeadlineFiring>([&](auto done) {
      store_->FireDeadline(
          id,
          [effects](const Deadline&, const std::optional<Incident>&, TimePoint) { return effects; },
          done);
    });
  }
};

TEST_P(StoreDeadlinesTest, ADeadlineIsPendingUntilItFiresAndFiresOnce) {
  Result<Deadline> d = ScheduleDrillDue(FromUnixMicros(5'000'000));
  ASSERT_TRUE(d.ok()) << d.error().message;
  Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, d->id);
  EXPECT_EQ((*pending)[0].kind, DeadlineKind::kDrillDue);
  EXPECT_EQ((*pending)[0].incident_number, 0);
  EXPECT_EQ((*pending)[0].due_at, FromUnixMicros(5'000'000));

  Result<DeadlineFiring> fired = Fire(d->id);
  ASSERT_TRUE(fired.ok()) << fired.error().message;
  EXPECT_TRUE(fired->fired);
  EXPECT_TRUE(store_->PendingDeadlines().value().empty());
  Result<DeadlineFiring> again = Fire(d->id);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->fired);
}

TEST_P(StoreDeadlinesTest, ScheduleDrillDueReplacesThePendingOne) {
  ASSERT_TRUE(ScheduleDrillDue(FromUnixMicros(5'000'000)).ok());
  Result<Deadline> second = ScheduleDrillDue(FromUnixMicros(9'000'000));
  ASSERT_TRUE(second.ok()) << second.error().message;
  Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, second->id);
}

// The enum is stored as the name it always had (no migration): other versions and the export
// read the same strings.
TEST_P(StoreDeadlinesTest, KindsAreStoredByTheirNames) {
  ASSERT_TRUE(ScheduleDrillDue(FromUnixMicros(5'000'000)).ok());
  Ingest(Pd(AlertAction::kTrigger, "disk-full", Severity::kSev2));
  Result<std::string> drill = db_.QueryText("SELECT kind FROM deadlines WHERE incident_number = 0");
  ASSERT_TRUE(drill.ok()) << drill.error().message;
  EXPECT_EQ(*drill, "drill_due");
  Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_FALSE(pending->empty());
  for (const Deadline& d : *pending) {
    Result<std::string> stored =
        db_.QueryText("SELECT kind FROM deadlines WHERE id = " + std::to_string(d.id));
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_EQ(*stored, DeadlineKindName(d.kind));
  }
}

TEST_P(StoreDeadlinesTest, AKindThisVersionDoesNotKnowIsAnError) {
  Result<Deadline> d = ScheduleDrillDue(FromUnixMicros(5'000'000));
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_TRUE(db_.Exec("UPDATE deadlines SET kind = 'snooze'").ok());
  Result<std::vector<Deadline>> pending = store_->PendingDeadlines();
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().code, ErrorCode::kInternal);
  EXPECT_EQ(pending.error().message,
            "deadline " + std::to_string(d->id) + " has unknown kind snooze");
  Result<DeadlineFiring> fired = Fire(d->id);
  ASSERT_FALSE(fired.ok());
  EXPECT_EQ(fired.error().code, ErrorCode::kInternal);
}

TEST_P(StoreDeadlinesTest, PendingDeadlinesOfARangeAreThoseOfItsIncidentsOnly) {
  ASSERT_TRUE(ScheduleDrillDue(FromUnixMicros(5'000'000)).ok());  // incident_number 0
  for (const char* key : {"one", "two", "three"}) {
    ASSERT_NE(Ingest(Pd(AlertAction::kTrigger, key, Severity::kSev1)).incident_number, 0);
  }
  Result<std::vector<Deadline>> all = store_->PendingDeadlines();
  ASSERT_TRUE(all.ok()) << all.error().message;
  std::vector<Deadline> expected;
  for (const Deadline& d : *all) {
    if (d.incident_number >= 2 && d.incident_number <= 3) expected.push_back(d);
  }
  ASSERT_FALSE(expected.empty());  // each Sev1 incident's escalation is pending

  Result<std::vector<Deadline>> some = store_->PendingDeadlinesOf(2, 3);
  ASSERT_TRUE(some.ok()) << some.error().message;
  ASSERT_EQ(some->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*some)[i].id, expected[i].id);
    EXPECT_EQ((*some)[i].kind, expected[i].kind);
    EXPECT_EQ((*some)[i].due_at, expected[i].due_at);
  }
  Result<std::vector<Deadline>> none = store_->PendingDeadlinesOf(7, 9);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreDeadlinesTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
