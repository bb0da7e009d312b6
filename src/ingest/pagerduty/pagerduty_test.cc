#include "ingest/pagerduty/pagerduty.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <variant>

#include "common/time_format.h"

namespace loom {
namespace {

using nlohmann::json;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";

json Trigger() {
  return json{{"routing_key", kKey},
              {"event_action", "trigger"},
              {"dedup_key", "disk-full-1"},
              {"payload",
               {{"summary", "Disk full on db-1"},
                {"source", "db-1.example.com"},
                {"severity", "critical"}}}};
}

Result<PagerDutyEvent> Parse(const json& j) { return ParsePagerDutyEvent(j.dump()); }

// The field error for `pointer`, or "" (with a test failure listing all errors) when absent.
std::string DetailFor(const Error& e, const std::string& pointer) {
  for (const auto& f : e.fields) {
    if (f.pointer == pointer) return f.detail;
  }
  std::string all;
  for (const auto& f : e.fields) all += f.pointer + ": " + f.detail + "\n";
  ADD_FAILURE() << "no error for " << pointer << "; got:\n" << all;
  return "";
}

TimePoint At(const char* text) { return *ParseRfc3339(text); }

TEST(PagerDutyEvent, ValidTrigger) {
  auto r = Parse(Trigger());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->routing_key, kKey);
  const IngestRequest& req = r->request;
  EXPECT_EQ(req.format, "pagerduty");
  EXPECT_EQ(req.dedup_key, "disk-full-1");
  EXPECT_FALSE(req.dedup_key_generated);
  EXPECT_EQ(req.title, "Disk full on db-1");
  ASSERT_EQ(req.alerts.size(), 1u);
  const AlertUpdate& a = req.alerts[0];
  EXPECT_EQ(a.action, AlertAction::kTrigger);
  EXPECT_EQ(a.summary, "Disk full on db-1");
  EXPECT_EQ(a.source, "db-1.example.com");
  EXPECT_EQ(a.raw_severity, "critical");
  EXPECT_EQ(a.severity_override, "");
  EXPECT_EQ(a.kind, IncidentKind::kAvailability);
  EXPECT_FALSE(a.occurred_at.has_value());
  EXPECT_TRUE(a.fingerprint.empty());
  EXPECT_EQ(json::parse(a.details_json), json({{"payload", Trigger()["payload"]}}));
}

TEST(PagerDutyEvent, DetailsKeepClientLinksImagesAndPayload) {
  json j = Trigger();
  j["client"] = "Sample Monitoring Service";
  j["client_url"] = "https://monitoring.example.com";
  j["links"] = json::array({{{"href", "https://example.com/runbook"}, {"text", "Runbook"}}});
  j["images"] = json::array({{{"src", "https://example.com/graph.png"}, {"alt", "graph"}}});
  j["payload"]["component"] = "postgres";
  j["payload"]["group"] = "prod-datapipe";
  j["payload"]["class"] = "disk";
  j["payload"]["custom_details"] = {{"free space", "1%"}};
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  json details = json::parse(r->request.alerts[0].details_json);
  EXPECT_EQ(details["payload"], j["payload"]);
  EXPECT_EQ(details["client"], j["client"]);
  EXPECT_EQ(details["client_url"], j["client_url"]);
  EXPECT_EQ(details["links"], j["links"]);
  EXPECT_EQ(details["images"], j["images"]);
  EXPECT_FALSE(details.contains("routing_key"));  // never store the integration key
  // Compact: no whitespace between tokens.
  EXPECT_EQ(r->request.alerts[0].details_json.find(": "), std::string::npos);
}

TEST(PagerDutyEvent, TimestampAcceptsBothOffsetSpellings) {
  for (const char* ts : {"2026-11-27T10:45:33.123+0000", "2026-11-27T10:45:33.123+00:00",
                         "2026-11-27T10:45:33.123Z"}) {
    json j = Trigger();
    j["payload"]["timestamp"] = ts;
    auto r = Parse(j);
    ASSERT_TRUE(r.ok()) << ts << ": " << r.error().message;
    ASSERT_TRUE(r->request.alerts[0].occurred_at.has_value()) << ts;
    EXPECT_EQ(*r->request.alerts[0].occurred_at, At("2026-11-27T10:45:33.123Z")) << ts;
  }
  json j = Trigger();
  j["payload"]["timestamp"] = "2026-11-27T12:45:33+0200";
  auto r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->request.alerts[0].occurred_at, At("2026-11-27T10:45:33Z"));
}

