#include "notify/notice_text.h"

#include <cctype>

namespace loom {

std::string SeverityLabel(std::string_view severity) {
  std::string label(severity);
  if (label.size() > 3 && label.starts_with("sev")) label[0] = 'S';
  return label;
}

std::string IncidentFacts(const NoticeIncident& incident) {
  std::string out;
  auto add = [&](std::string_view part) {
    if (part.empty()) return;
    if (!out.empty()) out += " \u00b7 ";
    out += part;
  };
  add(SeverityLabel(incident.severity));
  add(incident.kind);
  if (!incident.service.empty()) add("service " + incident.service);
  add(incident.state);
  return out;
}

std::string IncidentsHeadline(const Notice& notice) {
  if (notice.incidents.empty()) return "";
  if (notice.incidents.size() > 1) return std::to_string(notice.incidents.size()) + " incidents";
  const NoticeIncident& incident = notice.incidents.front();
  return incident.title.empty() ? incident.id : incident.id + " " + incident.title;
}

std::string NoticeFooter(const Notice& notice) {
  std::string footer = "loom-oncall \u00b7 " + notice.type;
  if (!notice.recipient_name.empty()) {
    footer += " \u00b7 for " + notice.recipient_name;
    if (!notice.role.empty()) footer += " (" + notice.role + ")";
  }
  return footer;
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\u2026";
}

}  // namespace loom
