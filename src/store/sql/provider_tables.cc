#include "store/sql/provider_tables.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace loom::sql {
namespace {

constexpr std::array<std::string_view, 8> kFinal = {
    "delivered", "failed", "undelivered", "no-answer", "busy", "canceled", "completed", "machine",
};

}  // namespace

bool IsFinalProviderStatus(const std::string& status) {
  return std::find(kFinal.begin(), kFinal.end(), status) != kFinal.end();
}

Result<int64_t> RecordProviderStatus(Connection& db, const std::string& provider_id,
                                     const std::string& status) {
  if (provider_id.empty() || status.empty()) return int64_t{0};
  // A late "sent" after "delivered" must not hide the outcome: only a final state replaces one.
  Result<Statement*> stmt = db.Prepare(
      "UPDATE outbox SET provider_status = ?2 WHERE provider_id = ?1 AND (CAST(?3 AS BIGINT) = 1"
      " OR provider_status IS NULL OR provider_status NOT IN ('delivered', 'failed',"
      " 'undelivered', 'no-answer', 'busy', 'canceled', 'completed', 'machine'))");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, provider_id);
  q.Bind(2, status);
  q.Bind(3, int64_t{IsFinalProviderStatus(status) ? 1 : 0});
  Status s = q.Run();
  if (!s.ok()) return std::move(s).error();
  return q.Changes();
}

Result<bool> SetSmsOptOut(Connection& db, const std::string& number, bool opted_out,
                          TimePoint now) {
  Result<Statement*> stmt =
      opted_out ? db.Prepare(
                      "INSERT INTO sms_opt_outs(number, opted_out_at) VALUES (?1, ?2)"
                      " ON CONFLICT (number) DO NOTHING")
                : db.Prepare("DELETE FROM sms_opt_outs WHERE number = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, number);
  if (opted_out) q.Bind(2, now);
  Status s = q.Run();
  if (!s.ok()) return std::move(s).error();
  return q.Changes() > 0;
}

Result<bool> SmsOptedOut(Connection& db, const std::string& number) {
  Result<Statement*> stmt = db.Prepare("SELECT 1 FROM sms_opt_outs WHERE number = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, number);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  return *row;
}

}  // namespace loom::sql