TEST(PagerDutyEvent, InvalidTimestampIsAFieldError) {
  for (json ts : {json("yesterday"), json(12345), json("2026-13-45T99:00:00Z")}) {
    json j = Trigger();
    j["payload"]["timestamp"] = ts;
    auto r = Parse(j);
    ASSERT_FALSE(r.ok()) << ts;
    EXPECT_NE(DetailFor(r.error(), "/payload/timestamp").find("ISO 8601"), std::string::npos);
  }
}

TEST(PagerDutyEvent, TriggerWithoutDedupKeyGetsAGeneratedOne) {
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    json j = Trigger();
    if (i == 0) j.erase("dedup_key");
    if (i == 1) j["dedup_key"] = "";
    if (i == 2) j["dedup_key"] = nullptr;
    auto r = Parse(j);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const std::string& key = r->request.dedup_key;
    EXPECT_TRUE(r->request.dedup_key_generated);
    ASSERT_EQ(key.size(), 32u);
    EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(PagerDutyEvent, AcknowledgeAndResolveNeedOnlyTheDedupKey) {
  for (const char* action : {"acknowledge", "resolve"}) {
    json j = {{"routing_key", kKey}, {"event_action", action}, {"dedup_key", "disk-full-1"}};
    auto r = Parse(j);
    ASSERT_TRUE(r.ok()) << action << ": " << r.error().message;
    const IngestRequest& req = r->request;
    EXPECT_EQ(req.dedup_key, "disk-full-1");
    EXPECT_FALSE(req.dedup_key_generated);
    ASSERT_EQ(req.alerts.size(), 1u);
    EXPECT_EQ(req.alerts[0].action,
              std::string(action) == "resolve" ? AlertAction::kResolve : AlertAction::kAcknowledge);
    EXPECT_EQ(req.alerts[0].summary, "");
    EXPECT_EQ(req.title, "");
    EXPECT_EQ(req.alerts[0].details_json, "{}");
  }
}

TEST(PagerDutyEvent, ResolveWithPayloadLikeAlertmanagersSender) {
  // Alertmanager's PagerDuty integration sends the payload on resolve too.
  json j = Trigger();
  j["event_action"] = "resolve";
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->request.alerts[0].action, AlertAction::kResolve);
  EXPECT_EQ(r->request.alerts[0].summary, "Disk full on db-1");
}

TEST(PagerDutyEvent, AcknowledgeOrResolveWithoutDedupKeyIsInvalid) {
  for (const char* action : {"acknowledge", "resolve"}) {
    for (json key : {json(nullptr), json(""), json("   ")}) {
      json j = {{"routing_key", kKey}, {"event_action", action}};
      if (!key.is_null()) j["dedup_key"] = key;
      auto r = Parse(j);
      ASSERT_FALSE(r.ok()) << action;
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(DetailFor(r.error(), "/dedup_key"), "'dedup_key' is missing or blank");
      EXPECT_EQ(r.error().fields.size(), 1u);
    }
  }
}

TEST(PagerDutyEvent, DedupKeyLengthLimit) {
  json j = Trigger();
  j["dedup_key"] = std::string(255, 'k');
  EXPECT_TRUE(Parse(j).ok());
  j["dedup_key"] = std::string(256, 'k');
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/dedup_key"),
            "'dedup_key' is too long (must be at most 255 characters)");
  j["dedup_key"] = 42;
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/dedup_key"), "'dedup_key' must be a string");
}

