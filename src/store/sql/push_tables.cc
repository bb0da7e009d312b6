#include "store/sql/push_tables.h"

#include "store/sql/sql_store_impl.h"

namespace loom::sql {
namespace {

constexpr char kPushColumns[] =
    "p.channel, p.ref, p.incident_number, p.recipient, p.address, p.message_id, p.text,"
    " p.created_at, p.settled, p.attempts, p.next_attempt_at";

void ReadPushPage(const Query& q, PushPage* p) {
  p->channel = q.Text(0);
  p->ref = q.Text(1);
  p->incident_number = q.Int(2);
  p->recipient = q.Text(3);
  p->address = q.Text(4);
  p->message_id = q.Text(5);
  p->text = q.Text(6);
  p->created_at = q.Time(7);
  p->settled = q.Int(8) != 0;
  p->attempts = static_cast<int>(q.Int(9));
  if (q.Int(10) != 0) p->next_attempt_at = q.Time(10);
}

}  // namespace

Result<int64_t> InsertPushPages(Connection& db, const std::vector<PushPage>& pages) {
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO push_pages(channel, ref, incident_number, recipient, address, message_id,"
      " text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT(channel, ref, incident_number) DO UPDATE SET message_id ="
      " CASE WHEN excluded.message_id <> '' THEN excluded.message_id"
      " ELSE push_pages.message_id END");
  if (!stmt.ok()) return std::move(stmt).error();
  for (const PushPage& p : pages) {
    Query q(*stmt);
    q.Bind(1, p.channel);
    q.Bind(2, p.ref);
    q.Bind(3, p.incident_number);
    q.Bind(4, p.recipient);
    q.Bind(5, p.address);
    q.Bind(6, p.message_id);
    q.Bind(7, p.text);
    q.Bind(8, p.created_at);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  return static_cast<int64_t>(pages.size());
}

Result<int64_t> UpdatePushSettles(Connection& db, const std::vector<PushSettleRecord>& records) {
  Result<Statement*> stmt = db.Prepare(
      "UPDATE push_pages SET settled = ?4, attempts = attempts + ?5, next_attempt_at = ?6,"
      " last_error = ?7 WHERE channel = ?1 AND ref = ?2 AND incident_number = ?3");
  if (!stmt.ok()) return std::move(stmt).error();
  int64_t changed = 0;
  for (const PushSettleRecord& r : records) {
    Query q(*stmt);
    q.Bind(1, r.channel);
    q.Bind(2, r.ref);
    q.Bind(3, r.incident_number);
    q.Bind(4, int64_t{r.settled ? 1 : 0});
    q.Bind(5, int64_t{r.settled ? 0 : 1});
    q.Bind(6, r.next_attempt_at ? ToUnixMicros(*r.next_attempt_at) : int64_t{0});
    q.Bind(7, r.error);
    LOOM_RETURN_IF_ERROR(q.Run());
    changed += q.Changes();
  }
  return changed;
}

Result<std::vector<PushPage>> ReadPushPages(Connection& db, const std::string& channel,
                                            const std::string& ref) {
  return ReadRows<PushPage>(
      db,
      std::string("SELECT ") + kPushColumns +
          " FROM push_pages p WHERE p.channel = ?1 AND p.ref = ?2 ORDER BY p.incident_number",
      [&](Query& q) {
        q.Bind(1, channel);
        q.Bind(2, ref);
      },
      ReadPushPage);
}

Result<std::vector<PushPageToSettle>> ReadPushPagesToSettle(Connection& db, TimePoint now,
                                                            int limit) {
  return ReadRows<PushPageToSettle>(
      db,
      std::string("SELECT ") + kPushColumns +
          ", i.state, i.commander FROM push_pages p JOIN incidents i"
          " ON i.number = p.incident_number WHERE p.settled = 0 AND i.state <> 'triggered'"
          " AND p.next_attempt_at <= ?1 ORDER BY p.created_at, p.ref, p.incident_number"
          " LIMIT ?2",
      [&](Query& q) {
        q.Bind(1, now);
        q.Bind(2, int64_t{limit});
      },
      [](const Query& q, PushPageToSettle* out) {
        ReadPushPage(q, &out->page);
        out->incident_state = q.Text(11);
        out->commander = q.Text(12);
      });
}

}  // namespace loom::sql
