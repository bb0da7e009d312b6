// SqlStore (sql_store_impl.h): the OnCallStore role (store/oncall_store.h).
#include <utility>
#include <vector>

#include "store/sql/oncall_tables.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::CreateOverride(ScheduleOverride override, Callback<ScheduleOverride> done) {
  Submit<ScheduleOverride>(
      [this, override = std::move(override)] {
        return sql::InsertOverride(writer_->connection(), override, clock_->Now());
      },
      std::move(done));
}

void SqlStore::DeleteOverride(int64_t id, Callback<bool> done) {
  Submit<bool>([this, id] { return sql::DeleteOverride(writer_->connection(), id); },
               std::move(done));
}

Result<std::vector<ScheduleOverride>> SqlStore::ListOverrides() {
  auto conn = readers_.Acquire();
  return sql::ReadOverrides(*conn);
}

Status SqlStore::UpsertConfiguredUsers(const std::vector<User>& users) {
  Result<int64_t> r = AwaitWrite<int64_t>([&](auto done) {
    Submit<int64_t>(
        [this, users] { return sql::UpsertUsers(writer_->connection(), users, clock_->Now()); },
        std::move(done));
  });
  if (!r.ok()) return std::move(r).error();
  return OkStatus();
}

}  // namespace loom::sql
