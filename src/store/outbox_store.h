// OutboxStore: the outbox role of the store — what delivery (engine/delivery.h) needs: the
// pending rows, recording attempts and claims, disabled destinations, and the hooks that hand it
// new rows. Writes and reads follow store/callback.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/incident.h"
#include "core/outbox.h"
#include "core/timeline.h"
#include "store/callback.h"

namespace loom {

// Outbox rows for the incident channels of a change: called inside the writer's transaction with
// the incident as it is after the change and the timeline events the change wrote (seq set). Must
// be quick and must not call the store.
using OutboxFanout = std::function<std::vector<OutboxEntry>(
    const Incident& incident, const std::vector<TimelineEvent>& events)>;
// Called after each commit that inserted outbox rows (ids set), on the writer's thread: must be
// quick.
using OutboxListener = std::function<void(const std::vector<OutboxEntry>&)>;

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Applies delivery outcomes in one transaction: each row's state, attempts, next attempt,
  // last error, its timeline event and follow-up rows. Answers how many rows changed.
  virtual void RecordDeliveries(std::vector<DeliveryRecord> records, Callback<int64_t> done) = 0;
  // Records, in one transaction, which message each row goes out in, before that message is
  // first attempted: only pending rows that name no message yet are changed (a row stays in the
  // first message that claimed it). Answers how many rows changed.
  virtual void ClaimOutbox(std::vector<OutboxClaim> claims, Callback<int64_t> done) = 0;
  // Marks a destination disabled (it answered 410) — `key` identifies it (DestinationKey in
  // src/engine/delivery.h); later rows for it are dead-lettered without an attempt.
  virtual void DisableDestination(std::string key, std::string reason, Callback<bool> done) = 0;

  // Records a delivery state a provider reported (a status callback) on the rows whose attempt it
  // accepted under `provider_id`. A final state ("delivered", "failed", "undelivered",
  // "no-answer", "busy", "canceled", "completed", "machine") is never replaced by an earlier one
  // ("queued", "sent", "ringing", ...) arriving late. Answers how many rows changed.
  virtual void RecordProviderStatus(std::string provider_id, std::string status,
                                    Callback<int64_t> done) = 0;
  // Records that `number` replied STOP (`opted_out`) or START to an SMS; answers whether that
  // changed anything.
  virtual void SetSmsOptOut(std::string number, bool opted_out, Callback<bool> done) = 0;
  // True when `number` replied STOP and not START since.
  virtual Result<bool> SmsOptedOut(const std::string& number) = 0;

  // Every pending outbox row, by next attempt.
  virtual Result<std::vector<OutboxEntry>> PendingOutbox() = 0;
  // The rows with these ids that are still pending (others are left out).
  virtual Result<std::vector<OutboxEntry>> PendingOutboxByIds(const std::vector<int64_t>& ids) = 0;
  // Keys of the destinations disabled by DisableDestination.
  virtual Result<std::vector<std::string>> DisabledDestinations() = 0;
  // Registers the delivery hooks, replacing earlier ones (null: none).
  virtual void SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) = 0;
};

}  // namespace loom
