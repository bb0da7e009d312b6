#include "ingest/alertmanager/alertmanager.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/time_format.h"
#include "ingest/json_input.h"
#include "testing/temp_dir.h"

namespace loom {
namespace {

using nlohmann::json;

// The body of a recorded delivery ({"received_at", "headers", "body"}), as Alertmanager sent it.
json FixtureBody(const std::string& name) {
  json file = json::parse(testing::ReadFileOrDie(testing::TestDataPath("alertmanager/" + name)));
  return file.at("body");
}

TimePoint At(const char* text) { return *ParseRfc3339(text); }

std::string DetailFor(const Error& e, const std::string& pointer) {
  for (const auto& f : e.fields) {
    if (f.pointer == pointer) return f.detail;
  }
  std::string all;
  for (const auto& f : e.fields) all += f.pointer + ": " + f.detail + "\n";
  ADD_FAILURE() << "no error for " << pointer << "; got:\n" << all;
  return "";
}

json TwoAlerts() {
  return json::parse(R"({
    "version": "4", "groupKey": "{}:{service=\"loom\"}", "status": "firing",
    "receiver": "loom", "truncatedAlerts": 0, "externalURL": "http://am:9093",
    "groupLabels": {"service": "loom"}, "commonLabels": {"service": "loom", "alertname": "LoomDown"},
    "commonAnnotations": {},
    "alerts": [
      {"status": "firing", "labels": {"alertname": "LoomDown", "service": "loom", "instance": "a:1"},
       "annotations": {}, "startsAt": "2026-11-27T10:00:00.123456789Z",
       "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "aaaaaaaaaaaaaaaa"},
      {"status": "resolved", "labels": {"alertname": "LoomDown", "service": "loom"},
       "annotations": {}, "startsAt": "2026-11-27T09:00:00Z",
       "endsAt": "2026-11-27T09:30:00.5Z", "fingerprint": "bbbbbbbbbbbbbbbb"}
    ]})");
}

Result<IngestRequest> Parse(const json& j) { return ParseAlertmanagerWebhook(j.dump()); }

struct FixtureCase {
  const char* file;
  AlertAction action;
  const char* title;
  const char* fingerprint;
  const char* source;
  const char* occurred_at;
};

TEST(AlertmanagerWebhook, RealAlertmanager025Deliveries) {
  const FixtureCase cases[] = {
      {"am-webhook-LoomPersistenceFailures-firing.json", AlertAction::kTrigger,
       "LOOM persistence errors detected", "b37cc5695b00ef85", "127.0.0.1:18787",
       "2026-11-27T10:23:56.69Z"},
      {"am-webhook-LoomPersistenceFailures-resolved.json", AlertAction::kResolve,
       "LOOM persistence errors detected", "b37cc5695b00ef85", "127.0.0.1:18787",
       "2026-11-27T10:24:22.69Z"},
      {"am-webhook-LoomReadyProbeFailing-firing.json", AlertAction::kTrigger,
       "LOOM readiness probe failing", "832549e6473e21ca", "http://127.0.0.1:18787/ready",
       "2026-11-27T10:23:53.626Z"},
      {"am-webhook-LoomReadyProbeFailing-resolved.json", AlertAction::kResolve,
       "LOOM readiness probe failing", "832549e6473e21ca", "http://127.0.0.1:18787/ready",
       "2026-11-27T10:24:47.626Z"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    json body = FixtureBody(c.file);
    auto r = Parse(body);
    ASSERT_TRUE(r.ok()) << r.error().message;
    IngestRequest& req = *r;
    EXPECT_EQ(req.format, "alertmanager");
    EXPECT_EQ(req.dedup_key, body["groupKey"].get<std::string>());
    EXPECT_FALSE(req.dedup_key_generated);
    EXPECT_EQ(req.title, c.title);
    ASSERT_EQ(req.alerts.size(), 1u);
    const AlertUpdate& a = req.alerts[0];
    EXPECT_EQ(a.action, c.action);
    EXPECT_EQ(a.fingerprint, c.fingerprint);
    EXPECT_EQ(a.summary, c.title);
    EXPECT_EQ(a.source, c.source);
    EXPECT_EQ(a.raw_severity, "critical");
    EXPECT_EQ(a.severity_override, "");
    EXPECT_EQ(a.kind, IncidentKind::kAvailability);
    ASSERT_TRUE(a.occurred_at.has_value());
    EXPECT_EQ(*a.occurred_at, At(c.occurred_at));
    EXPECT_EQ(json::parse(a.details_json), body["alerts"][0]);
    ApplySeverityMapping(req, SeverityMapping{});
    EXPECT_EQ(req.alerts[0].severity, Severity::kSev1);
  }
}

TEST(AlertmanagerWebhook, FiringAndResolvedDeliveriesShareDedupKeyAndFingerprint) {
  auto firing = Parse(FixtureBody("am-webhook-LoomReadyProbeFailing-firing.json"));
  auto resolved = Parse(FixtureBody("am-webhook-LoomReadyProbeFailing-resolved.json"));
  ASSERT_TRUE(firing.ok() && resolved.ok());
  EXPECT_EQ(firing->dedup_key, resolved->dedup_key);
  EXPECT_EQ(firing->alerts[0].fingerprint, resolved->alerts[0].fingerprint);
}

TEST(AlertmanagerWebhook, NanosecondTimestampsAndZeroEndsAt) {
  auto r = Parse(TwoAlerts());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->alerts.size(), 2u);
  // Firing: startsAt, truncated to microseconds; the zero endsAt is not an error.
  EXPECT_EQ(*r->alerts[0].occurred_at, At("2026-11-27T10:00:00.123456Z"));
  // Resolved: endsAt.
  EXPECT_EQ(*r->alerts[1].occurred_at, At("2026-11-27T09:30:00.500Z"));
  EXPECT_EQ(r->alerts[0].action, AlertAction::kTrigger);
  EXPECT_EQ(r->alerts[1].action, AlertAction::kResolve);
}

// services[].grouping: the two LOOM alerts of one outage (different alertname, job and instance)
// share a group key under match_labels [service, env], not under [instance].
TEST(AlertmanagerWebhook, GroupKeysFollowTheMatchLabels) {
  auto group_key = [](const std::string& fixture, const AlertGrouping& grouping) {
    auto r = ParseAlertmanagerWebhook(FixtureBody(fixture).dump());
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return std::string("unparsed");
    ApplyAlertGrouping(*r, grouping);
    return r->alerts.at(0).group_key;
  };
  const std::string ready = "am-webhook-LoomReadyProbeFailing-firing.json";
  const std::string persist = "am-webhook-LoomPersistenceFailures-firing.json";
  AlertGrouping by_service{std::chrono::minutes(30), {"service", "env"}};
  EXPECT_FALSE(group_key(ready, by_service).empty());
  EXPECT_EQ(group_key(ready, by_service), group_key(persist, by_service));
  EXPECT_EQ(group_key(ready, by_service),
            group_key("am-webhook-LoomReadyProbeFailing-resolved.json", by_service));
  AlertGrouping by_instance{std::chrono::minutes(30), {"instance"}};
  EXPECT_NE(group_key(ready, by_instance), group_key(persist, by_instance));
  EXPECT_NE(group_key(ready, by_instance), group_key(ready, by_service));
  // A missing label, or grouping off: not grouped.
  EXPECT_EQ(group_key(ready, AlertGrouping{std::chrono::minutes(30), {"service", "cluster"}}), "");
  EXPECT_EQ(group_key(ready, AlertGrouping{}), "");
}

TEST(AlertmanagerWebhook, TitleFallsBackToAlertnameWithCount) {
  auto r = Parse(TwoAlerts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "LoomDown (2 alerts)");
  // Per-alert summary falls back to the alert name; source to instance, else externalURL.
  EXPECT_EQ(r->alerts[0].summary, "LoomDown");
  EXPECT_EQ(r->alerts[0].source, "a:1");
  EXPECT_EQ(r->alerts[1].source, "http://am:9093");
}

TEST(AlertmanagerWebhook, TitleOrder) {
  json j = TwoAlerts();
  j["alerts"][0]["annotations"]["summary"] = "first alert summary";
  auto r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "first alert summary");
  EXPECT_EQ(r->alerts[0].summary, "first alert summary");
  EXPECT_EQ(r->alerts[1].summary, "LoomDown");

