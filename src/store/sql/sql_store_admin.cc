// SqlStore (sql_store_impl.h): the AdminStore role (store/admin_store.h).
#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/timeline.h"
#include "store/sql/link_tables.h"
#include "store/sql/row_codec.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::CreateService(Service service, std::string key_hash, Callback<IntegrationKey> done) {
  Submit<sql::ServiceWrite>(
      [this, service = std::move(service), key_hash = std::move(key_hash)] {
        return writer_->ApplyCreateService(service, key_hash);
      },
      [done = std::move(done)](Result<sql::ServiceWrite> r) {
        if (!done) return;
        if (!r.ok()) {
          done(std::move(r).error());
        } else {
          done(std::move(r->added_keys.front()));
        }
      },
      [this](const sql::ServiceWrite& w) { PublishServiceWrite(w); });
}

Status SqlStore::UpsertConfiguredService(const Service& service,
                                         const std::vector<std::string>& key_hashes) {
  Result<sql::ServiceWrite> r = AwaitWrite<sql::ServiceWrite>([&](auto done) {
    Submit<sql::ServiceWrite>(
        [this, service, key_hashes] { return writer_->ApplyUpsertService(service, key_hashes); },
        std::move(done), [this](const sql::ServiceWrite& w) { PublishServiceWrite(w); });
  });
  if (!r.ok()) return std::move(r).error();
  return OkStatus();
}

void SqlStore::CreateToken(std::string name, Role role, std::string token_hash,
                           Callback<ApiToken> done) {
  Submit<ApiToken>(
      [this, name = std::move(name), role, token_hash = std::move(token_hash)] {
        return writer_->ApplyCreateToken(name, role, token_hash);
      },
      std::move(done));
}

Result<std::string> SqlStore::GetOrCreateSetting(const std::string& name,
                                                 const std::function<std::string()>& generate) {
  return AwaitWrite<std::string>([&](auto done) {
    Submit<std::string>(
        [this, name, generate] {
          return sql::GetOrCreateSetting(writer_->connection(), name, generate);
        },
        std::move(done));
  });
}

Result<std::optional<IntegrationKey>> SqlStore::FindIntegrationKey(const std::string& key_hash) {
  return cache_.FindKey(key_hash);
}

Result<std::optional<ApiToken>> SqlStore::FindToken(const std::string& token_hash) {
  auto conn = readers_.Acquire();
  Result<Statement*> stmt = conn->Prepare(
      "SELECT id, name, role, token_hash, created_at, user_id FROM api_tokens"
      " WHERE token_hash = ?1 AND revoked_at IS NULL");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, token_hash);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<ApiToken>();
  ApiToken t;
  t.id = q.Int(0);
  t.name = q.Text(1);
  if (!ParseRole(q.Text(2), &t.role)) t.role = Role::kViewer;  // unknown role: least privilege
  t.token_hash = q.Text(3);
  t.created_at = q.Time(4);
  t.user = q.Text(5);
  return std::optional<ApiToken>(std::move(t));
}

Result<std::optional<Service>> SqlStore::GetService(const std::string& id) {
  return cache_.GetService(id);
}

Result<std::vector<Service>> SqlStore::ListServices() { return cache_.ListServices(); }

