#include "core/security_playbook.h"

#include <set>

namespace loom {
namespace {

bool Blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == text.npos; }

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

std::string ChecklistSlug(std::string_view text) {
  std::string out;
  bool dash = false;
  for (char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool upper = c >= 'A' && c <= 'Z';
    if (alnum || upper) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      out += upper ? static_cast<char>(c - 'A' + 'a') : c;
    } else {
      dash = true;
    }
  }
  return out;
}

std::vector<ChecklistItemSpec> SecurityChecklistTemplate(const SecurityPlaybookConfig& config) {
  std::vector<ChecklistItemSpec> items;
  for (const std::string& credential : config.rotate) {
    items.push_back({"rotate-" + ChecklistSlug(credential), "Revoke/rotate " + credential});
  }
  items.push_back({"tighten-allowlists", "Tighten allowlists"});
  items.push_back(
      {"disable-risky-paths", "Temporarily disable risky ingress/egress paths (if needed)"});
  items.push_back(
      {"verify-persistence", "Run persistence checks (LOOM node /v1/admin/persistence/schema)"});
  items.push_back({"verify-federation-trust",
                   "Validate federation trust state (LOOM node /v1/federation/trust)"});
  return items;
}

std::vector<std::pair<std::string, std::string>> ValidateSecurityConfig(
    const SecurityPlaybookConfig& config) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (config.rotate.empty() || config.rotate.size() > 32) {
    problems.emplace_back("security.rotate", "must list 1 to 32 credentials");
  }
  std::set<std::string> slugs;
  for (size_t i = 0; i < config.rotate.size(); ++i) {
    const std::string path = "security.rotate[" + std::to_string(i) + "]";
    const std::string& name = config.rotate[i];
    const std::string slug = ChecklistSlug(name);
    if (name.size() > 200 || slug.empty()) {
      problems.emplace_back(path, "must be 1 to 200 characters with a letter or digit");
    } else if (!slugs.insert(slug).second) {
      problems.emplace_back(
          path, "names the same checklist item as an earlier entry (rotate-" + slug + ")");
    }
  }
  return problems;
}

Status ApplyChecklistChange(ChecklistItem& item, const ChecklistChange& change,
                            const std::string& actor, TimePoint now) {
  if (!change.owner && !change.done && !change.note) {
    return Error::Invalid("nothing to change: give done, owner or note",
                          {{"/done", "done, owner or note is required"}});
  }
  if (change.owner) item.owner = *change.owner;
  if (change.note) item.note = *change.note;
  if (change.done) {
    if (*change.done && !item.done_at) {
      item.done_at = now;
      item.done_by = actor;
    } else if (!*change.done) {
      item.done_at.reset();
      item.done_by.clear();
    }
  }
  return OkStatus();
}

std::vector<FieldError> ValidateSecurityReport(const SecurityReport& report) {
  std::vector<FieldError> errors;
  for (auto [name, value] :
       {std::pair{"timeline", &report.timeline}, std::pair{"indicators", &report.indicators},
        std::pair{"containment", &report.containment},
        std::pair{"residual_risk", &report.residual_risk}}) {
    if (Blank(*value)) {
      errors.push_back({std::string("/") + name, "is required"});
    } else if (value->size() > kMaxReportFieldBytes) {
      errors.push_back({std::string("/") + name, "must be at most 64 KiB"});
    }
  }
  return errors;
}

int64_t SecurityPlaybookState::done_count() const {
  int64_t n = 0;
  for (const ChecklistItem& item : checklist) n += item.done() ? 1 : 0;
  return n;
}

std::vector<std::string> SecurityPlaybookState::open_items() const {
  std::vector<std::string> ids;
  for (const ChecklistItem& item : checklist) {
    if (!item.done()) ids.push_back(item.id);
  }
  return ids;
}

Status CheckSecurityCloseGate(const std::string& incident_id, const char* verb,
                              const SecurityPlaybookState& state) {
  const std::vector<std::string> open = state.open_items();
  const bool report_missing = !state.report.has_value();
  if (open.empty() && !report_missing) return OkStatus();
  std::string why;
  if (!open.empty()) why = "the security checklist has open items (" + JoinIds(open) + ")";
  if (report_missing) {
    why += std::string(why.empty() ? "" : " and ") + "the security report is missing";
  }
  return Error::Conflict(incident_id + " cannot be " + verb + ": " + why);
}

std::string ReferenceContent(const EvidenceArtifact& artifact) {
  return artifact.uri.empty() ? artifact.request_id : artifact.uri;
}

}  // namespace loom
