#include "http/json_codec.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "core/builtin_runbook.h"

namespace loom::http {
namespace {

TimePoint T(const char* text) { return *ParseRfc3339(text); }

Incident SampleIncident() {
  Incident in;
  in.number = 7;
  in.service_id = "loom";
  in.title = "LOOM ready probe failing";
  in.severity = Severity::kSev1;
  in.kind = IncidentKind::kSecurity;
  in.state = IncidentState::kAcknowledged;
  in.commander = "alice";
  in.dedup_key = "k1";
  in.alert_count = 2;
  in.firing_alert_count = 1;
  in.created_at = T("2026-11-27T10:45:33.123Z");
  in.updated_at = T("2026-11-27T10:46:00Z");
  in.acknowledged_at = T("2026-11-27T10:46:00Z");
  return in;
}

TEST(JsonCodecTest, IncidentHasEveryDocumentedField) {
  Json j = IncidentToJson(SampleIncident());
  EXPECT_EQ(j["id"], "INC-7");
  EXPECT_EQ(j["number"], 7);
  EXPECT_EQ(j["state"], "acknowledged");
  EXPECT_EQ(j["severity"], "sev1");
  EXPECT_EQ(j["kind"], "security");
  EXPECT_EQ(j["service"], "loom");
  EXPECT_EQ(j["title"], "LOOM ready probe failing");
  EXPECT_EQ(j["alert_count"], 2);
  EXPECT_EQ(j["firing_alert_count"], 1);
  EXPECT_EQ(j["commander"], "alice");
  EXPECT_EQ(j["dedup_key"], "k1");
  EXPECT_EQ(j["drill"], false);
  EXPECT_EQ(j["created_at"], "2026-11-27T10:45:33.123Z");
  EXPECT_EQ(j["updated_at"], "2026-11-27T10:46:00.000Z");
  EXPECT_EQ(j["acknowledged_at"], "2026-11-27T10:46:00.000Z");
  for (const char* unset : {"mitigated_at", "resolved_at", "closed_at", "alerts_resolved_at"}) {
    ASSERT_TRUE(j.contains(unset)) << unset;
    EXPECT_TRUE(j[unset].is_null()) << unset;
  }
  // Documented order: id first.
  EXPECT_EQ(j.begin().key(), "id");
}

TEST(JsonCodecTest, NoCommanderIsNull) {
  Incident in = SampleIncident();
  in.commander.clear();
  EXPECT_TRUE(IncidentToJson(in)["commander"].is_null());
}

TEST(JsonCodecTest, TimelineEventEmbedsData) {
  TimelineEvent e;
  e.incident_number = 7;
  e.seq = 2;
  e.at = T("2026-11-27T10:46:00Z");
  e.type = "incident.acknowledged";
  e.actor = "token:admin";
  e.data_json = R"({"note":"on it","n":[1,2]})";
  e.prev_hash = "aa";
  e.hash = "bb";
  Json j = TimelineEventToJson(e);
  EXPECT_EQ(j["seq"], 2);
  EXPECT_EQ(j["at"], "2026-11-27T10:46:00.000Z");
  EXPECT_EQ(j["type"], "incident.acknowledged");
  EXPECT_EQ(j["actor"], "token:admin");
  ASSERT_TRUE(j["data"].is_object());
  EXPECT_EQ(j["data"]["note"], "on it");
  EXPECT_EQ(j["data"]["n"][1], 2);
  EXPECT_EQ(j["hash"], "bb");
  EXPECT_EQ(j["prev_hash"], "aa");
}

TEST(JsonCodecTest, EmbeddedJsonFallbacks) {
  EXPECT_EQ(EmbeddedJson(""), Json::object());
  EXPECT_EQ(EmbeddedJson("not json"), Json("not json"));
  EXPECT_EQ(EmbeddedJson("[1]"), Json::parse("[1]"));
}

TEST(JsonCodecTest, Alert) {
  Alert a;
  a.id = 12;
  a.incident_number = 7;
  a.service_id = "loom";
  a.dedup_key = "k1";
  a.status = "resolved";
  a.summary = "s";
  a.source = "host";
  a.raw_severity = "critical";
  a.severity = Severity::kSev1;
  a.created_at = T("2026-11-27T10:45:33Z");
  a.updated_at = T("2026-11-27T10:45:34Z");
  a.resolved_at = T("2026-11-27T10:45:35Z");
  a.details_json = R"({"payload":{"summary":"s"}})";
  Json j = AlertToJson(a);
  EXPECT_EQ(j["id"], 12);
  EXPECT_EQ(j["incident"], "INC-7");
  EXPECT_EQ(j["service"], "loom");
  EXPECT_EQ(j["dedup_key"], "k1");
  EXPECT_TRUE(j["fingerprint"].is_null());
  EXPECT_EQ(j["status"], "resolved");
  EXPECT_EQ(j["severity"], "sev1");
  EXPECT_EQ(j["raw_severity"], "critical");
  EXPECT_EQ(j["resolved_at"], "2026-11-27T10:45:35.000Z");
  EXPECT_EQ(j["details"]["payload"]["summary"], "s");
}

TEST(JsonCodecTest, IncidentDetail) {
  IncidentDetail d;
  d.incident = SampleIncident();
  d.timeline.push_back(TimelineEvent{7, 1, T("2026-11-27T10:45:33Z"), "incident.triggered",
                                     "integration:loom", "{}", "", "h1"});
  d.alerts.push_back(Alert{});
  Json j = IncidentDetailToJson(d);
  EXPECT_EQ(j["id"], "INC-7");
  ASSERT_EQ(j["timeline"].size(), 1u);
  EXPECT_EQ(j["timeline"][0]["prev_hash"], "");
  ASSERT_EQ(j["alerts"].size(), 1u);
  EXPECT_TRUE(j["alerts"][0]["incident"].is_null());
  EXPECT_TRUE(j["alerts_next"].is_null());
  d.alerts_next = 42;  // more member alerts follow
  EXPECT_EQ(IncidentDetailToJson(d)["alerts_next"], "42");
}

TEST(JsonCodecTest, Service) {
  Service s;
  s.id = "loom";
  s.name = "LOOM node";
  s.created_at = T("2026-11-27T10:45:33Z");
  s.settings.rate_limit_per_minute = 120;
  Json j = ServiceToJson(s);
  EXPECT_EQ(j["id"], "loom");
  EXPECT_EQ(j["name"], "LOOM node");
  EXPECT_EQ(j["created_at"], "2026-11-27T10:45:33.000Z");
  EXPECT_EQ(j["settings"]["rate_limit_per_minute"], 120);
  EXPECT_EQ(j["settings"]["auto_resolve"], false);
  EXPECT_EQ(j["settings"]["severity_map"]["critical"], "sev1");
  EXPECT_EQ(j["settings"]["severity_fallback"], "sev2");
  EXPECT_TRUE(j["settings"]["grouping"].is_null());
  s.settings.grouping = {std::chrono::minutes(30), {"service", "env"}};
  j = ServiceToJson(s);
  EXPECT_EQ(j["settings"]["grouping"],
            Json::parse(R"({"window_seconds":1800,"match_labels":["service","env"]})"));
}

TEST(JsonCodecTest, DumpNeverThrowsOnInvalidUtf8) {
  Json j = Json::object();
  j["x"] = std::string("bad \xff byte");
  std::string out;
  EXPECT_NO_THROW(out = DumpJson(j));
  EXPECT_NE(out.find("bad"), std::string::npos);
}

TEST(JsonCodecTest, SeverityPolicyShowsEachValueWithItsSource) {
  PolicyOverrides overrides;
  overrides.For(Severity::kSev2).page = false;
  overrides.For(Severity::kSev2).page_source = "config loom.yaml:5";
  auto policy = BuildSeverityPolicy(BuiltInRunbook(), kBuiltInRunbookName, overrides);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  Json j = SeverityPolicyToJson(*policy);
  EXPECT_EQ(j["runbook"], "built-in INCIDENT-RESPONSE-ONCALL.md");
  EXPECT_EQ(j["repeat"], 2);
  EXPECT_EQ(j["repeat_source"], "default");
  ASSERT_EQ(j["severities"].size(), 4u);

  const Json& s1 = j["severities"]["sev1"];
  EXPECT_EQ(s1["ack_target_seconds"], 300);
  EXPECT_EQ(s1["ack_target"], "5 minutes");
  EXPECT_EQ(s1["ack_basis"], "wall");
  EXPECT_EQ(s1["update_cadence_seconds"], 900);
  EXPECT_EQ(s1["update_cadence"], "Every 15 minutes");
  EXPECT_EQ(s1["update_async"], false);
  EXPECT_EQ(s1["page"], true);
  EXPECT_EQ(s1["sources"]["definition"], "built-in INCIDENT-RESPONSE-ONCALL.md:22");
  EXPECT_EQ(s1["sources"]["ack_target"], "built-in INCIDENT-RESPONSE-ONCALL.md:22");
  EXPECT_EQ(s1["sources"]["update_cadence"], "built-in INCIDENT-RESPONSE-ONCALL.md:22");
  EXPECT_EQ(s1["sources"]["page"], "built-in INCIDENT-RESPONSE-ONCALL.md:14");

  const Json& s2 = j["severities"]["sev2"];
  EXPECT_EQ(s2["page"], false);
  EXPECT_EQ(s2["sources"]["page"], "config loom.yaml:5");

  const Json& s3 = j["severities"]["sev3"];
  EXPECT_EQ(s3["ack_target_seconds"], 3600);
  EXPECT_EQ(s3["ack_basis"], "business_hours");
  EXPECT_EQ(s3["update_cadence_seconds"], 4 * 3600);

  const Json& s4 = j["severities"]["sev4"];
  EXPECT_EQ(s4["ack_target_seconds"], 86400);
  EXPECT_EQ(s4["ack_basis"], "business_days");
  EXPECT_EQ(s4["update_cadence"], "Daily/async");
  EXPECT_EQ(s4["update_async"], true);
  EXPECT_EQ(s4["page"], false);
  EXPECT_EQ(s4["sources"]["page"], "default");
}

}  // namespace
}  // namespace loom::http
