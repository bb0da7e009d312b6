#include "cli/compliance_check.h"

#include <cmath>
#include <map>
#include <string>

#include "cli/json_fields.h"

namespace loom {
namespace {

constexpr double kShareTarget = 0.9;

using Level = EvidenceFinding::Level;

std::string Percent(double share) {
  return std::to_string(static_cast<int>(std::floor(share * 100.0 + 0.5))) + " %";
}

void AckFindings(const nlohmann::json& ack, const std::string& window,
                 std::vector<EvidenceFinding>& out) {
  if (!ack.is_object()) return;
  for (const auto& [severity, f] : ack.items()) {
    const int64_t count = GetInt(f, "count");
    const int64_t unacked = GetInt(f, "unacknowledged");
    std::string msg = severity + " acknowledgement";
    if (count == 0) {
      msg += ": no acknowledged incidents " + window;
      if (unacked > 0) msg += " (" + std::to_string(unacked) + " never acknowledged)";
      out.push_back({unacked > 0 ? Level::kWarn : Level::kPass, msg});
      continue;
    }
    msg += ": median " + ShortDuration(f.value("median_seconds", 0.0)) + ", p90 " +
           ShortDuration(f.value("p90_seconds", 0.0));
    Level level = Level::kPass;
    if (f.contains("share_within_target") && f["share_within_target"].is_number()) {
      const double share = f["share_within_target"].get<double>();
      msg += ", " + Percent(share) + " within " +
             ShortDuration(static_cast<double>(GetInt(f, "target_seconds")));
      if (share < kShareTarget) level = Level::kWarn;
    }
    msg += " (" + std::to_string(count) + " incidents " + window;
    if (unacked > 0) msg += ", " + std::to_string(unacked) + " never acknowledged";
    msg += ")";
    out.push_back({level, msg});
  }
}

void CadenceFindings(const nlohmann::json& cadence, const std::string& window,
                     std::vector<EvidenceFinding>& out) {
  if (!cadence.is_object()) return;
  for (const auto& [severity, f] : cadence.items()) {
    const int64_t intervals = GetInt(f, "intervals");
    std::string msg = severity + " update cadence (every " +
                      ShortDuration(static_cast<double>(GetInt(f, "cadence_seconds"))) + ")";
    if (intervals == 0) {
      out.push_back({Level::kPass, msg + ": no update intervals " + window});
      continue;
    }
    const double share = f.value("share_within_cadence", 0.0);
    msg += ": " + Percent(share) + " of " + std::to_string(intervals) +
           " intervals had an update in time";
    out.push_back({share < kShareTarget ? Level::kWarn : Level::kPass, msg});
  }
}

void DrillFindings(const nlohmann::json& d, std::vector<EvidenceFinding>& out) {
  if (!d.is_object()) return;
  const int64_t d30 = GetInt(d, "last_30_days");
  const int64_t d60 = GetInt(d, "last_60_days");
  const std::string counts =
      std::to_string(d30) + " in the last 30 days, " + std::to_string(d60) + " in the last 60 days";
  if (d60 == 0) {
    out.push_back({Level::kError, "drills: none in the last 60 days"});
  } else if (d30 == 0) {
    out.push_back({Level::kWarn, "drills: " + counts + " (runbook: at least one per month)"});
  } else {
    out.push_back({Level::kPass, "drills: " + counts});
  }
  if (!GetBool(d, "alternating")) {
    out.push_back(
        {Level::kWarn, "drills of the last 60 days do not alternate security and availability"});
  } else if (d60 > 1) {
    out.push_back({Level::kPass, "drills of the last 60 days alternate scenarios"});
  }
  std::string next =
      "next drill: " + GetString(d, "next_scenario") + ", due " + GetString(d, "next_due_at");
  out.push_back({GetBool(d, "overdue") ? Level::kWarn : Level::kPass,
                 GetBool(d, "overdue") ? next + " (overdue)" : next});
}

void CoverageFindings(const nlohmann::json& coverage, std::vector<EvidenceFinding>& out) {
  if (!coverage.is_object()) return;
  const std::string until = GetString(coverage, "until");
  const nlohmann::json gaps =
      coverage.contains("gaps") ? coverage["gaps"] : nlohmann::json::array();
  // One finding per (service, role): its gap count and the first one.
  std::map<std::string, std::pair<int, std::string>> by_role;
  for (const nlohmann::json& g : gaps) {
    auto& entry = by_role[GetString(g, "service") + " " + GetString(g, "role")];
    if (entry.first++ == 0) {
      entry.second =
          GetString(g, "from") + " to " + GetString(g, "to") + " (" + GetString(g, "reason") + ")";
    }
  }
  if (by_role.empty()) {
    out.push_back({Level::kPass, "on-call coverage: no gaps until " + until});
    return;
  }
  for (const auto& [who, entry] : by_role) {
    out.push_back({Level::kWarn, "on-call coverage gap: " + who + ", " +
                                     std::to_string(entry.first) + " interval" +
                                     (entry.first == 1 ? "" : "s") + " until " + until +
                                     ", first " + entry.second});
  }
}

void CountFinding(const nlohmann::json& report, const char* key, const std::string& what,
                  std::vector<EvidenceFinding>& out) {
  if (!report.contains(key) || !report[key].is_number_integer()) {
    out.push_back({Level::kWarn, what + ": not reported by this server"});
    return;
  }
  const int64_t n = report[key].get<int64_t>();
  out.push_back({n > 0 ? Level::kWarn : Level::kPass, what + ": " + std::to_string(n)});
}

}  // namespace

std::string ShortDuration(double seconds) {
  auto s = static_cast<int64_t>(std::floor(seconds + 0.5));
  if (s < 60) return std::to_string(s) + "s";
  std::string out;
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

std::vector<EvidenceFinding> LiveComplianceFindings(const nlohmann::json& report) {
  std::vector<EvidenceFinding> out;
  if (!report.is_object()) {
    out.push_back({Level::kError, "the server's compliance report is not a JSON object"});
    return out;
  }
  const nlohmann::json window = report.value("window", nlohmann::json::object());
  const std::string in_window =
      "in the last " + std::to_string(GetInt(window, "days", 30)) + " days";
  if (const int64_t drills = GetInt(report, "drills_excluded"); drills > 0) {
    out.push_back({Level::kPass, std::to_string(drills) + " drill incident" +
                                     (drills == 1 ? "" : "s") +
                                     " left out of the response figures"});
  }
  AckFindings(report.value("ack", nlohmann::json()), in_window, out);
  CadenceFindings(report.value("update_cadence", nlohmann::json()), in_window, out);
  DrillFindings(report.value("drills", nlohmann::json()), out);
  CoverageFindings(report.value("coverage", nlohmann::json()), out);
  CountFinding(report, "overdue_followups", "overdue follow-ups", out);
  CountFinding(report, "unpublished_reviews", "unpublished post-incident reviews", out);
  return out;
}

}  // namespace loom
