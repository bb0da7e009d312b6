// The post-incident review (runbook "Incident Lifecycle" step 6: publish a post-incident review
// with owners and due dates). Drafted from a closed incident's timeline and final summary, edited,
// exported as Markdown and published. Required for Sev1/Sev2, optional below.
// Pure domain: no I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/followup.h"
#include "core/incident.h"
#include "core/timeline.h"

namespace loom {

// One line of the review's timeline: a key event of the incident.
struct ReviewEvent {
  TimePoint at{};
  std::string type;  // the timeline event type, e.g. "incident.acknowledged"
  std::string actor;
  std::string text;  // what happened, in words
};

struct Review {
  int64_t incident_number = 0;
  std::string title;    // editable; drafted as the incident's title
  std::string summary;  // editable narrative; drafted from the incident's facts
  std::vector<ReviewEvent> timeline;
  std::string root_cause, customer_impact, remediation;  // drafted from the final summary
  std::string created_by, updated_by;
  TimePoint created_at{}, updated_at{};
  std::optional<TimePoint> published_at;
  std::string published_by;

  bool published() const { return published_at.has_value(); }
};

// Whether a closed incident of this severity must have a published review (Sev1 and Sev2).
bool ReviewRequired(Severity severity);

// The timeline event types a review's timeline keeps.
bool IsKeyEvent(const std::string& type);

// A first draft for `incident` from its timeline and final summary (null when none).
// REQUIRES: the incident is closed (the caller refuses others).
Review DraftReview(const Incident& incident, const std::vector<TimelineEvent>& timeline,
                   const FinalSummary* summary, const std::string& actor, TimePoint now);

// Why `review` cannot be published yet (empty: it can): a part left empty, or a follow-up whose
// owner is not a configured user (`is_user`) or has no due date. `followups` are the incident's
// follow-ups that are not cancelled; none is fine when `no_followups_reason` says why.
std::vector<std::string> PublishProblems(const Review& review,
                                         const std::vector<Followup>& followups,
                                         const std::string& no_followups_reason,
                                         const std::function<bool(const std::string&)>& is_user);

// The review as a Markdown document: facts, summary, timeline (UTC), root cause, customer
// impact, remediation, follow-ups with owners and due dates, publication.
std::string ReviewMarkdown(const Review& review, const Incident& incident,
                           const std::vector<Followup>& followups);

}  // namespace loom
