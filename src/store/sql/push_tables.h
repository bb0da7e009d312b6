// The push_pages table (migration 16): what Pushover and Telegram pages left behind
// (store/push_store.h). Internal to src/store/sql.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "store/push_store.h"
#include "store/sql/db.h"

namespace loom::sql {

Result<int64_t> InsertPushPages(Connection& db, const std::vector<PushPage>& pages);
Result<int64_t> UpdatePushSettles(Connection& db, const std::vector<PushSettleRecord>& records);
Result<std::vector<PushPage>> ReadPushPages(Connection& db, const std::string& channel,
                                            const std::string& ref);
Result<std::vector<PushPageToSettle>> ReadPushPagesToSettle(Connection& db, TimePoint now,
                                                            int limit);

}  // namespace loom::sql
