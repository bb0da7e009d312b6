#include "store/sql/security_tables.h"

namespace loom::sql {
namespace {

constexpr char kEvidenceColumns[] =
    "e.id, e.incident_number, e.kind, e.name, e.media_type, e.uri, e.request_id, e.note,"
    " e.sha256, e.size, e.actor, e.at";

void ReadArtifact(const Query& q, EvidenceArtifact* a) {
  a->id = q.Int(0);
  a->incident_number = q.Int(1);
  a->kind = q.Text(2);
  a->name = q.Text(3);
  a->media_type = q.Text(4);
  a->uri = q.Text(5);
  a->request_id = q.Text(6);
  a->note = q.Text(7);
  a->sha256 = q.Text(8);
  a->size = q.Int(9);
  a->actor = q.Text(10);
  a->at = q.Time(11);
}

}  // namespace

Result<SecurityPlaybookState> ReadPlaybookState(Connection& db, int64_t number,
                                                const std::vector<ChecklistItemSpec>& tpl) {
  SecurityPlaybookState state;
  {
    Result<Statement*> stmt = db.Prepare(
        "SELECT item_id, text, owner, done_at, done_by, note FROM security_checklist"
        " WHERE incident_number = ?1 ORDER BY position");
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    q.Bind(1, number);
    while (true) {
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) break;
      ChecklistItem& item = state.checklist.emplace_back();
      item.id = q.Text(0);
      item.text = q.Text(1);
      item.owner = q.Text(2);
      item.done_at = q.OptionalTime(3);
      item.done_by = q.Text(4);
      item.note = q.Text(5);
    }
  }
  if (state.checklist.empty()) {
    for (const ChecklistItemSpec& spec : tpl) {
      ChecklistItem& item = state.checklist.emplace_back();
      item.id = spec.id;
      item.text = spec.text;
    }
  }
  Result<Statement*> stmt = db.Prepare(
      "SELECT timeline, indicators, containment, residual_risk, revision, updated_by, updated_at"
      " FROM security_reports WHERE incident_number = ?1");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, number);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (*row) {
    SecurityReport& r = state.report.emplace();
    r.timeline = q.Text(0);
    r.indicators = q.Text(1);
    r.containment = q.Text(2);
    r.residual_risk = q.Text(3);
    r.revision = q.Int(4);
    r.updated_by = q.Text(5);
    r.updated_at = q.Time(6);
  }
  return state;
}

Result<std::vector<StoredEvidence>> ReadEvidence(Connection& db, int64_t number,
                                                 bool with_content) {
  std::string sql = std::string("SELECT ") + kEvidenceColumns +
                    (with_content ? ", c.content FROM evidence e JOIN evidence_contents c"
                                    " ON c.sha256 = e.sha256"
                                  : " FROM evidence e") +
                    " WHERE e.incident_number = ?1 ORDER BY e.id";
  Result<Statement*> stmt = db.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, number);
  std::vector<StoredEvidence> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    StoredEvidence& e = out.emplace_back();
    ReadArtifact(q, &e.artifact);
    if (with_content) {
      e.content = q.Blob(12);
    }
  }
}

Status WriteChecklist(Connection& db, int64_t number, const std::vector<ChecklistItem>& checklist) {
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO security_checklist (incident_number, position, item_id, text, owner, done_at,"
      " done_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT (incident_number, item_id) DO UPDATE SET position = excluded.position,"
      " owner = excluded.owner, done_at = excluded.done_at, done_by = excluded.done_by,"
      " note = excluded.note");
  if (!stmt.ok()) return std::move(stmt).error();
  for (size_t i = 0; i < checklist.size(); ++i) {
    const ChecklistItem& item = checklist[i];
    Query q(*stmt);
    q.Bind(1, number);
    q.Bind(2, static_cast<int64_t>(i));
    q.Bind(3, item.id);
    q.Bind(4, item.text);
    q.Bind(5, item.owner);
    q.Bind(6, item.done_at);
    q.Bind(7, item.done_by);
    q.Bind(8, item.note);
    Status s = q.Run();
    if (!s.ok()) return s;
  }
  return OkStatus();
}

Status WriteSecurityReport(Connection& db, int64_t number, const SecurityReport& report) {
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO security_reports (incident_number, timeline, indicators, containment,"
      " residual_risk, revision, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
      " ON CONFLICT (incident_number) DO UPDATE SET timeline = excluded.timeline,"
      " indicators = excluded.indicators, containment = excluded.containment,"
      " residual_risk = excluded.residual_risk, revision = excluded.revision,"
      " updated_by = excluded.updated_by, updated_at = excluded.updated_at");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, number);
  q.Bind(2, report.timeline);
  q.Bind(3, report.indicators);
  q.Bind(4, report.containment);
  q.Bind(5, report.residual_risk);
  q.Bind(6, report.revision);
  q.Bind(7, report.updated_by);
  q.Bind(8, report.updated_at);
  return q.Run();
}

Result<int64_t> InsertEvidence(Connection& db, const EvidenceArtifact& artifact,
                               std::string_view content) {
  {
    Result<Statement*> stmt = db.Prepare(
        "INSERT INTO evidence_contents (sha256, content) VALUES (?1, ?2)"
        " ON CONFLICT (sha256) DO NOTHING");
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    q.Bind(1, artifact.sha256);
    // Binary, not text: uploads are arbitrary bytes.
    q.BindBlob(2, content);
    Status s = q.Run();
    if (!s.ok()) return std::move(s).error();
  }
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO evidence (incident_number, kind, name, media_type, uri, request_id, note,"
      " sha256, size, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
      " RETURNING id");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  q.Bind(1, artifact.incident_number);
  q.Bind(2, artifact.kind);
  q.Bind(3, artifact.name);
  q.Bind(4, artifact.media_type);
  q.Bind(5, artifact.uri);
  q.Bind(6, artifact.request_id);
  q.Bind(7, artifact.note);
  q.Bind(8, artifact.sha256);
  q.Bind(9, artifact.size);
  q.Bind(10, artifact.actor);
  q.Bind(11, artifact.at);
  return q.RunReturningInt();
}

}  // namespace loom::sql
