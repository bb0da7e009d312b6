#include "store/sql/followup_tables.h"

#include <nlohmann/json.hpp>
#include <string>

#include "store/sql/read_rows.h"
#include "store/sql/sql_writer.h"

namespace loom::sql {
namespace {

using nlohmann::json;

constexpr char kFollowupColumns[] =
    "id, title, owner, due_at, status, source_kind, source_ref, incident_number, service_id,"
    " created_by, created_at, updated_at, closed_at";

Followup ReadFollowupRow(const Query& q) {
  Followup f;
  f.number = q.Int(0);
  f.title = q.Text(1);
  f.owner = q.Text(2);
  f.due_at = q.Time(3);
  f.status = ParseFollowupStatus(q.TextView(4)).value_or(FollowupStatus::kOpen);
  f.source_kind = q.Text(5);
  f.source_ref = q.Text(6);
  f.incident_number = q.Int(7);
  f.service_id = q.Text(8);
  f.created_by = q.Text(9);
  f.created_at = q.Time(10);
  f.updated_at = q.Time(11);
  f.closed_at = q.OptionalTime(12);
  return f;
}

Result<std::optional<Followup>> ReadFollowup(Connection& db, int64_t number) {
  return ReadOne<Followup>(
      db, std::string("SELECT ") + kFollowupColumns + " FROM followups WHERE id = ?1", number,
      [](const Query& q, Followup* f) { *f = ReadFollowupRow(q); });
}

struct IncidentFacts {
  std::string state;
  std::string service_id;
};

Result<std::optional<IncidentFacts>> ReadIncidentFacts(Connection& db, int64_t number) {
  return ReadOne<IncidentFacts>(db, "SELECT state, service_id FROM incidents WHERE number = ?1",
                                number, [](const Query& q, IncidentFacts* facts) {
                                  *facts = IncidentFacts{q.Text(0), q.Text(1)};
                                });
}

// The reminder and overdue deadlines of an open follow-up.
Status ScheduleFollowup(SqlWriter& writer, const Followup& f, TimePoint now) {
  if (f.status != FollowupStatus::kOpen) return OkStatus();
  const FollowupTimes times = PlanFollowupTimes(f, now);
  const std::string payload =
      json{{"followup", f.number},          {"title", f.title},        {"owner", f.owner},
           {"due", ToUnixMicros(f.due_at)}, {"service", f.service_id}, {"source", f.source_ref}}
          .dump();
  if (times.remind_at) {
    Result<Deadline> d = writer.deadlines().Insert(
        {0, 0, DeadlineKind::kFollowupReminder, *times.remind_at, payload}, now);
    if (!d.ok()) return std::move(d).error();
  }
  Result<Deadline> d =
      writer.deadlines().Insert({0, 0, DeadlineKind::kFollowupDue, times.overdue_at, payload}, now);
  if (!d.ok()) return std::move(d).error();
  return OkStatus();
}

// Cancels the follow-up's pending deadlines and messages.
Status Unschedule(Connection& db, int64_t number, TimePoint now) {
  Result<Statement*> stmt = db.Prepare(
      std::string("UPDATE deadlines SET fired_at = ?2, outcome = 'cancelled' WHERE fired_at IS NULL"
                  " AND incident_number = 0 AND kind IN ('followup_reminder', 'followup_due')") +
      (db.dialect() == Dialect::kSqlite
           ? " AND json_extract(payload_json, '$.followup') = ?1"
           : " AND CAST(CAST(payload_json AS JSONB) ->> 'followup' AS BIGINT) = ?1"));
  if (!stmt.ok()) return std::move(stmt).error();
  {
    Query q(*stmt);
    q.Bind(1, number);
    q.Bind(2, now);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  stmt = db.Prepare(
      "UPDATE outbox SET state = 'cancelled', last_error = 'the follow-up changed'"
      " WHERE state = 'pending'"
      " AND substr(unique_key, 1, length(CAST(?1 AS TEXT))) = CAST(?1 AS TEXT)");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, FollowupId(number) + "/");
  return q.Run();
}

Status WriteFollowup(Connection& db, const Followup& f) {
  Result<Statement*> stmt = db.Prepare(
      "UPDATE followups SET owner = ?2, due_at = ?3, status = ?4, updated_at = ?5,"
      " closed_at = ?6 WHERE id = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, f.number);
  q.Bind(2, f.owner);
  q.Bind(3, f.due_at);
  q.Bind(4, FollowupStatusName(f.status));
  q.Bind(5, f.updated_at);
  q.Bind(6, f.closed_at);
  return q.Run();
}

std::string ReviewDocument(const Review& r) {
  json timeline = json::array();
  for (const ReviewEvent& e : r.timeline) {
    timeline.push_back(
        {{"at", ToUnixMicros(e.at)}, {"type", e.type}, {"actor", e.actor}, {"text", e.text}});
  }
  return json{{"title", r.title},
              {"summary", r.summary},
              {"root_cause", r.root_cause},
              {"customer_impact", r.customer_impact},
              {"remediation", r.remediation},
              {"timeline", std::move(timeline)}}
      .dump();
}

std::string JsonString(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<SummaryFacts> ReadSummaryFacts(Connection& db, int64_t number) {
  SummaryFacts facts;
  Result<std::optional<FinalSummary>> summary = ReadSummary(db, number);
  if (!summary.ok()) return std::move(summary).error();
  facts.summary = std::move(*summary);
  FollowupFilter filter;
  filter.incident_number = number;
  Result<std::vector<Followup>> followups = ReadFollowups(db, filter);
  if (!followups.ok()) return std::move(followups).error();
  for (const Followup& f : *followups) {
    if (f.status != FollowupStatus::kCancelled) ++facts.live_followups;
  }
  return facts;
}

Result<FinalSummary> SaveSummary(SqlWriter& writer, FinalSummary summary, TimePoint now) {
  Connection& db = writer.connection();
  Result<std::optional<IncidentFacts>> facts = ReadIncidentFacts(db, summary.incident_number);
  if (!facts.ok()) return std::move(facts).error();
  if (!facts->has_value()) {
    return Error::NotFound(IncidentId(summary.incident_number) + " not found");
  }
  if ((*facts)->state == "closed") {
    return Error::Conflict(IncidentId(summary.incident_number) +
                           " is closed; its final summary can no longer change");
  }
  summary.updated_at = now;
  json followups_json = json::array();
  json ids = json::array();
  FollowupFilter mine;
  mine.incident_number = summary.incident_number;
  mine.source_kind = "incident";
  Result<std::vector<Followup>> existing = ReadFollowups(db, mine);
  if (!existing.ok()) return std::move(existing).error();
  for (const SummaryFollowup& item : summary.followups) {
    followups_json.push_back(
        {{"title", item.title}, {"owner", item.owner}, {"due", ToUnixMicros(item.due_at)}});
    const Followup* same = nullptr;
    for (const Followup& f : *existing) {
      if (f.title == item.title) same = &f;
    }
    if (same != nullptr) {
      FollowupPatch patch;
      patch.number = same->number;
      patch.owner = item.owner;
      patch.due_at = item.due_at;
      if (same->status == FollowupStatus::kCancelled) patch.status = FollowupStatus::kOpen;
      patch.actor = summary.updated_by;
      Result<Followup> changed = PatchFollowup(writer, patch, now);
      if (!changed.ok()) return std::move(changed).error();
      ids.push_back(changed->id());
      continue;
    }
    Followup f;
    f.title = item.title;
    f.owner = item.owner;
    f.due_at = item.due_at;
    f.source_kind = "incident";
    f.source_ref = IncidentId(summary.incident_number);
    f.incident_number = summary.incident_number;
    f.service_id = (*facts)->service_id;
    f.created_by = summary.updated_by;
    Result<Followup> added = InsertFollowup(writer, std::move(f), now);
    if (!added.ok()) return std::move(added).error();
    ids.push_back(added->id());
  }
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO final_summaries(incident_number, root_cause, customer_impact, remediation,"
      " followups_json, no_followups_reason, updated_by, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(incident_number) DO UPDATE SET"
      " root_cause = excluded.root_cause, customer_impact = excluded.customer_impact,"
      " remediation = excluded.remediation, followups_json = excluded.followups_json,"
      " no_followups_reason = excluded.no_followups_reason, updated_by = excluded.updated_by,"
      " updated_at = excluded.updated_at");
  if (!stmt.ok()) return std::move(stmt).error();
  {
    Query q(*stmt);
    q.Bind(1, summary.incident_number);
    q.Bind(2, summary.root_cause);
    q.Bind(3, summary.customer_impact);
    q.Bind(4, summary.remediation);
    q.Bind(5, followups_json.dump());
    q.Bind(6, summary.no_followups_reason);
    q.Bind(7, summary.updated_by);
    q.Bind(8, now);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  json data = {{"root_cause", summary.root_cause},
               {"customer_impact", summary.customer_impact},
               {"remediation", summary.remediation},
               {"followups", ids}};
  if (!summary.no_followups_reason.empty()) {
    data["no_followups_reason"] = summary.no_followups_reason;
  }
  Result<Incident> posted = writer.AppendEvent(summary.incident_number, "incident.summary",
                                               summary.updated_by, data.dump());
  if (!posted.ok()) return std::move(posted).error();
  return summary;
}

Result<Followup> InsertFollowup(SqlWriter& writer, Followup f, TimePoint now) {
  Connection& db = writer.connection();
  if (f.title.empty() || f.owner.empty()) {
    return Error::Invalid("a follow-up needs a title and an owner");
  }
  if (f.incident_number != 0) {
    Result<std::optional<IncidentFacts>> facts = ReadIncidentFacts(db, f.incident_number);
    if (!facts.ok()) return std::move(facts).error();
    if (!facts->has_value()) {
      return Error::Invalid("no incident " + IncidentId(f.incident_number),
                            {{"/source", "names no incident"}});
    }
    if (f.service_id.empty()) f.service_id = (*facts)->service_id;
  }
  f.status = FollowupStatus::kOpen;
  f.created_at = f.updated_at = now;
  f.closed_at.reset();
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO followups(title, owner, due_at, status, source_kind, source_ref,"
      " incident_number, service_id, created_by, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id");
  if (!stmt.ok()) return std::move(stmt).error();
  {
    Query q(*stmt);
    q.Bind(1, f.title);
    q.Bind(2, f.owner);
    q.Bind(3, f.due_at);
    q.Bind(4, f.source_kind);
    q.Bind(5, f.source_ref);
    q.Bind(6, f.incident_number);
    q.Bind(7, f.service_id);
    q.Bind(8, f.created_by);
    q.Bind(9, now);
    Result<int64_t> number = q.RunReturningInt();
    if (!number.ok()) return std::move(number).error();
    f.number = *number;
  }
  LOOM_RETURN_IF_ERROR(ScheduleFollowup(writer, f, now));
  return f;
}

Result<Followup> PatchFollowup(SqlWriter& writer, const FollowupPatch& patch, TimePoint now) {
  Connection& db = writer.connection();
  Result<std::optional<Followup>> found = ReadFollowup(db, patch.number);
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value()) return Error::NotFound(FollowupId(patch.number) + " not found");
  Followup f = std::move(**found);
  const Followup before = f;
  LOOM_RETURN_IF_ERROR(ApplyFollowupPatch(f, patch, now));
  LOOM_RETURN_IF_ERROR(WriteFollowup(db, f));
  const bool replan =
      f.status != before.status || f.owner != before.owner || f.due_at != before.due_at;
  if (replan) {
    LOOM_RETURN_IF_ERROR(Unschedule(db, f.number, now));
    LOOM_RETURN_IF_ERROR(ScheduleFollowup(writer, f, now));
  }
  return f;
}

Result<Review> SaveReview(SqlWriter& writer, Review review, const std::string& event_type) {
  Connection& db = writer.connection();
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO reviews(incident_number, document_json, created_by, created_at, updated_by,"
      " updated_at, published_by, published_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT(incident_number) DO UPDATE SET document_json = excluded.document_json,"
      " updated_by = excluded.updated_by, updated_at = excluded.updated_at,"
      " published_by = excluded.published_by, published_at = excluded.published_at");
  if (!stmt.ok()) return std::move(stmt).error();
  {
    Query q(*stmt);
    q.Bind(1, review.incident_number);
    q.Bind(2, ReviewDocument(review));
    q.Bind(3, review.created_by);
    q.Bind(4, review.created_at);
    q.Bind(5, review.updated_by);
    q.Bind(6, review.updated_at);
    q.Bind(7, review.published_by);
    q.Bind(8, review.published_at);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  if (!event_type.empty()) {
    Result<Incident> posted =
        writer.AppendEvent(review.incident_number, event_type, review.updated_by, "{}");
    if (!posted.ok()) return std::move(posted).error();
  }
  return review;
}

Result<std::optional<FinalSummary>> ReadSummary(Connection& db, int64_t incident_number) {
  return ReadOne<FinalSummary>(
      db,
      "SELECT root_cause, customer_impact, remediation, followups_json, no_followups_reason,"
      " updated_by, updated_at FROM final_summaries WHERE incident_number = ?1",
      incident_number, [incident_number](const Query& q, FinalSummary* out) {
        FinalSummary& s = *out;
        s.incident_number = incident_number;
        s.root_cause = q.Text(0);
        s.customer_impact = q.Text(1);
        s.remediation = q.Text(2);
        json items = json::parse(q.TextView(3), nullptr, /*allow_exceptions=*/false);
        if (items.is_array()) {
          for (const json& item : items) {
            if (!item.is_object()) continue;
            s.followups.push_back({JsonString(item, "title"), JsonString(item, "owner"),
                                   FromUnixMicros(item.value("due", int64_t{0}))});
          }
        }
        s.no_followups_reason = q.Text(4);
        s.updated_by = q.Text(5);
        s.updated_at = q.Time(6);
      });
}

Result<std::vector<Followup>> ReadFollowups(Connection& db, const FollowupFilter& filter) {
  std::string sql = std::string("SELECT ") + kFollowupColumns + " FROM followups";
  if (filter.incident_number != 0) sql += " WHERE incident_number = ?1";
  sql += " ORDER BY id";
  Result<Statement*> stmt = db.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  if (filter.incident_number != 0) q.Bind(1, filter.incident_number);
  std::vector<Followup> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    Followup f = ReadFollowupRow(q);
    if (Matches(f, filter)) out.push_back(std::move(f));
  }
}

Result<std::optional<Review>> ReadReview(Connection& db, int64_t incident_number) {
  return ReadOne<Review>(
      db,
      "SELECT document_json, created_by, created_at, updated_by, updated_at, published_by,"
      " published_at FROM reviews WHERE incident_number = ?1",
      incident_number, [incident_number](const Query& q, Review* out) {
        Review& r = *out;
        r.incident_number = incident_number;
        json doc = json::parse(q.TextView(0), nullptr, /*allow_exceptions=*/false);
        if (!doc.is_object()) doc = json::object();
        r.title = JsonString(doc, "title");
        r.summary = JsonString(doc, "summary");
        r.root_cause = JsonString(doc, "root_cause");
        r.customer_impact = JsonString(doc, "customer_impact");
        r.remediation = JsonString(doc, "remediation");
        if (auto it = doc.find("timeline"); it != doc.end() && it->is_array()) {
          for (const json& e : *it) {
            if (!e.is_object()) continue;
            r.timeline.push_back({FromUnixMicros(e.value("at", int64_t{0})), JsonString(e, "type"),
                                  JsonString(e, "actor"), JsonString(e, "text")});
          }
        }
        r.created_by = q.Text(1);
        r.created_at = q.Time(2);
        r.updated_by = q.Text(3);
        r.updated_at = q.Time(4);
        r.published_by = q.Text(5);
        r.published_at = q.OptionalTime(6);
      });
}

}  // namespace loom::sql
