// SqlStore (sql_store_impl.h): the RecordsStore role (store/records_store.h).
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "store/sql/followup_tables.h"
#include "store/sql/row_codec.h"
#include "store/sql/security_tables.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {

namespace {

// kConflict unless `incident` is a security incident that is not closed.
Status CheckPlaybookWritable(const Incident& incident) {
  if (incident.kind != IncidentKind::kSecurity) {
    return Error::Conflict(incident.id() + " is a " + IncidentKindName(incident.kind) +
                           " incident: the security playbook applies to security incidents");
  }
  if (incident.state == IncidentState::kClosed) {
    return Error::Conflict(incident.id() + " is closed: its security playbook is final");
  }
  return OkStatus();
}

}  // namespace

void SqlStore::AddEvidence(EvidenceArtifact artifact, std::string content,
                           Callback<EvidenceArtifact> done) {
  Submit<EvidenceArtifact>(
      [this, artifact = std::move(artifact),
       content = std::move(content)]() mutable -> Result<EvidenceArtifact> {
        artifact.sha256 = Sha256Hex(content);
        artifact.size = static_cast<int64_t>(content.size());
        artifact.at = clock_->Now();
        Result<Incident> written = writer_->ApplyIncidentEvent(
            artifact.incident_number, "evidence.added", artifact.actor,
            [&](Connection& db, const Incident&) -> Result<std::string> {
              Result<int64_t> id = sql::InsertEvidence(db, artifact, content);
              if (!id.ok()) return std::move(id).error();
              artifact.id = *id;
              JsonObjectWriter data;
              data.Add("evidence_id", artifact.id).Add("kind", artifact.kind);
              data.Add("name", artifact.name).Add("sha256", artifact.sha256);
              data.Add("size", artifact.size);
              if (!artifact.request_id.empty()) data.Add("request_id", artifact.request_id);
              if (!artifact.uri.empty()) data.Add("uri", artifact.uri);
              return data.Finish();
            });
        if (!written.ok()) return std::move(written).error();
        return artifact;
      },
      std::move(done));
}

void SqlStore::UpdateChecklistItem(int64_t number, std::string item_id, ChecklistChange change,
                                   std::string actor, Callback<SecurityPlaybookState> done) {
  Submit<SecurityPlaybookState>(
      [this, number, item_id = std::move(item_id), change = std::move(change),
       actor = std::move(actor)]() -> Result<SecurityPlaybookState> {
        SecurityPlaybookState state;
        Result<Incident> written = writer_->ApplyIncidentEvent(
            number, "security.checklist_updated", actor,
            [&](Connection& db, const Incident& incident) -> Result<std::string> {
              Status writable = CheckPlaybookWritable(incident);
              if (!writable.ok()) return std::move(writable).error();
              Result<SecurityPlaybookState> read =
                  sql::ReadPlaybookState(db, number, writer_->security_checklist());
              if (!read.ok()) return std::move(read).error();
              state = std::move(*read);
              auto item = std::find_if(state.checklist.begin(), state.checklist.end(),
                                       [&](const ChecklistItem& i) { return i.id == item_id; });
              if (item == state.checklist.end()) {
                return Error::NotFound(incident.id() + " has no checklist item '" + item_id + "'");
              }
              Status applied = ApplyChecklistChange(*item, change, actor, clock_->Now());
              if (!applied.ok()) return std::move(applied).error();
              Status stored = sql::WriteChecklist(db, number, state.checklist);
              if (!stored.ok()) return std::move(stored).error();
              JsonObjectWriter data;
              data.Add("item", item->id).AddBool("done", item->done());
              if (!item->owner.empty()) data.Add("owner", item->owner);
              if (change.note && !item->note.empty()) data.Add("note", item->note);
              data.Add("open_items", static_cast<int64_t>(state.open_items().size()));
              return data.Finish();
            });
        if (!written.ok()) return std::move(written).error();
        return state;
      },
      std::move(done));
}