Result<StoreStats> SqlStore::Stats() {
  StoreStats stats;
  {
    auto conn = readers_.Acquire();
    sql::ReadTransaction tx(*conn);
    if (!tx.status().ok()) return tx.status().error();
    {
      // The WHERE matches the partial index incidents_open_by_severity, so this is a count over
      // that index alone.
      Result<Statement*> stmt = conn->Prepare(
          "SELECT severity, COUNT(*) FROM incidents"
          " WHERE state NOT IN ('resolved', 'closed') GROUP BY severity");
      if (!stmt.ok()) return std::move(stmt).error();
      Query q(*stmt);
      while (true) {
        Result<bool> row = q.Step();
        if (!row.ok()) return std::move(row).error();
        if (!*row) break;
        const int64_t sev = q.Int(0);
        if (sev >= 1 && sev <= 4) stats.open_incidents_by_severity[sev - 1] = q.Int(1);
      }
    }
    auto count = [&conn](const char* sql) -> Result<int64_t> {
      Result<Statement*> stmt = conn->Prepare(sql);
      if (!stmt.ok()) return std::move(stmt).error();
      Query q(*stmt);
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      return *row ? q.Int(0) : 0;
    };
    Result<int64_t> outbox = count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'");
    if (!outbox.ok()) return std::move(outbox).error();
    stats.outbox_depth = *outbox;
    Result<int64_t> deadlines = count("SELECT COUNT(*) FROM deadlines WHERE fired_at IS NULL");
    if (!deadlines.ok()) return std::move(deadlines).error();
    stats.pending_deadlines = *deadlines;
  }
  sql::GroupCommitStats writer = queue_->Stats();
  stats.writer_queue_depth = writer.queue_depth;
  stats.commits = writer.commits;
  stats.committed_commands = writer.committed_commands;
  std::copy(std::begin(writer.batch_size_buckets), std::end(writer.batch_size_buckets),
            std::begin(stats.batch_size_buckets));
  stats.batch_size_sum = writer.batch_size_sum;
  return stats;
}

Result<AuditReport> SqlStore::VerifyAudit() {
  auto conn = readers_.Acquire();
  sql::ReadTransaction tx(*conn);
  if (!tx.status().ok()) return tx.status().error();
  Result<Statement*> incidents_stmt =
      conn->Prepare("SELECT number, last_seq, last_hash FROM incidents ORDER BY number");
  if (!incidents_stmt.ok()) return std::move(incidents_stmt).error();
  Result<Statement*> events_stmt =
      conn->Prepare(std::string("SELECT ") + sql::kTimelineColumns +
                    " FROM timeline_events ORDER BY incident_number, seq");
  if (!events_stmt.ok()) return std::move(events_stmt).error();

  AuditReport report;
  Query incidents(*incidents_stmt);
  Query events(*events_stmt);
  Result<bool> have_event = events.Step();
  if (!have_event.ok()) return std::move(have_event).error();
  auto broken = [&report](int64_t number, int64_t seq, std::string reason) {
    report.first_broken = AuditReport::Broken{number, seq, std::move(reason)};
    return report;
  };
  while (true) {
    Result<bool> have_incident = incidents.Step();
    if (!have_incident.ok()) return std::move(have_incident).error();
    if (!*have_incident) break;
    const int64_t number = incidents.Int(0);
    const int64_t last_seq = incidents.Int(1);
    const std::string last_hash = incidents.Text(2);
    ++report.incidents_checked;
    int64_t seq = 0;
    std::string prev_hash;
    while (*have_event && events.Int(0) <= number) {
      TimelineEvent e;
      sql::ReadTimelineEvent(events, &e);
      if (e.incident_number < number) {
        return broken(e.incident_number, e.seq, "event of an unknown incident");
      }
      ++report.events_checked;
      if (e.seq != seq + 1) return broken(number, e.seq, "gap before seq " + std::to_string(e.seq));
      if (e.prev_hash != prev_hash) {
        return broken(number, e.seq,
                      seq == 0 ? std::string("prev_hash of the first event is not empty")
                               : "prev_hash does not match event " + std::to_string(seq));
      }
      if (TimelineHash(e) != e.hash) return broken(number, e.seq, "hash mismatch");
      seq = e.seq;
      prev_hash = std::move(e.hash);
      have_event = events.Step();
      if (!have_event.ok()) return std::move(have_event).error();
    }
    // The incident row records the chain's tail: events deleted from the end show up here.
    if (seq != last_seq) {
      return broken(number, seq + 1,
                    "missing events after seq " + std::to_string(seq) + " (the incident records " +
                        std::to_string(last_seq) + ")");
    }
    if (prev_hash != last_hash) {
      return broken(number, seq, "the last event does not match the incident's chain head");
    }
  }
  if (*have_event) {
    return broken(events.Int(0), events.Int(1), "event of an unknown incident");
  }
  return report;
}

}  // namespace loom::sql
