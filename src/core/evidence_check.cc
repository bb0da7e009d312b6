#include "core/evidence_check.h"

#include <algorithm>
#include <cctype>

#include "core/runbook.h"

namespace loom {
namespace {

std::string Normalized(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

EvidenceFinding Finding(EvidenceFinding::Level level, std::string message) {
  return {level, std::move(message)};
}

}  // namespace

const char* EvidenceLevelName(EvidenceFinding::Level level) {
  switch (level) {
    case EvidenceFinding::Level::kPass: return "PASS";
    case EvidenceFinding::Level::kWarn: return "WARN";
    case EvidenceFinding::Level::kError: return "ERROR";
  }
  return "ERROR";
}

const std::vector<std::string>& RequiredRunbookSections() {
  static const std::vector<std::string> kSections = {
      "On-Call Rotation",
      "Severity Matrix",
      "Incident Lifecycle",
      "Security Incident Playbook",
      "Availability Incident Playbook",
      "Communications",
      "Drill Program",
  };
  return kSections;
}

std::vector<EvidenceFinding> CheckRunbook(std::string_view markdown, const std::string& source) {
  std::vector<EvidenceFinding> out;
  Result<RunbookDocument> doc = ParseRunbookMarkdown(markdown);
  if (!doc.ok()) {
    out.push_back(Finding(EvidenceFinding::Level::kError,
                          source + ": cannot be read as Markdown: " + doc.error().message));
    return out;
  }
  for (const std::string& section : RequiredRunbookSections()) {
    auto found =
        std::find_if(doc->headings.begin(), doc->headings.end(), [&](const RunbookHeading& h) {
          return h.level == 2 && Normalized(h.text) == Normalized(section);
        });
    if (found != doc->headings.end()) {
      out.push_back(Finding(EvidenceFinding::Level::kPass, "runbook section \"" + section + "\" (" +
                                                               source + ":" +
                                                               std::to_string(found->line) + ")"));
    } else {
      out.push_back(Finding(EvidenceFinding::Level::kError,
                            "runbook section \"" + section + "\" is missing from " + source +
                                " (expected a heading \"## " + section + "\")"));
    }
  }
  return out;
}

std::vector<EvidenceFinding> CheckDrillNotes(std::vector<DrillNote> notes, int min_drills,
                                             const std::string& dir) {
  std::vector<EvidenceFinding> out;
  const int count = static_cast<int>(notes.size());
  if (count < min_drills) {
    out.push_back(Finding(EvidenceFinding::Level::kError,
                          "drill notes: " + std::to_string(count) + " in " + dir + ", at least " +
                              std::to_string(min_drills) + " required"));
  } else {
    out.push_back(Finding(EvidenceFinding::Level::kPass,
                          "drill notes: " + std::to_string(count) + " in " + dir + " (at least " +
                              std::to_string(min_drills) + " required)"));
  }
  if (notes.empty()) return out;
  // File names start with the date: the greatest name is the latest drill.
  const DrillNote& latest =
      *std::max_element(notes.begin(), notes.end(),
                        [](const DrillNote& a, const DrillNote& b) { return a.name < b.name; });
  Result<RunbookDocument> doc = ParseRunbookMarkdown(latest.text);
  bool has_section = false;
  int items = 0;
  int incomplete = 0;
  if (doc.ok()) {
    for (const RunbookHeading& h : doc->headings) {
      if (Contains(Normalized(h.text), "follow-up") || Contains(Normalized(h.text), "follow up")) {
        has_section = true;
      }
    }
    for (const RunbookListItem& item : doc->items) {
      const std::string section = Normalized(item.section);
      if (!Contains(section, "follow-up") && !Contains(section, "follow up")) continue;
      ++items;
      const std::string text = Normalized(item.text);
      if (!Contains(text, "owner") || !Contains(text, "due")) ++incomplete;
    }
  }
  if (!has_section || items == 0) {
    out.push_back(Finding(EvidenceFinding::Level::kWarn,
                          "latest drill note " + latest.name +
                              " has no follow-up items (a \"## Follow-Up\" section with owners "
                              "and due dates)"));
  } else if (incomplete > 0) {
    out.push_back(Finding(EvidenceFinding::Level::kWarn,
                          "latest drill note " + latest.name + ": " + std::to_string(incomplete) +
                              " of " + std::to_string(items) +
                              " follow-up items lack an owner or a due date"));
  } else {
    out.push_back(Finding(EvidenceFinding::Level::kPass,
                          "latest drill note " + latest.name + " has " + std::to_string(items) +
                              " follow-up items with owners and due dates"));
  }
  return out;
}

}  // namespace loom
