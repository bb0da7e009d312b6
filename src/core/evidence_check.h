// The runbook's evidence check ("check incident-response"): the runbook has its seven sections,
// the drill folder holds at least N drill notes, and the latest note has a follow-up section whose
// items name an owner and a due date. Pure: texts in, findings out (the CLI reads the files).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loom {

struct EvidenceFinding {
  enum class Level { kPass, kWarn, kError };
  Level level = Level::kPass;
  std::string message;
};

const char* EvidenceLevelName(EvidenceFinding::Level level);  // "PASS", "WARN", "ERROR"

// The runbook's required sections, in order.
const std::vector<std::string>& RequiredRunbookSections();

// One finding per required section (present or missing, by its `## ` heading text, case and
// surrounding space ignored). `source` names the file in the messages.
std::vector<EvidenceFinding> CheckRunbook(std::string_view markdown, const std::string& source);

struct DrillNote {
  std::string name;  // file name, "YYYY-MM-DD-<slug>.md": the date orders the notes
  std::string text;
};

// At least `min_drills` notes (an error otherwise), and the latest one: a warning when it lacks a
// follow-up section, or when a follow-up item names no owner or no due date.
std::vector<EvidenceFinding> CheckDrillNotes(std::vector<DrillNote> notes, int min_drills,
                                             const std::string& dir);

}  // namespace loom
