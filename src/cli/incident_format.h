// Human-readable rendering of the incident API's JSON (docs/api.md) for `incident list`,
// `incident show` and the incident actions. Pure functions: JSON and "now" in, text out. Every
// string from the server goes through PrintableText.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"

namespace loom {

// Rows of cells rendered left-aligned with two spaces between columns; the last column is not
// padded (titles vary in length and may hold multi-byte UTF-8), trailing spaces are trimmed.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

// "45s", "12m", "3h", "2d" — the largest whole unit of an age; negative ages read "0s".
std::string FormatAge(Duration age);

// An aligned table with the columns ID SEV STATE SERVICE AGE ALERTS TITLE, one row per element of
// `incidents` (the "incidents" array of GET /v1/incidents), or "No incidents.\n" when empty.
// AGE counts from created_at to `now`.
std::string FormatIncidentTable(const nlohmann::json& incidents, TimePoint now);

// The detail view of GET /v1/incidents/{id}: header, fields, member alerts, then the timeline.
std::string FormatIncidentDetail(const nlohmann::json& incident, TimePoint now);

// One line for the incident object an action answered with, e.g.
// "INC-3 acknowledged (sev1, commander alice)".
std::string FormatIncidentSummary(const nlohmann::json& incident);

// The table of GET /v1/incidents/{id}/notifications: STEP METHOD ROLE USER STATE AGE, or
// "No notifications.\n".
std::string FormatNotifications(const nlohmann::json& notifications, TimePoint now);

}  // namespace loom