TEST(PagerDutyEvent, RoutingKeyErrors) {
  json j = Trigger();
  j.erase("routing_key");
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/routing_key"), "'routing_key' is missing or blank");

  j["routing_key"] = "short";
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/routing_key"),
            "'routing_key' is invalid: it must be 32 characters (got 5)");

  j["routing_key"] = std::string(33, 'a');
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(DetailFor(r.error(), "/routing_key").find("must be 32 characters"), std::string::npos);

  j["routing_key"] = 12345;
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/routing_key"), "'routing_key' must be a string");
}

TEST(PagerDutyEvent, EventActionErrors) {
  json j = Trigger();
  j["event_action"] = "snooze";
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/event_action"),
            "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' "
            "or 'resolve')");
  EXPECT_EQ(r.error().fields.size(), 1u);

  j["event_action"] = "TRIGGER";  // PagerDuty's values are case-sensitive
  EXPECT_FALSE(Parse(j).ok());

  j.erase("event_action");
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/event_action"), "'event_action' is missing or blank");
}

TEST(PagerDutyEvent, TriggerPayloadRequiredFields) {
  json j = Trigger();
  j.erase("payload");
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/payload"), "'payload' is missing");

  j["payload"] = "not an object";
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/payload"), "'payload' must be a JSON object");

  // Every missing payload field is reported at once.
  j["payload"] = json::object();
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Event object is invalid");
  EXPECT_EQ(r.error().fields.size(), 3u);
  EXPECT_EQ(DetailFor(r.error(), "/payload/summary"), "'payload.summary' is missing or blank");
  EXPECT_EQ(DetailFor(r.error(), "/payload/source"), "'payload.source' is missing or blank");
  EXPECT_EQ(DetailFor(r.error(), "/payload/severity"), "'payload.severity' is missing or blank");

  j["payload"] = {{"summary", " "}, {"source", ""}, {"severity", "critical"}};
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.size(), 2u);
  DetailFor(r.error(), "/payload/summary");
  DetailFor(r.error(), "/payload/source");
}

TEST(PagerDutyEvent, EveryProblemIsReportedAtOnce) {
  json j = {{"routing_key", "abc"},
            {"event_action", "trigger"},
            {"dedup_key", std::string(300, 'x')},
            {"payload",
             {{"summary", std::string(1025, 's')},
              {"severity", "fatal"},
              {"timestamp", "noon"},
              {"custom_details", {{"kind", "cosmic"}}}}}};
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.size(), 7u);
  DetailFor(r.error(), "/routing_key");
  DetailFor(r.error(), "/dedup_key");
  EXPECT_EQ(DetailFor(r.error(), "/payload/summary"),
            "'payload.summary' is too long (must be at most 1024 characters)");
  DetailFor(r.error(), "/payload/source");
  EXPECT_EQ(DetailFor(r.error(), "/payload/severity"),
            "'payload.severity' is invalid (must be one of the following: 'critical', "
            "'warning', 'error' or 'info')");
  DetailFor(r.error(), "/payload/timestamp");
  EXPECT_EQ(DetailFor(r.error(), "/payload/custom_details/kind"),
            "'payload.custom_details.kind' is invalid (must be one of the following: "
            "'availability', 'security' or 'other')");
}

TEST(PagerDutyEvent, SummaryLimitCountsCharactersNotBytes) {
  json j = Trigger();
  std::string summary;
  for (int i = 0; i < 1024; ++i) summary += "\xc3\xa9";  // é, 2 bytes each
  j["payload"]["summary"] = summary;
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->request.title, summary);
  j["payload"]["summary"] = summary + "e";
  EXPECT_FALSE(Parse(j).ok());
}

