// SqlStore (sql_store_impl.h): the DeadlineStore role (store/deadline_store.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sql/row_codec.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

namespace {

constexpr char kSelectPendingDeadlines[] =
    "SELECT id, incident_number, kind, due_at, payload_json FROM deadlines";

// One row of kSelectPendingDeadlines.
Status ReadPendingDeadline(const Query& q, Deadline* d) {
  d->id = q.Int(0);
  d->incident_number = q.Int(1);
  std::optional<DeadlineKind> kind = ParseDeadlineKind(q.TextView(2));
  if (!kind) return Error::Internal("deadline " + q.Text(0) + " has unknown kind " + q.Text(2));
  d->kind = *kind;
  d->due_at = q.Time(3);
  d->payload_json = q.Text(4);
  return OkStatus();
}

}  // namespace

void SqlStore::FireDeadline(int64_t id, DeadlineHandler handler, Callback<DeadlineFiring> done) {
  Submit<DeadlineFiring>(
      [this, id, handler = std::move(handler)] { return writer_->ApplyFireDeadline(id, handler); },
      std::move(done), nullptr, /*urgent=*/true);
}

void SqlStore::ScheduleDrillDue(Deadline deadline, Callback<Deadline> done) {
  Submit<Deadline>(
      [this, deadline = std::move(deadline)] { return writer_->ApplyScheduleDrillDue(deadline); },
      std::move(done));
}

Result<std::vector<Deadline>> SqlStore::PendingDeadlines() {
  auto conn = readers_.Acquire();
  return ReadRows<Deadline>(
      *conn, std::string(kSelectPendingDeadlines) + " WHERE fired_at IS NULL ORDER BY due_at, id",
      std::nullopt, ReadPendingDeadline);
}

Result<std::vector<Deadline>> SqlStore::PendingDeadlinesOf(int64_t first, int64_t last) {
  auto conn = readers_.Acquire();
  return ReadRows<Deadline>(
      *conn,
      std::string(kSelectPendingDeadlines) +
          " WHERE fired_at IS NULL AND incident_number BETWEEN ?1 AND ?2 ORDER BY due_at, id",
      [first, last](Query& q) {
        q.Bind(1, first);
        q.Bind(2, last);
      },
      ReadPendingDeadline);
}

void SqlStore::SetDeadlineHooks(DeadlineListener listener, DeadlineHandler fire_now) {
  writer_->SetDeadlineHooks(std::move(listener), std::move(fire_now));
}

}  // namespace loom::sql
