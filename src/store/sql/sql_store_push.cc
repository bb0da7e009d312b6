// SqlStore (sql_store_impl.h): the PushStore role (store/push_store.h; table in push_tables.h).
#include <utility>
#include <vector>

#include "store/sql/push_tables.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::RememberPushPages(std::vector<PushPage> pages, Callback<int64_t> done) {
  Submit<int64_t>(
      [this, pages = std::move(pages)] { return InsertPushPages(writer_->connection(), pages); },
      std::move(done));
}

void SqlStore::RecordPushSettles(std::vector<PushSettleRecord> records, Callback<int64_t> done) {
  Submit<int64_t>(
      [this, records = std::move(records)] {
        return UpdatePushSettles(writer_->connection(), records);
      },
      std::move(done));
}

Result<std::vector<PushPage>> SqlStore::FindPushPages(const std::string& channel,
                                                      const std::string& ref) {
  auto conn = readers_.Acquire();
  return ReadPushPages(*conn, channel, ref);
}

Result<std::vector<PushPageToSettle>> SqlStore::PushPagesToSettle(TimePoint now, int limit) {
  auto conn = readers_.Acquire();
  return ReadPushPagesToSettle(*conn, now, limit);
}

}  // namespace loom::sql
