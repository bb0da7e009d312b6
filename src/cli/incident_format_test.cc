#include "cli/incident_format.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace loom {
namespace {

using nlohmann::json;

TimePoint At(const char* text) { return ParseRfc3339(text).value(); }

TEST(FormatAgeTest, UsesTheLargestWholeUnit) {
  using std::chrono::seconds;
  EXPECT_EQ(FormatAge(seconds(-5)), "0s");
  EXPECT_EQ(FormatAge(seconds(0)), "0s");
  EXPECT_EQ(FormatAge(seconds(59)), "59s");
  EXPECT_EQ(FormatAge(seconds(60)), "1m");
  EXPECT_EQ(FormatAge(seconds(3599)), "59m");
  EXPECT_EQ(FormatAge(seconds(3600)), "1h");
  EXPECT_EQ(FormatAge(seconds(86399)), "23h");
  EXPECT_EQ(FormatAge(seconds(2 * 86400 + 5)), "2d");
}

TEST(FormatIncidentTableTest, AlignsColumnsUnderTheHeader) {
  json incidents = json::parse(R"([
    {"id":"INC-12","state":"acknowledged","severity":"sev1","service":"loom",
     "title":"LOOM ready probe failing","alert_count":3,"created_at":"2026-11-27T10:40:00.000Z"},
    {"id":"INC-9","state":"triggered","severity":"sev3","service":"db",
     "title":"Disk 85%","alert_count":1,"created_at":"2026-11-25T08:00:00.000Z"}
  ])");
  std::string table = FormatIncidentTable(incidents, At("2026-11-27T10:45:30Z"));
  EXPECT_EQ(table,
            "ID      SEV   STATE         SERVICE  AGE  ALERTS  TITLE\n"
            "INC-12  sev1  acknowledged  loom     5m   3       LOOM ready probe failing\n"
            "INC-9   sev3  triggered     db       2d   1       Disk 85%\n");
}

TEST(FormatIncidentTableTest, EmptyListSaysSo) {
  EXPECT_EQ(FormatIncidentTable(json::array(), At("2026-11-27T10:45:30Z")), "No incidents.\n");
  EXPECT_EQ(FormatIncidentTable(json(), At("2026-11-27T10:45:30Z")), "No incidents.\n");
}

TEST(FormatIncidentTableTest, ToleratesMissingAndMistypedFields) {
  json incidents = json::parse(R"([{"id":"INC-1","severity":null,"alert_count":"x"}])");
  EXPECT_EQ(FormatIncidentTable(incidents, At("2026-11-27T10:45:30Z")),
            "ID     SEV  STATE  SERVICE  AGE  ALERTS  TITLE\n"
            "INC-1  -    -      -        -    0\n");
}

TEST(FormatIncidentTableTest, NeutralisesTerminalEscapesInTitles) {
  json incidents =
      json::array({{{"id", "INC-1"}, {"title", "evil \x1b]0;pwned\x07 title\nsecond line"}}});
  std::string table = FormatIncidentTable(incidents, At("2026-11-27T10:45:30Z"));
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_EQ(table.find('\x07'), std::string::npos);
  EXPECT_NE(table.find("evil ?]0;pwned? title second line"), std::string::npos) << table;
}

TEST(FormatIncidentDetailTest, ShowsFieldsAlertsAndTimeline) {
  json incident = json::parse(R"({
    "id":"INC-3","title":"LOOM ready probe failing","state":"acknowledged","severity":"sev1",
    "kind":"availability","service":"loom","commander":"alice","alert_count":2,
    "firing_alert_count":1,"dedup_key":"ready","drill":false,
    "created_at":"2026-11-27T10:40:00.000Z","acknowledged_at":"2026-11-27T10:42:00.000Z",
    "mitigated_at":null,
    "alerts":[{"id":7,"status":"firing","severity":"sev1","source":"prom","summary":"ready 503"}],
    "timeline":[
      {"seq":1,"at":"2026-11-27T10:40:00.000Z","type":"incident.triggered",
       "actor":"integration:loom","data":{"severity":"sev1"}},
      {"seq":2,"at":"2026-11-27T10:42:00.000Z","type":"incident.acknowledged",
       "actor":"token:ci","data":{"note":"on it","commander":"alice"}},
      {"seq":3,"at":"2026-11-27T10:43:00.000Z","type":"incident.status_update",
       "actor":"token:ci","data":{"next_update_at":1795776600000000,"step":2}}]
  })");
  std::string text = FormatIncidentDetail(incident, At("2026-11-27T10:45:00Z"));
  EXPECT_EQ(
      text,
      "INC-3  LOOM ready probe failing\n"
      "  state:         acknowledged\n"
      "  severity:      sev1\n"
      "  kind:          availability\n"
      "  service:       loom\n"
      "  commander:     alice\n"
      "  alerts:        2 (1 firing)\n"
      "  dedup key:     ready\n"
      "  created:       2026-11-27T10:40:00.000Z (5m ago)\n"
      "  acknowledged:  2026-11-27T10:42:00.000Z\n"
      "\n"
      "Alerts:\n"
      "  #7  firing  sev1  prom  ready 503\n"
      "\n"
      "Timeline:\n"
      "  #1  2026-11-27T10:40:00.000Z  incident.triggered      integration:loom  severity=sev1\n"
      "  #2  2026-11-27T10:42:00.000Z  incident.acknowledged   token:ci          "
      "commander=alice note=\"on it\"\n"
      "  #3  2026-11-27T10:43:00.000Z  incident.status_update  token:ci          "
      "next_update_at=2026-11-27T10:50:00.000Z step=2\n");
}

TEST(FormatIncidentDetailTest, NoTimelineSaysSo) {
  std::string text =
      FormatIncidentDetail(json::parse(R"({"id":"INC-1"})"), At("2026-11-27T10:45:00Z"));
  EXPECT_NE(text.find("Timeline:\n  (no events)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("commander:  (none)\n"), std::string::npos) << text;
  EXPECT_EQ(text.rfind("INC-1\n", 0), 0u) << text;
}

TEST(FormatIncidentDetailTest, SaysWhenMaintenanceHoldsItsEscalation) {
  std::string text = FormatIncidentDetail(
      json::parse(R"({"id":"INC-1","state":"triggered","maintenance":{"windows":[1,3],
                      "until":"2026-12-07T14:03:47.132Z","reason":"PostgreSQL 17 upgrade"}})"),
      At("2026-12-07T13:05:00Z"));
  EXPECT_NE(text.find("maintenance:  window 1, 3 until 2026-12-07T14:03:47.132Z (PostgreSQL 17 "
                      "upgrade): no one is paged\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(FormatIncidentDetail(json::parse(R"({"id":"INC-2","maintenance":null})"),
                                 At("2026-12-07T13:05:00Z"))
                .find("maintenance:"),
            std::string::npos);
}

TEST(FormatIncidentSummaryTest, OneLine) {
  EXPECT_EQ(FormatIncidentSummary(json::parse(
                R"({"id":"INC-3","state":"acknowledged","severity":"sev1","commander":"alice"})")),
            "INC-3 acknowledged (sev1, commander alice)");
  EXPECT_EQ(
      FormatIncidentSummary(json::parse(R"({"id":"INC-4","state":"triggered","severity":"sev3"})")),
      "INC-4 triggered (sev3, commander (none))");
}

}  // namespace
}  // namespace loom
