// The follow-up tables of the store (both back ends): final summaries, follow-ups (with their
// reminder deadlines) and post-incident reviews. Plain functions over the writer (writes, inside
// the command's savepoint) or a pooled read connection (reads).
//
// Follow-up deadlines belong to no incident (incident_number 0), so that closing the source
// incident does not cancel them:
//   "followup_reminder" {"followup":N,"title","owner","due":us,"service","source"}
//   "followup_due"      the same; the follow-up is overdue
// A change of owner or due date replaces them; done or cancelled cancels them and the follow-up's
// pending messages (outbox keys start with "FU-N/").
//
// Thread safety: as the Connection or writer passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "core/followup.h"
#include "core/incident.h"
#include "core/review.h"
#include "store/sql/db.h"

namespace loom::sql {

class SqlWriter;

// What closing incident `number` needs to know of its final summary (the rule is core's:
// core/incident_transition.h). REQUIRES: inside the close's transaction on the write connection.
struct SummaryFacts {
  std::optional<FinalSummary> summary;  // nullopt: none written
  int64_t live_followups = 0;           // its follow-ups that are not cancelled
};
Result<SummaryFacts> ReadSummaryFacts(Connection& db, int64_t number);

// ---- writes (REQUIRES: on the writer thread, inside a command) ----

// Saves the summary of an incident that is not closed, posts "incident.summary" to its timeline
// and adds each summary follow-up (source incident; one with the same title as an earlier one of
// the incident updates that one's owner and due date instead).
Result<FinalSummary> SaveSummary(SqlWriter& writer, FinalSummary summary, TimePoint now);
// Inserts `f` (number, times assigned; service defaults to the source incident's) with its
// reminder deadlines.
Result<Followup> InsertFollowup(SqlWriter& writer, Followup f, TimePoint now);
Result<Followup> PatchFollowup(SqlWriter& writer, const FollowupPatch& patch, TimePoint now);
// Stores `review` (insert or replace); posts `event_type` to the incident's timeline unless "".
Result<Review> SaveReview(SqlWriter& writer, Review review, const std::string& event_type);

// ---- reads ----
Result<std::optional<FinalSummary>> ReadSummary(Connection& db, int64_t incident_number);
// Follow-ups matching `filter`, by number.
Result<std::vector<Followup>> ReadFollowups(Connection& db, const FollowupFilter& filter);
Result<std::optional<Review>> ReadReview(Connection& db, int64_t incident_number);

}  // namespace loom::sql
