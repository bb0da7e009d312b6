// The tables of the providers' callbacks (SMS and voice through Twilio, src/notify/twilio): the
// delivery states status callbacks report on outbox rows, and the numbers that replied STOP.
// Plain functions over a Connection, like link_tables.h.
//
// Thread safety: as the Connection passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/db.h"

namespace loom::sql {

// REQUIRES (writes): inside a transaction on the write connection.
// OutboxStore::RecordProviderStatus: answers how many rows changed.
Result<int64_t> RecordProviderStatus(Connection& db, const std::string& provider_id,
                                     const std::string& status);
// OutboxStore::SetSmsOptOut: answers whether anything changed.
Result<bool> SetSmsOptOut(Connection& db, const std::string& number, bool opted_out, TimePoint now);
// OutboxStore::SmsOptedOut.
Result<bool> SmsOptedOut(Connection& db, const std::string& number);

// True for a delivery state that no later callback replaces (see RecordProviderStatus).
bool IsFinalProviderStatus(const std::string& status);

}  // namespace loom::sql
