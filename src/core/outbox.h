// The outbox: one message to one recipient, the claim that puts it into a sent message, and the
// record of one delivery attempt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace loom {

// Where an outbox row is. The name in quotes is how it is stored (outbox.state) and shown:
// OutboxStateName / ParseOutboxState convert.
enum class OutboxState {
  kPending,        // "pending": to be sent at next_attempt_at (a retry too)
  kDelivered,      // "delivered"
  kDead,           // "dead": dead-lettered (attempts used up, rejected, destination gone)
  kCancelled,      // "cancelled": no longer needed (acknowledged, resolved, superseded)
  kUndeliverable,  // "undeliverable": the user has no contact method; on record, never sent
};

// The stored name of `state` (a static string).
const char* OutboxStateName(OutboxState state);
// The state named `name`; nullopt for a name that is none of them.
std::optional<OutboxState> ParseOutboxState(std::string_view name);

// One message to one recipient through one contact method (or to one incident channel), unique
// per (incident, escalation arm and step, kind, recipient, method): inserting it twice keeps the
// first. Delivery workers (src/engine/delivery) send it and record each attempt.
struct OutboxEntry {
  int64_t id = 0;
  std::string unique_key;
  int64_t incident_number = 0;
  int step = 0;
  std::string role;         // "primary", ..., "commander" for reminders, "" for channel posts
  std::string recipient;    // user id, or "channel:<service>/<channel id>"
  std::string channel;      // kind: "page", "notify", "ticket", "reminder", "channel"
  std::string method;       // contact method id, or the incident channel's id; "" = none
  std::string method_type;  // "email", "slack", "webhook"; "" = none
  std::string payload_json = "{}";
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  TimePoint created_at{};
  std::optional<TimePoint> next_attempt_at;  // pending: when it is due
  std::optional<TimePoint> delivered_at;
  std::string last_error;
  // The message it goes out in, recorded before that message's first attempt (ClaimOutbox) or
  // with an attempt's record: a claimed row is never sent in another message. "" = none yet.
  std::string message_id;
  // The provider's id of the attempt it accepted (a Twilio SID; "" = none) and the delivery state
  // its status callbacks reported since ("queued", "sent", "delivered", "failed", "undelivered",
  // "no-answer", "busy", "completed", "machine"; "" = none yet).
  std::string provider_id;
  std::string provider_status;
};

// Puts an outbox row into a message before the message's first attempt (see ClaimOutbox).
struct OutboxClaim {
  int64_t outbox_id = 0;
  std::string message_id;
};

// The outcome of one delivery attempt of one outbox row, recorded by RecordDeliveries.
struct DeliveryRecord {
  int64_t outbox_id = 0;
  int64_t incident_number = 0;
  OutboxState state = OutboxState::kPending;  // kPending: retry at next_attempt_at
  bool attempted = true;  // false: dead-lettered without an attempt (attempts stays)
  std::optional<TimePoint> next_attempt_at;
  std::string last_error;
  // The message the attempt sent; kept when the row names none yet ("" = leave it).
  std::string message_id;
  // The provider's id of what it accepted (SendResult::provider_id); "" = leave it.
  std::string provider_id;
  // Timeline event of the incident ("notification.sent", "notification.failed",
  // "notification.dead_lettered"; "" = none), actor "system".
  std::string event_type;
  std::string event_data_json = "{}";
  // Rows to add in the same transaction (the user's next contact method after a dead letter).
  std::vector<OutboxEntry> follow_up;
};

}  // namespace loom