  j["commonAnnotations"]["summary"] = "common summary";
  r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "common summary");

  json single = TwoAlerts();
  single["alerts"].erase(1);
  r = Parse(single);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "LoomDown");  // no count for one alert

  json bare = TwoAlerts();
  bare["commonLabels"] = json::object();
  r = Parse(bare);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "{}:{service=\"loom\"}");
}

TEST(AlertmanagerWebhook, LongTitlesAndSummariesAreCutTheDetailsKeepTheText) {
  const std::string long_text(200000, 's');
  json j = TwoAlerts();
  j["commonAnnotations"]["summary"] = long_text;
  j["alerts"][0]["annotations"]["summary"] = long_text;
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->title, ingest::CapTitle(long_text));
  EXPECT_EQ(ingest::Utf8Length(r->title), ingest::kMaxTitleLength);
  EXPECT_TRUE(
      r->title.ends_with("[cut: 200000 characters in all; the full text is in the "
                         "alert's details]"))
      << r->title.substr(r->title.size() - 100);
  EXPECT_EQ(r->alerts[0].summary, r->title);
  EXPECT_EQ(r->alerts[1].summary, "LoomDown");
  EXPECT_EQ(json::parse(r->alerts[0].details_json)["annotations"]["summary"], long_text);

  // The group key, when it is the title, too.
  json bare = TwoAlerts();
  bare["commonLabels"] = json::object();
  bare["groupKey"] = long_text;
  r = Parse(bare);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, ingest::CapTitle(long_text));
  EXPECT_EQ(r->dedup_key, long_text);
}

