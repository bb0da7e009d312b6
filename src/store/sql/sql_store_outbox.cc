// SqlStore (sql_store_impl.h): the OutboxStore role (store/outbox_store.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sql/provider_tables.h"
#include "store/sql/row_codec.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::RecordDeliveries(std::vector<DeliveryRecord> records, Callback<int64_t> done) {
  Submit<int64_t>(
      [this, records = std::move(records)] { return writer_->ApplyRecordDeliveries(records); },
      std::move(done));
}

void SqlStore::ClaimOutbox(std::vector<OutboxClaim> claims, Callback<int64_t> done) {
  Submit<int64_t>([this, claims = std::move(claims)] { return writer_->ApplyClaimOutbox(claims); },
                  std::move(done));
}

void SqlStore::DisableDestination(std::string key, std::string reason, Callback<bool> done) {
  Submit<bool>(
      [this, key = std::move(key), reason = std::move(reason)]() -> Result<bool> {
        Status s = writer_->ApplyDisableDestination(key, reason);
        if (!s.ok()) return std::move(s).error();
        return true;
      },
      std::move(done));
}

void SqlStore::RecordProviderStatus(std::string provider_id, std::string status,
                                    Callback<int64_t> done) {
  Submit<int64_t>(
      [this, provider_id = std::move(provider_id), status = std::move(status)] {
        return sql::RecordProviderStatus(writer_->connection(), provider_id, status);
      },
      std::move(done));
}

void SqlStore::SetSmsOptOut(std::string number, bool opted_out, Callback<bool> done) {
  Submit<bool>(
      [this, number = std::move(number), opted_out] {
        return sql::SetSmsOptOut(writer_->connection(), number, opted_out, clock_->Now());
      },
      std::move(done));
}

Result<bool> SqlStore::SmsOptedOut(const std::string& number) {
  auto conn = readers_.Acquire();
  return sql::SmsOptedOut(*conn, number);
}

Result<std::vector<OutboxEntry>> SqlStore::PendingOutbox() {
  auto conn = readers_.Acquire();
  return ReadRows<OutboxEntry>(
      *conn,
      std::string("SELECT ") + kOutboxColumns +
          " FROM outbox WHERE state = 'pending' ORDER BY next_attempt_at, id",
      std::nullopt, ReadOutboxRow);
}

Result<std::vector<OutboxEntry>> SqlStore::PendingOutboxByIds(const std::vector<int64_t>& ids) {
  // One statement for the whole batch (a bundle re-reads hundreds of rows): the ids as one
  // array parameter — JSON expanded by json_each (SQLite), an array literal (PostgreSQL).
  auto conn = readers_.Acquire();
  const bool sqlite = conn->dialect() == sql::Dialect::kSqlite;
  std::string array = sqlite ? "[" : "{";
  for (int64_t id : ids) array += (array.size() > 1 ? "," : "") + std::to_string(id);
  array += sqlite ? "]" : "}";
  return ReadRows<OutboxEntry>(*conn,
                               std::string("SELECT ") + kOutboxColumns + " FROM outbox" +
                                   (sqlite ? " WHERE id IN (SELECT value FROM json_each(?1))"
                                           : " WHERE id = ANY(CAST(?1 AS BIGINT[]))") +
                                   " AND state = 'pending' ORDER BY id",
                               array, ReadOutboxRow);
}

Result<std::vector<std::string>> SqlStore::DisabledDestinations() {
  auto conn = readers_.Acquire();
  return ReadRows<std::string>(*conn, "SELECT key FROM disabled_destinations ORDER BY key",
                               std::nullopt,
                               [](const Query& q, std::string* key) { *key = q.Text(0); });
}

void SqlStore::SetOutboxHooks(OutboxFanout fanout, OutboxListener listener) {
  writer_->SetOutboxHooks(std::move(fanout), std::move(listener));
}

}  // namespace loom::sql
