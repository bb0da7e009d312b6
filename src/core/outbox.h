// The outbox: one message to one recipient, the claim that puts it into a sent message, and the
// record of one delivery attempt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace loom {

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
  std::string state = "pending";  // "pending", "delivered", "dead", "cancelled"
  int attempts = 0;
  TimePoint created_at{};
  std::optional<TimePoint> next_attempt_at;  // pending: when it is due
  std::optional<TimePoint> delivered_at;
  std::string last_error;
  // The message it goes out in, recorded before that message's first attempt (ClaimOutbox) or
  // with an attempt's record: a claimed row is never sent in another message. "" = none yet.
  std::string message_id;
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
  std::string state;      // "delivered", "pending" (retry at next_attempt_at), "dead", "cancelled"
  bool attempted = true;  // false: dead-lettered without an attempt (attempts stays)
  std::optional<TimePoint> next_attempt_at;
  std::string last_error;
  // The message the attempt sent; kept when the row names none yet ("" = leave it).
  std::string message_id;
  // Timeline event of the incident ("notification.sent", "notification.failed",
  // "notification.dead_lettered"; "" = none), actor "system".
  std::string event_type;
  std::string event_data_json = "{}";
  // Rows to add in the same transaction (the user's next contact method after a dead letter).
  std::vector<OutboxEntry> follow_up;
};

}  // namespace loom
