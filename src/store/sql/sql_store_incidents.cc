// SqlStore (sql_store_impl.h): the IncidentStore role (store/incident_store.h).
#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sql/row_codec.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

void SqlStore::Ingest(IngestRequest request, Callback<IngestOutcome> done) {
  Submit<IngestOutcome>(
      [this, request = std::move(request)] { return writer_->ApplyIngest(request); },
      std::move(done));
}

void SqlStore::Execute(IncidentCommand command, Callback<Incident> done) {
  Submit<Incident>([this, command = std::move(command)] { return writer_->ApplyExecute(command); },
                   std::move(done));
}

void SqlStore::RecordChangeEvent(ChangeEvent event, Callback<int64_t> done) {
  Submit<int64_t>([this, event = std::move(event)] { return writer_->ApplyChangeEvent(event); },
                  std::move(done));
}

void SqlStore::RecordIncidentEvent(int64_t incident_number, std::string type, std::string actor,
                                   std::string data_json, Callback<TimelineEvent> done) {
  Submit<TimelineEvent>(
      [this, incident_number, type = std::move(type), actor = std::move(actor),
       data_json = std::move(data_json)] {
        return writer_->ApplySystemEvent(incident_number, type, actor, data_json);
      },
      std::move(done));
}

void SqlStore::StartDrill(DrillStartPlan plan, Callback<Incident> done) {
  Submit<Incident>([this, plan = std::move(plan)] { return writer_->ApplyStartDrill(plan); },
                   std::move(done));
}

void SqlStore::FinishDrill(DrillFinishPlan plan, Callback<DrillFinished> done) {
  Submit<DrillFinished>([this, plan = std::move(plan)] { return writer_->ApplyFinishDrill(plan); },
                        std::move(done));
}

Result<IncidentPage> SqlStore::ListIncidents(const IncidentFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, 500);
  std::string sql = "SELECT ";
  sql += sql::kIncidentColumns;
  sql += " FROM incidents WHERE number < ?1";
  if (filter.state) sql += " AND state = ?2";
  if (filter.severity) sql += " AND severity = ?3";
  if (!filter.service_id.empty()) sql += " AND service_id = ?4";
  if (filter.open_only) sql += " AND state NOT IN ('resolved', 'closed')";
  if (filter.drill) sql += *filter.drill ? " AND drill = 1" : " AND drill = 0";
  sql += " ORDER BY number DESC LIMIT ?5";

  auto conn = readers_.Acquire();
  Result<Statement*> stmt = conn->Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, filter.before_number > 0 ? filter.before_number : std::numeric_limits<int64_t>::max());
  if (filter.state) q.Bind(2, IncidentStateName(*filter.state));
  if (filter.severity) q.Bind(3, static_cast<int64_t>(*filter.severity));
  if (!filter.service_id.empty()) q.Bind(4, filter.service_id);
  q.Bind(5, static_cast<int64_t>(limit) + 1);  // one more tells whether a next page exists
  IncidentPage page;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    if (static_cast<int>(page.incidents.size()) == limit) {
      page.next_cursor = page.incidents.back().number;
      break;
    }
    sql::IncidentRow r;
    sql::ReadIncidentRow(q, &r);
    page.incidents.push_back(std::move(r.incident));
  }
  return page;
}

Result<std::optional<IncidentDetail>> SqlStore::GetIncident(int64_t number) {
  auto conn = readers_.Acquire();
  sql::ReadTransaction tx(*conn);
  if (!tx.status().ok()) return tx.status().error();
  auto row = ReadOne<sql::IncidentRow>(
      *conn, std::string("SELECT ") + sql::kIncidentColumns + " FROM incidents WHERE number = ?1",
      number, sql::ReadIncidentRow);
  if (!row.ok()) return std::move(row).error();
  if (!row->has_value()) return std::optional<IncidentDetail>();
  IncidentDetail detail;
  detail.incident = std::move((*row)->incident);
  auto timeline = ReadRows<TimelineEvent>(
      *conn,
      std::string("SELECT ") + sql::kTimelineColumns +
          " FROM timeline_events WHERE incident_number = ?1 ORDER BY seq",
      number, [](const Query& q, TimelineEvent* e) { sql::ReadTimelineEvent(q, e); });
  if (!timeline.ok()) return std::move(timeline).error();
  detail.timeline = std::move(*timeline);
  // One more than shown tells whether more follow.
  auto alerts = ReadRows<Alert>(*conn,
                                std::string("SELECT ") + sql::kAlertColumns +
                                    " FROM alerts WHERE incident_number = ?1 ORDER BY id LIMIT " +
                                    std::to_string(kIncidentDetailAlerts + 1),
                                number, [](const Query& q, Alert* a) { sql::ReadAlert(q, a); });
  if (!alerts.ok()) return std::move(alerts).error();
  detail.alerts = std::move(*alerts);
  if (detail.alerts.size() > static_cast<size_t>(kIncidentDetailAlerts)) {
    detail.alerts.resize(kIncidentDetailAlerts);
    detail.alerts_next = detail.alerts.back().id;
  }
  return std::optional<IncidentDetail>(std::move(detail));
}

