#include "core/severity_policy.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace loom {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "Sev 1", "sev1", "SEV-1" -> Severity.
std::optional<Severity> SeverityFromLabel(std::string_view label) {
  std::string digits;
  std::string l = Lower(label);
  if (l.rfind("sev", 0) != 0) return std::nullopt;
  for (char c : l.substr(3)) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
    } else if (c != ' ' && c != '-') {
      return std::nullopt;
    }
  }
  if (digits.size() != 1 || digits[0] < '1' || digits[0] > '4') return std::nullopt;
  return static_cast<Severity>(digits[0] - '0');
}

std::string Where(const std::string& file, int line) { return file + ":" + std::to_string(line); }

}  // namespace

const char* TimeBasisName(TimeBasis b) {
  switch (b) {
    case TimeBasis::kWall: return "wall";
    case TimeBasis::kBusinessHours: return "business_hours";
    case TimeBasis::kBusinessDays: return "business_days";
  }
  return "wall";
}

Result<PolicyDuration> ParsePolicyDuration(std::string_view text) {
  PolicyDuration out;
  out.text = std::string(text);
  std::string s = Lower(text);
  auto bad = [&]() {
    return Error::Invalid("cannot read '" + std::string(text) +
                          "' as a duration (e.g. '5 minutes', '1 business hour', 'Every 4 hours', "
                          "'Daily/async')");
  };
  if (s.rfind("every ", 0) == 0) s = s.substr(6);
  if (s.size() >= 6 && s.compare(s.size() - 6, 6, "/async") == 0) {
    out.async = true;
    s = s.substr(0, s.size() - 6);
  }
  if (s == "daily") {
    out.amount = std::chrono::hours(24);
    return out;
  }
  if (s == "hourly") {
    out.amount = std::chrono::hours(1);
    return out;
  }
  size_t i = 0;
  int64_t n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    n = n * 10 + (s[i] - '0');
    if (n > 100000) return bad();
    ++i;
  }
  if (i == 0 || n == 0) return bad();
  std::string unit = s.substr(i);
  unit.erase(0, unit.find_first_not_of(' '));
  if (unit.rfind("business ", 0) == 0) {
    unit = unit.substr(9);
    if (unit == "hour" || unit == "hours") {
      out.basis = TimeBasis::kBusinessHours;
      out.amount = std::chrono::hours(n);
      return out;
    }
    if (unit == "day" || unit == "days") {
      out.basis = TimeBasis::kBusinessDays;
      out.amount = std::chrono::hours(24 * n);
      return out;
    }
    return bad();
  }
  if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") {
    out.amount = std::chrono::seconds(n);
  } else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" ||
             unit == "minutes") {
    out.amount = std::chrono::minutes(n);
  } else if (unit == "h" || unit == "hour" || unit == "hours") {
    out.amount = std::chrono::hours(n);
  } else if (unit == "d" || unit == "day" || unit == "days") {
    out.amount = std::chrono::hours(24 * n);
  } else {
    return bad();
  }
  return out;
}

