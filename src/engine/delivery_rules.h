// The pure decisions of delivery (src/engine/delivery.h runs them): which rows of the outbox make
// one message, what the message says, what an attempt's outcome does to each row, and which
// incident-channel posts a change produces.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/incident.h"
#include "core/outbox.h"
#include "core/roster.h"
#include "core/timeline.h"
#include "notify/channel.h"

namespace loom {

// An incident channel of a service (config `incident_channels`), as delivery needs it.
struct IncidentChannel {
  std::string service;
  std::string id;
  Destination destination;
};

// Where a row goes: `recipient` + `method` names it; the key identifies the destination (for
// bundling, rate limits and 410-disabling) without revealing its address.
std::string DestinationKey(const Destination& destination);

// The destination of a row: the user's contact method (from the snapshot) or the incident
// channel; nullopt with `why` when it no longer exists.
std::optional<Destination> ResolveDestination(
    const OutboxEntry& row, const OnCallSnapshot& oncall,
    const std::map<std::string, IncidentChannel>& channels,  // by "channel:<service>/<id>"
    std::string* why);

// The id of a new message carrying `rows` (at least one): one row's message is named after the
// row's unique key (so it needs no record to keep its id), a bundle after its rows' ids.
std::string MessageId(const std::vector<OutboxEntry>& rows);

// One message for `rows` (all to the same destination, at least one; all of one message when a
// row names its message). Its id is the rows' message_id, else MessageId(rows). Links are left
// empty.
Notice BuildNotice(const std::vector<OutboxEntry>& rows, const OnCallSnapshot& oncall);

struct RetryPolicy {
  int max_attempts = 8;
  Duration initial = std::chrono::seconds(5);
  Duration max = std::chrono::minutes(10);
};

// Backoff before attempt `attempt + 1` (attempt >= 1 failed): initial * 2^(attempt-1), capped,
// times `jitter` in [0.5, 1.5).
Duration Backoff(const RetryPolicy& policy, int attempt, double jitter);

// What one attempt's result does to each of its rows: delivered, retried at a later time, or
// dead-lettered (then the user's next contact method is added as a follow-up row).
std::vector<DeliveryRecord> RecordsFor(const std::vector<OutboxEntry>& rows,
                                       const SendResult& result, const RetryPolicy& policy,
                                       double jitter, int bundle_size, TimePoint now,
                                       const OnCallSnapshot& oncall);

// Dead-letters rows that cannot be attempted (destination gone, disabled, no channel).
std::vector<DeliveryRecord> DeadRecords(const std::vector<OutboxEntry>& rows,
                                        const std::string& why, TimePoint now,
                                        const OnCallSnapshot& oncall);

// The incident-channel posts of a change: one row per channel of the incident's service for
// each lifecycle event (triggered, acknowledged, unacknowledged, mitigated, resolved, closed,
// severity changed, commander assigned, reassigned, status update).
std::vector<OutboxEntry> ChannelPosts(
    const Incident& incident, const std::vector<TimelineEvent>& events,
    const std::map<std::string, std::vector<IncidentChannel>>& by_service);

}  // namespace loom
