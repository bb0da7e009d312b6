// OutboxStore on both back ends: pending rows, recorded deliveries and claims, disabled
// destinations, the states as stored, providers' delivery states and SMS opt-outs.
#include "store/sql/store_test_fixture.h"

namespace loom {
namespace {

class StoreOutboxTest : public sql::testing::StoreTest {
 protected:
  // Adds one outbox row (no incident) the way the engine does: as the effect of firing a deadline.
  OutboxEntry AddRow(const std::string& unique_key) {
    Deadline due;
    due.kind = DeadlineKind::kDrillDue;
    due.due_at = clock_.Now();
    Result<Deadline> d =
        AwaitWrite<Deadline>([&](auto done) { store_->ScheduleDrillDue(due, done); });
    EXPECT_TRUE(d.ok()) << d.error().message;
    OutboxEntry e;
    e.unique_key = unique_key;
    e.role = "owner";
    e.recipient = "alice";
    e.channel = "reminder";
    e.method = "email-1";
    e.method_type = "email";
    e.next_attempt_at = clock_.Now();
    DeadlineEffects effects;
    effects.outbox.push_back(e);
    Result<DeadlineFiring> fired = AwaitWrite<DeadlineFiring>([&](auto done) {
      store_->FireDeadline(
          d.ok() ? d->id : 0,
          [effects](const Deadline&, const std::optional<Incident>&, TimePoint) { return effects; },
          done);
    });
    EXPECT_TRUE(fired.ok() && fired->outbox_inserted == 1);
    Result<std::vector<OutboxEntry>> pending = store_->PendingOutbox();
    EXPECT_TRUE(pending.ok() && !pending->empty());
    return pending.ok() && !pending->empty() ? pending->back() : OutboxEntry{};
  }

  std::string StoredState(int64_t id) {
    return db_.QueryText("SELECT state FROM outbox WHERE id = " + std::to_string(id)).value();
  }
};

TEST_P(StoreOutboxTest, ARowIsPendingUntilItsDeliveryIsRecorded) {
  OutboxEntry row = AddRow("alice/reminder/1");
  EXPECT_EQ(row.state, OutboxState::kPending);
  EXPECT_EQ(row.channel, "reminder");
  EXPECT_EQ(StoredState(row.id), "pending");

  DeliveryRecord r;
  r.outbox_id = row.id;
  r.state = OutboxState::kDelivered;
  r.message_id = "m-1";
  Result<int64_t> changed =
      AwaitWrite<int64_t>([&](auto done) { store_->RecordDeliveries({r}, done); });
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(*changed, 1);
  EXPECT_TRUE(store_->PendingOutbox().value().empty());
  EXPECT_TRUE(store_->PendingOutboxByIds({row.id}).value().empty());
  EXPECT_EQ(StoredState(row.id), "delivered");
  Result<std::vector<OutboxEntry>> all = store_->ListNotifications(0);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, OutboxState::kDelivered);
  EXPECT_EQ((*all)[0].attempts, 1);
  EXPECT_EQ((*all)[0].message_id, "m-1");
}

TEST_P(StoreOutboxTest, AClaimNamesTheMessageOnceAndARetryStaysPending) {
  OutboxEntry row = AddRow("alice/reminder/1");
  Result<int64_t> claimed = AwaitWrite<int64_t>([&](auto done) {
    store_->ClaimOutbox({OutboxClaim{row.id, "m-1"}}, done);
  });
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  EXPECT_EQ(*claimed, 1);
  Result<int64_t> again = AwaitWrite<int64_t>([&](auto done) {
    store_->ClaimOutbox({OutboxClaim{row.id, "m-2"}}, done);
  });
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, 0);

