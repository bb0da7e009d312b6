// RecordsStore: the records an incident gathers besides its timeline — the security playbook's
// evidence, checklist and report (core/security_playbook.h), final summaries, follow-ups and
// post-incident reviews (store/sql/followup_tables.h). Writes and reads follow store/callback.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/followup.h"
#include "core/review.h"
#include "core/security_playbook.h"
#include "store/callback.h"

namespace loom {

// An evidence artifact with its content (filled only when asked for).
struct StoredEvidence {
  EvidenceArtifact artifact;
  std::string content;
};

class RecordsStore {
 public:
  virtual ~RecordsStore() = default;

  // ---- security playbook ----
  // Each write appends one timeline event to the incident in its transaction: "evidence.added",
  // "security.checklist_updated", "security.report_updated". kNotFound for an unknown incident.
  // Stores `content` (an upload's bytes, a reference's ReferenceContent) with the artifact;
  // answers it with id, sha256, size and at set. Any kind of incident, in any state.
  virtual void AddEvidence(EvidenceArtifact artifact, std::string content,
                           Callback<EvidenceArtifact> done) = 0;
  // Changes one checklist item of a security incident that is not closed; answers the new state.
  // kNotFound for an unknown item, kConflict for another kind of incident or a closed one.
  virtual void UpdateChecklistItem(int64_t number, std::string item_id, ChecklistChange change,
                                   std::string actor, Callback<SecurityPlaybookState> done) = 0;
  // Stores (replaces) the report of a security incident that is not closed, its revision one
  // more than the last; `report.updated_by` is the actor. Same errors as UpdateChecklistItem.
  virtual void PutSecurityReport(int64_t number, SecurityReport report,
                                 Callback<SecurityPlaybookState> done) = 0;
  // The checklist and report of a security incident; nullopt for another kind of incident.
  virtual Result<std::optional<SecurityPlaybookState>> GetSecurityPlaybook(int64_t number) = 0;
  // The incident's artifacts, oldest first (with contents when `with_content`).
  virtual Result<std::vector<StoredEvidence>> ListEvidence(int64_t number, bool with_content) = 0;

  // ---- final summaries, follow-ups, post-incident reviews ----
  // Saves the final summary of an incident that is not closed (kConflict when closed), adds its
  // follow-ups (source incident) and posts "incident.summary" to the timeline. Close is refused
  // (kConflict naming the missing parts) until the incident has a complete summary.
  virtual void SaveSummary(FinalSummary summary, Callback<FinalSummary> done) = 0;
  virtual Result<std::optional<FinalSummary>> GetSummary(int64_t incident_number) = 0;
  // Adds a follow-up with its reminder deadlines; answers it with its number set.
  virtual void CreateFollowup(Followup followup, Callback<Followup> done) = 0;
  // kNotFound for an unknown follow-up; done or cancelled cancels its reminders.
  virtual void UpdateFollowup(FollowupPatch patch, Callback<Followup> done) = 0;
  virtual Result<std::vector<Followup>> ListFollowups(const FollowupFilter& filter) = 0;
  // Stores the incident's review; posts `event_type` to its timeline unless empty.
  virtual void SaveReview(Review review, std::string event_type, Callback<Review> done) = 0;
  virtual Result<std::optional<Review>> GetReview(int64_t incident_number) = 0;
};

}  // namespace loom