TEST(PagerDutyEvent, EverySeverityWordIsAccepted) {
  for (const char* s : {"critical", "error", "warning", "info"}) {
    json j = Trigger();
    j["payload"]["severity"] = s;
    auto r = Parse(j);
    ASSERT_TRUE(r.ok()) << s;
    EXPECT_EQ(r->request.alerts[0].raw_severity, s);
  }
}

TEST(PagerDutyEvent, CustomDetailsMayBeAnyJson) {
  for (json details : {json("a string"), json(42), json::array({1, 2}), json(true),
                       json{{"nested", {{"deep", {1, 2, 3}}}}}}) {
    json j = Trigger();
    j["payload"]["custom_details"] = details;
    auto r = Parse(j);
    ASSERT_TRUE(r.ok()) << details << ": " << r.error().message;
    EXPECT_EQ(json::parse(r->request.alerts[0].details_json)["payload"]["custom_details"], details);
  }
}

TEST(PagerDutyEvent, LoomSeverityOverrideWinsInTheMapping) {
  json j = Trigger();
  j["payload"]["severity"] = "info";
  j["payload"]["custom_details"] = {{"loom_severity", "sev1"}};
  auto r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.alerts[0].severity_override, "sev1");
  ApplySeverityMapping(r->request, SeverityMapping{});
  EXPECT_EQ(r->request.alerts[0].severity, Severity::kSev1);

  // Without the override, info maps to sev4 by default.
  j["payload"]["custom_details"] = {{"loom_severity", 1}};  // not a string: ignored
  r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.alerts[0].severity_override, "");
  ApplySeverityMapping(r->request, SeverityMapping{});
  EXPECT_EQ(r->request.alerts[0].severity, Severity::kSev4);

  // A service mapping applies to the raw word.
  SeverityMapping mapping;
  mapping.by_word["info"] = Severity::kSev3;
  ApplySeverityMapping(r->request, mapping);
  EXPECT_EQ(r->request.alerts[0].severity, Severity::kSev3);
}

TEST(PagerDutyEvent, DefaultMappingOfEveryWord) {
  const std::pair<const char*, Severity> cases[] = {{"critical", Severity::kSev1},
                                                    {"error", Severity::kSev2},
                                                    {"warning", Severity::kSev3},
                                                    {"info", Severity::kSev4}};
  for (const auto& [word, sev] : cases) {
    json j = Trigger();
    j["payload"]["severity"] = word;
    auto r = Parse(j);
    ASSERT_TRUE(r.ok());
    ApplySeverityMapping(r->request, SeverityMapping{});
    EXPECT_EQ(r->request.alerts[0].severity, sev) << word;
  }
}

TEST(PagerDutyEvent, KindFromCustomDetails) {
  json j = Trigger();
  j["payload"]["custom_details"] = {{"kind", "security"}};
  auto r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.alerts[0].kind, IncidentKind::kSecurity);
  j["payload"]["custom_details"] = {{"kind", "other"}};
  r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request.alerts[0].kind, IncidentKind::kOther);
  j["payload"]["custom_details"] = {{"kind", 7}};
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  DetailFor(r.error(), "/payload/custom_details/kind");
}

TEST(PagerDutyEvent, UnknownFieldsAreIgnored) {
  json j = Trigger();
  j["future_field"] = {{"x", 1}};
  j["payload"]["another_one"] = "y";
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->request.title, "Disk full on db-1");
}

TEST(PagerDutyEvent, MalformedJsonIsOneError) {
  for (std::string body : {std::string("{\"routing_key\":"), std::string(""), std::string("nope"),
                           std::string("{\"a\":1} trailing"), std::string("{\"a\":\"\xff\"}")}) {
    auto r = ParsePagerDutyEvent(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "Event object is invalid");
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].detail, "Event object is not valid JSON");
  }
  for (std::string body : {"[]", "42", "\"text\"", "null"}) {
    auto r = ParsePagerDutyEvent(body);
    ASSERT_FALSE(r.ok()) << body;
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].detail, "Event object must be a JSON object");
  }
}

