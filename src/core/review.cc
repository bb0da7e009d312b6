#include "core/review.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "common/time_format.h"

namespace loom {
namespace {

using nlohmann::json;

constexpr std::string_view kKeyEvents[] = {
    "incident.triggered",        "incident.acknowledged",
    "incident.unacknowledged",   "incident.mitigated",
    "incident.resolved",         "incident.closed",
    "incident.severity_changed", "incident.commander_assigned",
    "commander.handover",        "incident.reassigned",
    "incident.status_update",    "incident.summary",
    "escalation.notified",       "update.missed",
};

std::string Str(const json& data, const char* key) {
  auto it = data.find(key);
  if (it == data.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// "acknowledged", "status update: impact ...; mitigation ...", ...
std::string Describe(const TimelineEvent& e) {
  json data = json::parse(e.data_json, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) data = json::object();
  std::string_view type = e.type;
  std::string words(type.substr(type.find('.') + 1));
  for (char& c : words) {
    if (c == '_') c = ' ';
  }
  std::string detail;
  auto add = [&](const char* label, const std::string& value) {
    if (value.empty()) return;
    detail += detail.empty() ? ": " : "; ";
    detail += std::string(label) + " " + value;
  };
  if (type == "commander.handover") {
    return "commander handed over from " + Str(data, "from") + " to " + Str(data, "to");
  }
  if (type == "incident.commander_assigned") return "commander assigned: " + Str(data, "commander");
  if (type == "incident.severity_changed") {
    return "severity changed from " + Str(data, "from") + " to " + Str(data, "to");
  }
  if (type == "escalation.notified") {
    return Str(data, "method") + " to " + Str(data, "user") + " (" + Str(data, "role") + ")";
  }
  if (type == "incident.triggered") add("", Str(data, "summary"));
  add("impact", Str(data, "impact"));
  add("scope", Str(data, "scope"));
  add("mitigation", Str(data, "mitigation"));
  add("root cause", Str(data, "root_cause"));
  add("note", Str(data, "note"));
  return words + detail;
}

std::string Seconds(Duration d) {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  return std::to_string(s / 3600) + " h " + std::to_string((s % 3600) / 60) + " min";
}

std::string Draft(const Incident& inc) {
  std::string text = std::string(SeverityName(inc.severity)) + " " + IncidentKindName(inc.kind) +
                     " incident on service " + inc.service_id + ", triggered " +
                     FormatRfc3339(inc.created_at);
  if (inc.acknowledged_at) {
    text += ", acknowledged after " + Seconds(*inc.acknowledged_at - inc.created_at);
  }
  if (inc.resolved_at) text += ", resolved after " + Seconds(*inc.resolved_at - inc.created_at);
  text += ".";
  if (!inc.commander.empty()) text += " Incident commander: " + inc.commander + ".";
  return text;
}

// Markdown table cells keep to one line and escape the column separator.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string OrNone(const std::string& text) { return text.empty() ? "_(none)_" : text; }

}  // namespace

bool ReviewRequired(Severity severity) {
  return severity == Severity::kSev1 || severity == Severity::kSev2;
}

bool IsKeyEvent(const std::string& type) {
  for (std::string_view t : kKeyEvents) {
    if (type == t) return true;
  }
  return false;
}

Review DraftReview(const Incident& incident, const std::vector<TimelineEvent>& timeline,
                   const FinalSummary* summary, const std::string& actor, TimePoint now) {
  Review r;
  r.incident_number = incident.number;
  r.title = incident.title;
  r.summary = Draft(incident);
  for (const TimelineEvent& e : timeline) {
    if (!IsKeyEvent(e.type)) continue;
    r.timeline.push_back({e.at, e.type, e.actor, Describe(e)});
  }
  if (summary != nullptr) {
    r.root_cause = summary->root_cause;
    r.customer_impact = summary->customer_impact;
    r.remediation = summary->remediation;
  }
  r.created_by = r.updated_by = actor;
  r.created_at = r.updated_at = now;
  return r;
}

std::vector<std::string> PublishProblems(const Review& review,
                                         const std::vector<Followup>& followups,
                                         const std::string& no_followups_reason,
                                         const std::function<bool(const std::string&)>& is_user) {
  std::vector<std::string> problems;
  if (review.summary.empty()) problems.emplace_back("summary is empty");
  if (review.root_cause.empty()) problems.emplace_back("root_cause is empty");
  if (review.customer_impact.empty()) problems.emplace_back("customer_impact is empty");
  if (review.remediation.empty()) problems.emplace_back("remediation is empty");
  if (followups.empty() && no_followups_reason.empty()) {
    problems.emplace_back("there are no follow-ups and the final summary does not say why");
  }
  for (const Followup& f : followups) {
    if (f.owner.empty() || !is_user(f.owner)) {
      problems.push_back(f.id() + " has no owner who is a configured user");
    }
    if (f.due_at == TimePoint{}) problems.push_back(f.id() + " has no due date");
  }
  return problems;
}

std::string ReviewMarkdown(const Review& review, const Incident& incident,
                           const std::vector<Followup>& followups) {
  std::string md = "# Post-incident review: " + incident.id() + " " + review.title + "\n\n";
  md += "- Severity: " + std::string(SeverityName(incident.severity)) + "\n";
  md += "- Service: " + incident.service_id + "\n";
  md += "- Kind: " + std::string(IncidentKindName(incident.kind)) + "\n";
  md +=
      "- Incident commander: " + (incident.commander.empty() ? "none" : incident.commander) + "\n";
  md += "- Triggered: " + FormatRfc3339(incident.created_at) + "\n";
  if (incident.acknowledged_at) {
    md += "- Acknowledged: " + FormatRfc3339(*incident.acknowledged_at) + "\n";
  }
  if (incident.resolved_at) md += "- Resolved: " + FormatRfc3339(*incident.resolved_at) + "\n";
  if (incident.closed_at) md += "- Closed: " + FormatRfc3339(*incident.closed_at) + "\n";
  md += "- Status: " +
        (review.published()
             ? "published " + FormatRfc3339(*review.published_at) + " by " + review.published_by
             : std::string("draft")) +
        "\n\n";
  md += "## Summary\n\n" + OrNone(review.summary) + "\n\n";
  md += "## Timeline (UTC)\n\n| Time | Event | By |\n| --- | --- | --- |\n";
  for (const ReviewEvent& e : review.timeline) {
    md += "| " + FormatRfc3339(e.at) + " | " + Cell(e.text) + " | " + Cell(e.actor) + " |\n";
  }
  md += "\n## Root cause\n\n" + OrNone(review.root_cause) + "\n\n";
  md += "## Customer impact\n\n" + OrNone(review.customer_impact) + "\n\n";
  md += "## Remediation\n\n" + OrNone(review.remediation) + "\n\n";
  md += "## Follow-ups\n\n";
  if (followups.empty()) {
    md += "_(none)_\n";
  } else {
    md += "| ID | Title | Owner | Due | Status |\n| --- | --- | --- | --- | --- |\n";
    for (const Followup& f : followups) {
      md += "| " + f.id() + " | " + Cell(f.title) + " | " + Cell(f.owner) + " | " +
            FormatRfc3339(f.due_at) + " | " + FollowupStatusName(f.status) + " |\n";
    }
  }
  return md;
}

}  // namespace loom