void SqlStore::PutSecurityReport(int64_t number, SecurityReport report,
                                 Callback<SecurityPlaybookState> done) {
  Submit<SecurityPlaybookState>(
      [this, number, report = std::move(report)]() mutable -> Result<SecurityPlaybookState> {
        SecurityPlaybookState state;
        Result<Incident> written = writer_->ApplyIncidentEvent(
            number, "security.report_updated", report.updated_by,
            [&](Connection& db, const Incident& incident) -> Result<std::string> {
              Status writable = CheckPlaybookWritable(incident);
              if (!writable.ok()) return std::move(writable).error();
              std::vector<FieldError> invalid = ValidateSecurityReport(report);
              if (!invalid.empty()) {
                return Error::Invalid("the security report is incomplete", std::move(invalid));
              }
              Result<SecurityPlaybookState> read =
                  sql::ReadPlaybookState(db, number, writer_->security_checklist());
              if (!read.ok()) return std::move(read).error();
              state = std::move(*read);
              report.revision = state.report ? state.report->revision + 1 : 1;
              report.updated_at = clock_->Now();
              Status stored = sql::WriteSecurityReport(db, number, report);
              if (!stored.ok()) return std::move(stored).error();
              state.report = report;
              // The text stays in the report; the chained timeline pins it by digest.
              return JsonObjectWriter()
                  .Add("revision", report.revision)
                  .Add("sha256", Sha256Hex(report.timeline + '\0' + report.indicators + '\0' +
                                           report.containment + '\0' + report.residual_risk))
                  .Finish();
            });
        if (!written.ok()) return std::move(written).error();
        return state;
      },
      std::move(done));
}

Result<std::optional<SecurityPlaybookState>> SqlStore::GetSecurityPlaybook(int64_t number) {
  auto conn = readers_.Acquire();
  sql::ReadTransaction tx(*conn);
  if (!tx.status().ok()) return tx.status().error();
  {
    Result<Statement*> stmt = conn->Prepare("SELECT kind FROM incidents WHERE number = ?1");
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    q.Bind(1, number);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row || q.TextView(0) != IncidentKindName(IncidentKind::kSecurity)) {
      return std::optional<SecurityPlaybookState>();
    }
  }
  Result<SecurityPlaybookState> state =
      sql::ReadPlaybookState(*conn, number, writer_->security_checklist());
  if (!state.ok()) return std::move(state).error();
  return std::optional<SecurityPlaybookState>(std::move(*state));
}

Result<std::vector<StoredEvidence>> SqlStore::ListEvidence(int64_t number, bool with_content) {
  auto conn = readers_.Acquire();
  return sql::ReadEvidence(*conn, number, with_content);
}

// ---- final summaries, follow-ups, reviews ----

void SqlStore::SaveSummary(FinalSummary summary, Callback<FinalSummary> done) {
  Submit<FinalSummary>(
      [this, summary = std::move(summary)]() mutable {
        return sql::SaveSummary(*writer_, std::move(summary), clock_->Now());
      },
      std::move(done));
}

Result<std::optional<FinalSummary>> SqlStore::GetSummary(int64_t incident_number) {
  auto conn = readers_.Acquire();
  return sql::ReadSummary(*conn, incident_number);
}

void SqlStore::CreateFollowup(Followup followup, Callback<Followup> done) {
  Submit<Followup>(
      [this, followup = std::move(followup)]() mutable {
        return sql::InsertFollowup(*writer_, std::move(followup), clock_->Now());
      },
      std::move(done));
}

void SqlStore::UpdateFollowup(FollowupPatch patch, Callback<Followup> done) {
  Submit<Followup>(
      [this, patch = std::move(patch)] {
        return sql::PatchFollowup(*writer_, patch, clock_->Now());
      },
      std::move(done));
}

Result<std::vector<Followup>> SqlStore::ListFollowups(const FollowupFilter& filter) {
  auto conn = readers_.Acquire();
  return sql::ReadFollowups(*conn, filter);
}

void SqlStore::SaveReview(Review review, std::string event_type, Callback<Review> done) {
  Submit<Review>(
      [this, review = std::move(review), event_type = std::move(event_type)]() mutable {
        return sql::SaveReview(*writer_, std::move(review), event_type);
      },
      std::move(done));
}

Result<std::optional<Review>> SqlStore::GetReview(int64_t incident_number) {
  auto conn = readers_.Acquire();
  return sql::ReadReview(*conn, incident_number);
}

}  // namespace loom::sql