Result<SeverityPolicy> SeverityPolicyFromRunbook(const RunbookDocument& doc,
                                                 const std::string& file) {
  const RunbookTable* matrix = nullptr;
  for (const auto& t : doc.tables) {
    if (Lower(t.section).find("severity matrix") != std::string::npos) {
      matrix = &t;
      break;
    }
  }
  if (matrix == nullptr) {
    return Error::Invalid(file + ": no table under a 'Severity Matrix' heading");
  }
  int col_sev = -1, col_def = -1, col_ack = -1, col_cad = -1;
  for (size_t c = 0; c < matrix->header.size(); ++c) {
    std::string h = Lower(matrix->header[c].text);
    if (h == "severity") col_sev = static_cast<int>(c);
    if (h == "definition") col_def = static_cast<int>(c);
    if (h.find("ack") != std::string::npos) col_ack = static_cast<int>(c);
    if (h.find("cadence") != std::string::npos) col_cad = static_cast<int>(c);
  }
  if (col_sev < 0 || col_ack < 0 || col_cad < 0) {
    int line = matrix->header.empty() ? 0 : matrix->header[0].line;
    return Error::Invalid(Where(file, line) +
                          ": the Severity Matrix needs columns Severity, Initial Ack and "
                          "Update Cadence");
  }

  SeverityPolicy policy;
  policy.runbook = file;
  bool seen[4] = {false, false, false, false};
  for (const auto& row : matrix->rows) {
    auto cell = [&](int c) -> const RunbookCell& { return row.at(static_cast<size_t>(c)); };
    if (static_cast<int>(row.size()) <= std::max({col_sev, col_def, col_ack, col_cad})) continue;
    auto sev = SeverityFromLabel(cell(col_sev).text);
    if (!sev) {
      return Error::Invalid(Where(file, cell(col_sev).line) + ": Severity Matrix row '" +
                            cell(col_sev).text + "' is not Sev 1..Sev 4");
    }
    SeverityRule& rule = policy.For(*sev);
    rule.severity = *sev;
    seen[static_cast<int>(*sev) - 1] = true;
    if (col_def >= 0) {
      rule.definition = cell(col_def).text;
      rule.definition_source = Where(file, cell(col_def).line);
    }
    auto ack = ParsePolicyDuration(cell(col_ack).text);
    if (!ack.ok()) {
      return Error::Invalid(Where(file, cell(col_ack).line) + ": Initial Ack of " +
                            SeverityName(*sev) + ": " + ack.error().message);
    }
    rule.ack_target = *ack;
    rule.ack_source = Where(file, cell(col_ack).line);
    auto cadence = ParsePolicyDuration(cell(col_cad).text);
    if (!cadence.ok()) {
      return Error::Invalid(Where(file, cell(col_cad).line) + ": Update Cadence of " +
                            SeverityName(*sev) + ": " + cadence.error().message);
    }
    rule.update_cadence = *cadence;
    rule.cadence_source = Where(file, cell(col_cad).line);
    rule.page = false;
    rule.page_source = "default";
  }
  for (int i = 0; i < 4; ++i) {
    if (!seen[i]) {
      return Error::Invalid(file + ": the Severity Matrix has no row for sev" +
                            std::to_string(i + 1));
    }
  }

  // "Sev 1: page immediately, ack within 5 minutes." / "Sev 3: ticket within business hours."
  for (const auto& item : doc.items) {
    auto colon = item.text.find(':');
    if (colon == std::string::npos) continue;
    auto sev = SeverityFromLabel(item.text.substr(0, colon));
    if (!sev) continue;
    std::string rest = Lower(item.text.substr(colon + 1));
    SeverityRule& rule = policy.For(*sev);
    if (rest.find("page immediately") != std::string::npos) {
      rule.page = true;
      rule.page_source = Where(file, item.line);
    } else if (rest.find("ticket") != std::string::npos) {
      rule.page = false;
      rule.page_source = Where(file, item.line);
    }
  }
  return policy;
}

void ApplyPolicyOverrides(SeverityPolicy& policy, const PolicyOverrides& overrides) {
  auto source = [](const std::string& s) { return s.empty() ? std::string("config") : s; };
  for (int i = 0; i < 4; ++i) {
    const SeverityOverride& o = overrides.severities[static_cast<size_t>(i)];
    SeverityRule& rule = policy.rules[static_cast<size_t>(i)];
    if (o.definition) {
      rule.definition = *o.definition;
      rule.definition_source = source(o.definition_source);
    }
    if (o.ack_target) {
      rule.ack_target = *o.ack_target;
      rule.ack_source = source(o.ack_source);
    }
    if (o.update_cadence) {
      rule.update_cadence = *o.update_cadence;
      rule.cadence_source = source(o.cadence_source);
    }
    if (o.page) {
      rule.page = *o.page;
      rule.page_source = source(o.page_source);
    }
  }
  if (overrides.repeat) {
    policy.repeat = *overrides.repeat;
    policy.repeat_source = source(overrides.repeat_source);
  }
}

Result<SeverityPolicy> BuildSeverityPolicy(std::string_view markdown, const std::string& file,
                                           const PolicyOverrides& overrides) {
  auto doc = ParseRunbookMarkdown(markdown);
  if (!doc.ok()) {
    const Error& e = doc.error();
    return Error{e.code, file + ": " + e.message, e.fields};
  }
  auto policy = SeverityPolicyFromRunbook(*doc, file);
  if (!policy.ok()) return std::move(policy).error();
  ApplyPolicyOverrides(*policy, overrides);
  return policy;
}

}  // namespace loom