TEST(PagerDutyEvent, DeeplyNestedBodyIsRefusedNotACrash) {
  std::string body =
      R"({"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger",)"
      R"("payload":{"summary":"s","source":"s","severity":"info","custom_details":)";
  body += std::string(200000, '[') + std::string(200000, ']') + "}}";
  auto r = ParsePagerDutyEvent(body);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().fields.at(0).detail.find("deeper"), std::string::npos);
}

TEST(PagerDutyChange, ValidChange) {
  json j = {{"routing_key", kKey},
            {"payload",
             {{"summary", "Deployed v1.2.3"},
              {"source", "ci"},
              {"timestamp", "2026-11-27T10:00:00.000+0000"},
              {"custom_details", {{"build", 42}}}}},
            {"links", json::array({{{"href", "https://ci.example.com/42"}, {"text", "Build"}}})}};
  auto r = ParsePagerDutyChange(j.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->routing_key, kKey);
  EXPECT_EQ(r->event.summary, "Deployed v1.2.3");
  EXPECT_EQ(r->event.source, "ci");
  EXPECT_EQ(r->event.service_id, "");
  ASSERT_TRUE(r->event.occurred_at.has_value());
  EXPECT_EQ(*r->event.occurred_at, At("2026-11-27T10:00:00Z"));
  json details = json::parse(r->event.details_json);
  EXPECT_EQ(details["custom_details"], j["payload"]["custom_details"]);
  EXPECT_EQ(details["links"], j["links"]);
}

TEST(PagerDutyChange, OnlySummaryAndRoutingKeyAreRequired) {
  json j = {{"routing_key", kKey}, {"payload", {{"summary", "Feature flag flipped"}}}};
  auto r = ParsePagerDutyChange(j.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->event.source, "");
  EXPECT_FALSE(r->event.occurred_at.has_value());
  EXPECT_EQ(r->event.details_json, "{}");
}

TEST(PagerDutyChange, Errors) {
  auto r = ParsePagerDutyChange(R"({"payload":{}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.size(), 2u);
  DetailFor(r.error(), "/routing_key");
  EXPECT_EQ(DetailFor(r.error(), "/payload/summary"), "'payload.summary' is missing or blank");

  r = ParsePagerDutyChange(json{{"routing_key", kKey}}.dump());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/payload"), "'payload' is missing");

  r = ParsePagerDutyChange(
      json{{"routing_key", kKey}, {"payload", {{"summary", "x"}, {"timestamp", "soon"}}}}.dump());
  ASSERT_FALSE(r.ok());
  DetailFor(r.error(), "/payload/timestamp");

  r = ParsePagerDutyChange("{not json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.at(0).detail, "Event object is not valid JSON");
}

}  // namespace
// The success bodies, as PagerDuty words them.
TEST(PagerDutyAcceptedBody, EventCarriesTheDedupKey) {
  IngestOutcome out;
  out.dedup_key = "srv01/\"x\"";
  out.incident_number = 7;  // not part of PagerDuty's answer
  EXPECT_EQ(PagerDutyAcceptedBody(out),
            R"({"status":"success","message":"Event processed","dedup_key":"srv01/\"x\""})");
  EXPECT_EQ(kPagerDutyEventFormat.accepted_body(out), PagerDutyAcceptedBody(out));
}

TEST(PagerDutyAcceptedBody, ChangeEvent) {
  EXPECT_EQ(PagerDutyChangeAcceptedBody(IngestOutcome{}),
            R"({"status":"success","message":"Change event processed"})");
}

TEST(PagerDutyFormat, ParsesTheKeyFromTheBody) {
  json body = Trigger();
  auto parsed = kPagerDutyEventFormat.parse(body.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->routing_key, kKey);
  ASSERT_TRUE(std::holds_alternative<IngestRequest>(parsed->event));
  EXPECT_EQ(std::get<IngestRequest>(parsed->event).dedup_key, "disk-full-1");
  auto invalid = kPagerDutyChangeFormat.parse("{}");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace loom