TEST(AlertmanagerWebhook, MissingFingerprintIsComputedFromSortedLabels) {
  json j = TwoAlerts();
  j["alerts"][0].erase("fingerprint");
  auto r1 = Parse(j);
  ASSERT_TRUE(r1.ok());
  const std::string fp = r1->alerts[0].fingerprint;
  ASSERT_EQ(fp.size(), 16u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);

  // Same labels in another textual order: same fingerprint.
  std::string reordered = j.dump();
  const std::string from = R"({"alertname":"LoomDown","instance":"a:1","service":"loom"})";
  const std::string to = R"({"service":"loom","instance":"a:1","alertname":"LoomDown"})";
  ASSERT_NE(reordered.find(from), std::string::npos);
  reordered.replace(reordered.find(from), from.size(), to);
  auto r2 = ParseAlertmanagerWebhook(reordered);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->alerts[0].fingerprint, fp);

  // Different labels: different fingerprint.
  j["alerts"][0]["labels"]["instance"] = "b:1";
  auto r3 = Parse(j);
  ASSERT_TRUE(r3.ok());
  EXPECT_NE(r3->alerts[0].fingerprint, fp);
}

TEST(AlertmanagerWebhook, LabelsDriveSeverityOverrideAndKind) {
  json j = TwoAlerts();
  j["alerts"][0]["labels"]["severity"] = "warning";
  j["alerts"][0]["labels"]["loom_severity"] = "sev1";
  j["alerts"][0]["labels"]["kind"] = "security";
  j["alerts"][1]["labels"]["kind"] = "not-a-kind";  // never rejected: Alertmanager drops on 4xx
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->alerts[0].raw_severity, "warning");
  EXPECT_EQ(r->alerts[0].severity_override, "sev1");
  EXPECT_EQ(r->alerts[0].kind, IncidentKind::kSecurity);
  EXPECT_EQ(r->alerts[1].kind, IncidentKind::kAvailability);
  ApplySeverityMapping(*r, SeverityMapping{});
  EXPECT_EQ(r->alerts[0].severity, Severity::kSev1);
  EXPECT_EQ(r->alerts[1].severity, Severity::kSev2);  // no severity label: the fallback
}

TEST(AlertmanagerWebhook, NonStringLabelValuesAreTolerated) {
  json j = TwoAlerts();
  j["alerts"][0]["labels"]["severity"] = 3;
  auto r = Parse(j);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alerts[0].raw_severity, "");
}

TEST(AlertmanagerWebhook, UnknownKeysAreIgnored) {
  json j = FixtureBody("am-webhook-LoomPersistenceFailures-firing.json");
  j["notification_reason"] = "new_alert";
  j["routeLabels"] = {{"service", "loom"}};
  j["alerts"][0]["some_future_field"] = {1, 2, 3};
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->alerts[0].fingerprint, "b37cc5695b00ef85");
}

TEST(AlertmanagerWebhook, VersionMustBe4) {
  json j = TwoAlerts();
  j["version"] = "3";
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(DetailFor(r.error(), "/version"), "version \"3\" is not supported; expected \"4\"");
  j.erase("version");
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  DetailFor(r.error(), "/version");
  j["version"] = 4;  // a number is not what Alertmanager sends
  EXPECT_FALSE(Parse(j).ok());
}

TEST(AlertmanagerWebhook, StructuralErrorsAreAllReported) {
  json j = TwoAlerts();
  j.erase("groupKey");
  j["alerts"][0]["status"] = "pending";
  j["alerts"][1].erase("labels");
  j["alerts"][1]["endsAt"] = "yesterday";
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.size(), 4u);
  DetailFor(r.error(), "/groupKey");
  EXPECT_EQ(DetailFor(r.error(), "/alerts/0/status"), "status must be \"firing\" or \"resolved\"");
  EXPECT_EQ(DetailFor(r.error(), "/alerts/1/labels"), "labels must be a JSON object");
  DetailFor(r.error(), "/alerts/1/endsAt");
}

TEST(AlertmanagerWebhook, ResolvedWithoutEndsAtUsesStartsAt) {
  json j = TwoAlerts();
  j["alerts"][1]["endsAt"] = "0001-01-01T00:00:00Z";
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r->alerts[1].occurred_at, At("2026-11-27T09:00:00Z"));
  j["alerts"][0]["startsAt"] = "not a time";
  r = Parse(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/alerts/0/startsAt"), "startsAt is not an RFC 3339 timestamp");
}

TEST(AlertmanagerWebhook, AlertsMustBeANonEmptyArray) {
  for (json alerts : {json(nullptr), json::array(), json("x"), json::object()}) {
    json j = TwoAlerts();
    j["alerts"] = alerts;
    auto r = Parse(j);
    ASSERT_FALSE(r.ok()) << alerts;
    EXPECT_EQ(DetailFor(r.error(), "/alerts"), "alerts must be a non-empty array");
  }
  json j = TwoAlerts();
  j["alerts"][1] = "not an alert";
  auto r = Parse(j);
  ASSERT_FALSE(r.ok());
  DetailFor(r.error(), "/alerts/1");
}

TEST(AlertmanagerWebhook, MalformedJson) {
  for (const char* body : {"", "{", "[1,2]", "{\"version\": \"4\",}"}) {
    auto r = ParseAlertmanagerWebhook(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().fields.size(), 1u);
  }
}

}  // namespace
}  // namespace loom
