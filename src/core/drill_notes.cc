#include "core/drill_notes.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace loom {
namespace {

std::string DataString(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  if (it == data.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// "user:alice" → "alice"; tokens and the system keep their prefix.
std::string Person(const std::string& actor) {
  if (actor.rfind("user:", 0) == 0) return actor.substr(5);
  return actor;
}

std::string UtcDate(TimePoint t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string UtcClock(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(t - day).count();
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return buf;
}

std::string Capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// One line of the summary, or "" for an event the notes leave out.
std::string Describe(const TimelineEvent& e) {
  const nlohmann::json data = nlohmann::json::parse(e.data_json, nullptr, false);
  const nlohmann::json d = data.is_object() ? data : nlohmann::json::object();
  const std::string by = Person(e.actor);
  if (e.type == "incident.triggered") {
    return "Drill opened: " + DataString(d, "title") + " (" + DataString(d, "severity") + ", " +
           DataString(d, "kind") + ", service " + DataString(d, "service") + ").";
  }
  if (e.type == "escalation.notified") {
    std::string line = "Notified " + DataString(d, "user") + " as " + DataString(d, "role") + " (" +
                       DataString(d, "method");
    const std::string step = DataString(d, "step");
    if (!step.empty()) line += ", step " + step;
    const std::string reason = DataString(d, "reason");
    if (!reason.empty()) line += ", " + reason;
    return line + ").";
  }
  if (e.type == "escalation.role_skipped") {
    return "Nobody on call as " + DataString(d, "role") + ": skipped.";
  }
  if (e.type == "escalation.unrouted") return "Not routed: " + DataString(d, "reason") + ".";
  if (e.type == "incident.acknowledged") return "Acknowledged by " + by + ".";
  if (e.type == "incident.commander_assigned") {
    return "Incident commander: " + Person(DataString(d, "commander")) + ".";
  }
  if (e.type == "incident.status_update") {
    std::string line = "Status update by " + by + ":";
    bool first = true;
    for (const char* field : {"impact", "scope", "mitigation"}) {
      const std::string v = DataString(d, field);
      if (v.empty()) continue;
      line += std::string(first ? " " : "; ") + field + " — " + v;
      first = false;
    }
    return line + ".";
  }
  if (e.type == "incident.note") return "Note by " + by + ": " + DataString(d, "note");
  if (e.type == "incident.mitigated") return "Mitigated by " + by + ".";
  if (e.type == "incident.resolved") return "Resolved by " + by + ".";
  if (e.type == "incident.severity_changed") {
    return "Severity changed from " + DataString(d, "from") + " to " + DataString(d, "to") +
           " by " + by + ".";
  }
  if (e.type == "update.missed")
    return "Status update missed (due " + DataString(d, "due_at") + ").";
  return "";
}

void AddBullets(std::string& out, const std::vector<std::string>& items) {
  for (const std::string& item : items) out += "- " + item + "\n";
}

bool IsDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Status ValidateFollowUp(const DrillFollowUp& f) {
  if (f.title.empty()) return Error::Invalid("a follow-up needs a title");
  if (f.owner.empty()) return Error::Invalid("follow-up \"" + f.title + "\" needs an owner");
  const std::string& d = f.due;
  bool ok = d.size() == 10 && d[4] == '-' && d[7] == '-' && IsDigits(d.substr(0, 4)) &&
            IsDigits(d.substr(5, 2)) && IsDigits(d.substr(8, 2));
  if (ok) {
    const std::chrono::year_month_day ymd{std::chrono::year(std::stoi(d.substr(0, 4))),
                                          std::chrono::month(std::stoul(d.substr(5, 2))),
                                          std::chrono::day(std::stoul(d.substr(8, 2)))};
    ok = ymd.ok();
  }
  if (!ok) {
    return Error::Invalid("follow-up \"" + f.title + "\" needs a due date YYYY-MM-DD (got \"" + d +
                          "\")");
  }
  return OkStatus();
}

std::string DrillNotesFileName(const Incident& drill) {
  std::string slug;
  for (char c : drill.title) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      slug += c;
    } else if (c >= 'A' && c <= 'Z') {
      slug += static_cast<char>(c - 'A' + 'a');
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 60) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = std::string(IncidentKindName(drill.kind)) + "-drill";
  return UtcDate(drill.created_at) + "-" + slug + ".md";
}

std::vector<std::string> SummarizeTimeline(const std::vector<TimelineEvent>& timeline) {
  std::vector<std::string> out;
  for (const TimelineEvent& e : timeline) {
    std::string line = Describe(e);
    if (!line.empty()) out.push_back(UtcClock(e.at) + " UTC — " + line);
  }
  return out;
}

std::vector<std::string> TimelineParticipants(const std::vector<TimelineEvent>& timeline) {
  std::vector<std::string> out;
  auto add = [&](const std::string& who) {
    if (who.empty() || who == "system" || who.rfind("integration:", 0) == 0) return;
    if (std::find(out.begin(), out.end(), who) == out.end()) out.push_back(who);
  };
  for (const TimelineEvent& e : timeline) {
    if (e.type == "escalation.notified") {
      const nlohmann::json d = nlohmann::json::parse(e.data_json, nullptr, false);
      if (d.is_object()) add(DataString(d, "user"));
    } else if (e.type.rfind("incident.", 0) == 0) {
      add(Person(e.actor));
    }
  }
  return out;
}

std::string RenderDrillNotes(const DrillNotes& n) {
  const Incident& inc = n.incident;
  std::vector<std::string> participants =
      n.participants.empty() ? TimelineParticipants(n.timeline) : n.participants;
  std::string joined;
  for (const std::string& p : participants) joined += (joined.empty() ? "" : ", ") + p;

  std::string out = "# LOOM Drill: " + inc.title + "\n\n";
  out += "- Date: " + UtcDate(inc.created_at) + "\n";
  out += "- Scenario: " + Capitalized(IncidentKindName(inc.kind)) + " (" +
         SeverityName(inc.severity) + " tabletop drill, service " + inc.service_id + ")\n";
  out += "- Commander: " + (inc.commander.empty() ? "none assigned" : Person(inc.commander)) + "\n";
  out += "- Participants: " + (joined.empty() ? "none recorded" : joined) + "\n";
  out += "- Incident: " + inc.id() + " (drill; kept out of response statistics)\n";

  out += "\n## Timeline Summary\n\n";
  const std::vector<std::string> lines = SummarizeTimeline(n.timeline);
  for (size_t i = 0; i < lines.size(); ++i) {
    out += std::to_string(i + 1) + ". " + lines[i] + "\n";
  }
  if (lines.empty()) out += "No events were recorded.\n";

  out += "\n## What Worked\n\n";
  AddBullets(out, n.what_worked);
  if (n.what_worked.empty()) out += "Nothing was recorded.\n";
  out += "\n## Gaps\n\n";
  AddBullets(out, n.gaps);
  if (n.gaps.empty()) out += "None found.\n";
  out += "\n## Follow-Up\n\n";
  for (const DrillFollowUp& f : n.followups) {
    out += "- [ ] " + f.title + " (Owner: " + f.owner + ", Due: " + f.due + ").\n";
  }
  return out;
}

}  // namespace loom
