// Drill notes: the Markdown a finished drill leaves in the drill folder, in the shape of the LOOM
// node's own notes (fixtures/loom-ops/2026-02-18-sev1-availability-tabletop.md) so that the
// evidence check (core/evidence_check.h) reads them: a title, Date/Scenario/Commander/
// Participants lines, "## Timeline Summary" (from the incident's timeline), "## What Worked",
// "## Gaps" and "## Follow-Up" with an owner and a due date on every item.
//
// Pure: the caller writes the text to a file. Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "core/incident.h"
#include "core/timeline.h"

namespace loom {

struct DrillFollowUp {
  std::string title;
  std::string owner;
  std::string due;  // "YYYY-MM-DD"
};

// Checks one follow-up: a title, an owner and a due date "YYYY-MM-DD" that is a real date.
// kInvalidArgument naming the missing or wrong part otherwise.
Status ValidateFollowUp(const DrillFollowUp& followup);

struct DrillNotes {
  Incident incident;                      // the drill (its title, kind, commander, start)
  std::vector<TimelineEvent> timeline;    // by seq
  std::vector<std::string> participants;  // empty: the people the timeline names
  std::vector<std::string> what_worked;
  std::vector<std::string> gaps;
  std::vector<DrillFollowUp> followups;
};

// "2026-02-18-sev1-availability-tabletop.md": the drill's start date (UTC) and its title's slug.
std::string DrillNotesFileName(const Incident& drill);

// One line per timeline event a reader of the notes cares about (opened, paged, acknowledged,
// commander, status updates, notes, mitigated, resolved, missed updates), oldest first, each
// starting with its UTC time "HH:MM".
std::vector<std::string> SummarizeTimeline(const std::vector<TimelineEvent>& timeline);

// The people the timeline names: who was paged and who acted (users and tokens), in order of
// first appearance.
std::vector<std::string> TimelineParticipants(const std::vector<TimelineEvent>& timeline);

std::string RenderDrillNotes(const DrillNotes& notes);

}  // namespace loom
