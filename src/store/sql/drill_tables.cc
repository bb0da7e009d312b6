#include "store/sql/drill_tables.h"

namespace loom::sql {

Status CancelPendingDrillDue(Connection& db, TimePoint now) {
  Result<Statement*> stmt = db.Prepare(
      "UPDATE deadlines SET fired_at = ?1, outcome = 'cancelled'"
      " WHERE kind = 'drill_due' AND fired_at IS NULL");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, now);
  return q.Run();
}

}  // namespace loom::sql
