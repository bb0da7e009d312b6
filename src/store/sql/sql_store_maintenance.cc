// SqlStore (sql_store_impl.h): the MaintenanceStore role (store/maintenance_store.h). The writes
// are SqlWriter's (sql_writer_maintenance.cc); the reads are maintenance_tables.h's on a pooled
// connection.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sql/maintenance_tables.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::CreateMaintenance(MaintenanceWindow window, Callback<MaintenanceWindow> done) {
  Submit<MaintenanceWindow>(
      [this, window = std::move(window)] { return writer_->ApplyCreateMaintenance(window); },
      std::move(done));
}

void SqlStore::EndMaintenance(int64_t id, std::string actor, Callback<MaintenanceEnded> done) {
  Submit<MaintenanceEnded>(
      [this, id, actor = std::move(actor)] { return writer_->ApplyEndMaintenance(id, actor); },
      std::move(done));
}

void SqlStore::CancelMaintenance(int64_t id, std::string actor, Callback<MaintenanceWindow> done) {
  Submit<MaintenanceWindow>(
      [this, id, actor = std::move(actor)] { return writer_->ApplyCancelMaintenance(id, actor); },
      std::move(done));
}

Status SqlStore::ApplyConfiguredMaintenance(const std::vector<MaintenanceWindow>& configured) {
  Result<bool> r = AwaitWrite<bool>([&](auto done) {
    Submit<bool>(
        [this, configured]() -> Result<bool> {
          LOOM_RETURN_IF_ERROR(writer_->ApplyConfiguredMaintenance(configured));
          return true;
        },
        std::move(done));
  });
  if (!r.ok()) return std::move(r).error();
  return OkStatus();
}

Result<std::vector<MaintenanceWindow>> SqlStore::ListMaintenance() {
  auto conn = readers_.Acquire();
  return ReadMaintenanceWindows(*conn);
}

Result<std::optional<MaintenanceWindow>> SqlStore::GetMaintenance(int64_t id) {
  auto conn = readers_.Acquire();
  return ReadMaintenanceWindow(*conn, id);
}

}  // namespace loom::sql