Result<AlertPage> SqlStore::ListAlerts(const AlertFilter& filter) {
  const int limit = std::clamp(filter.limit, 1, 500);
  std::string sql = "SELECT ";
  sql += sql::kAlertColumns;
  sql += filter.oldest_first ? " FROM alerts WHERE id > ?1" : " FROM alerts WHERE id < ?1";
  if (filter.incident_number > 0) sql += " AND incident_number = ?2";
  if (!filter.service_id.empty()) sql += " AND service_id = ?3";
  if (!filter.status.empty()) sql += " AND status = ?4";
  sql += filter.oldest_first ? " ORDER BY id LIMIT ?5" : " ORDER BY id DESC LIMIT ?5";

  auto conn = readers_.Acquire();
  Result<Statement*> stmt = conn->Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  if (filter.oldest_first) {
    q.Bind(1, filter.after_id);
  } else {
    q.Bind(1, filter.before_id > 0 ? filter.before_id : std::numeric_limits<int64_t>::max());
  }
  if (filter.incident_number > 0) q.Bind(2, filter.incident_number);
  if (!filter.service_id.empty()) q.Bind(3, filter.service_id);
  if (!filter.status.empty()) q.Bind(4, filter.status);
  q.Bind(5, static_cast<int64_t>(limit) + 1);
  AlertPage page;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    if (static_cast<int>(page.alerts.size()) == limit) {
      page.next_cursor = page.alerts.back().id;
      break;
    }
    Alert a;
    sql::ReadAlert(q, &a);
    page.alerts.push_back(std::move(a));
  }
  return page;
}

Result<std::vector<OutboxEntry>> SqlStore::ListNotifications(int64_t incident_number) {
  auto conn = readers_.Acquire();
  return ReadRows<OutboxEntry>(*conn,
                               std::string("SELECT ") + kOutboxColumns +
                                   " FROM outbox WHERE incident_number = ?1 ORDER BY id",
                               incident_number, ReadOutboxRow);
}

namespace {

// The incidents of a report window, for a WHERE clause (binds ?1..?3).
constexpr char kReportWindow[] =
    "created_at >= ?1 AND created_at < ?2 AND (?3 = '' OR service_id = ?3) AND drill = 0";

auto BindReportWindow(const ReportWindow& window) {
  return [&window](Query& q) {
    q.Bind(1, window.from);
    q.Bind(2, window.to);
    q.Bind(3, window.service_id);
  };
}

}  // namespace

Result<std::vector<ReportIncident>> SqlStore::ListReportIncidents(const ReportWindow& window) {
  // The first acknowledgement of each incident from its own timeline (the key's prefix); the
  // incident's acknowledged_at is the latest one, after an unacknowledge.
  auto first_ack = [](const char* column) {
    return std::string("(SELECT ") + column +
           " FROM timeline_events t WHERE t.incident_number = incidents.number"
           " AND t.type = 'incident.acknowledged' ORDER BY t.seq LIMIT 1)";
  };
  const std::string sql = std::string("SELECT ") + sql::kIncidentColumns + ", " +
                          first_ack("t.actor") + ", " + first_ack("t.at") +
                          " FROM incidents WHERE " + kReportWindow + " ORDER BY number";
  auto conn = readers_.Acquire();
  return ReadRows<ReportIncident>(*conn, sql, BindReportWindow(window),
                                  [](const Query& q, ReportIncident* out) {
                                    constexpr int kActor = 23;  // after kIncidentColumns
                                    sql::IncidentRow r;
                                    sql::ReadIncidentRow(q, &r);
                                    out->incident = std::move(r.incident);
                                    out->first_ack_at = q.OptionalTime(kActor + 1);
                                    if (out->first_ack_at) out->first_ack_actor = q.Text(kActor);
                                  });
}

Result<std::vector<OutboxEntry>> SqlStore::ListReportPages(const ReportWindow& window) {
  auto conn = readers_.Acquire();
  return ReadRows<OutboxEntry>(*conn,
                               std::string("SELECT ") + kOutboxColumns + " FROM outbox" +
                                   " WHERE channel = 'page' AND state <> 'cancelled' AND"
                                   " incident_number IN (SELECT number FROM incidents WHERE " +
                                   kReportWindow + ") ORDER BY incident_number, id",
                               BindReportWindow(window), ReadOutboxRow);
}

}  // namespace loom::sql