  DeliveryRecord retry;
  retry.outbox_id = row.id;
  retry.state = OutboxState::kPending;
  retry.next_attempt_at = clock_.Now() + std::chrono::seconds(30);
  retry.last_error = "503";
  ASSERT_TRUE(
      AwaitWrite<int64_t>([&](auto done) { store_->RecordDeliveries({retry}, done); }).ok());
  Result<std::vector<OutboxEntry>> pending = store_->PendingOutboxByIds({row.id});
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].state, OutboxState::kPending);
  EXPECT_EQ((*pending)[0].message_id, "m-1");
  EXPECT_EQ((*pending)[0].last_error, "503");
  EXPECT_EQ((*pending)[0].next_attempt_at, retry.next_attempt_at);
}

TEST_P(StoreOutboxTest, DisabledDestinationsAreKept) {
  EXPECT_TRUE(store_->DisabledDestinations().value().empty());
  ASSERT_TRUE(AwaitWrite<bool>([&](auto done) {
                store_->DisableDestination("webhook:https://example.test/hook", "410", done);
              }).ok());
  Reopen();
  EXPECT_EQ(store_->DisabledDestinations().value(),
            std::vector<std::string>{"webhook:https://example.test/hook"});
}

TEST_P(StoreOutboxTest, AProviderIdIsKeptWithTheAttemptAndItsStatusCallbacksShow) {
  OutboxEntry row = AddRow("alice/reminder/1");
  DeliveryRecord r;
  r.outbox_id = row.id;
  r.state = OutboxState::kDelivered;
  r.provider_id = "SM123";
  ASSERT_TRUE(AwaitWrite<int64_t>([&](auto done) { store_->RecordDeliveries({r}, done); }).ok());
  auto shown = [&] { return store_->ListNotifications(0).value().at(0); };
  EXPECT_EQ(shown().provider_id, "SM123");
  EXPECT_EQ(shown().provider_status, "queued");
  auto report = [&](const std::string& id, const std::string& status) {
    Result<int64_t> changed =
        AwaitWrite<int64_t>([&](auto done) { store_->RecordProviderStatus(id, status, done); });
    EXPECT_TRUE(changed.ok()) << changed.error().message;
    return changed.ok() ? *changed : -1;
  };
  EXPECT_EQ(report("SM123", "sent"), 1);
  EXPECT_EQ(shown().provider_status, "sent");
  EXPECT_EQ(report("SM123", "delivered"), 1);
  // A late earlier state does not replace the outcome; another final one does.
  EXPECT_EQ(report("SM123", "sent"), 0);
  EXPECT_EQ(shown().provider_status, "delivered");
  EXPECT_EQ(report("SM999", "failed"), 0);
  EXPECT_EQ(report("SM123", "undelivered"), 1);
  Reopen();
  EXPECT_EQ(shown().provider_status, "undelivered");
}

TEST_P(StoreOutboxTest, SmsOptOutsAreKeptUntilStart) {
  EXPECT_FALSE(store_->SmsOptedOut("+15551234567").value());
  auto set = [&](bool out) {
    Result<bool> changed =
        AwaitWrite<bool>([&](auto done) { store_->SetSmsOptOut("+15551234567", out, done); });
    EXPECT_TRUE(changed.ok()) << changed.error().message;
    return changed.ok() && *changed;
  };
  EXPECT_TRUE(set(true));
  EXPECT_FALSE(set(true));  // already
  Reopen();
  EXPECT_TRUE(store_->SmsOptedOut("+15551234567").value());
  EXPECT_FALSE(store_->SmsOptedOut("+15550000000").value());
  EXPECT_TRUE(set(false));
  EXPECT_FALSE(store_->SmsOptedOut("+15551234567").value());
}

TEST_P(StoreOutboxTest, AStateThisVersionDoesNotKnowIsAnError) {
  OutboxEntry row = AddRow("alice/reminder/1");
  ASSERT_TRUE(db_.Exec("UPDATE outbox SET state = 'bounced'").ok());
  Result<std::vector<OutboxEntry>> all = store_->ListNotifications(0);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, ErrorCode::kInternal);
  EXPECT_EQ(all.error().message,
            "outbox row " + std::to_string(row.id) + " has unknown state bounced");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreOutboxTest, sql::kBackends, sql::BackendName);

}  // namespace
}  // namespace loom
