#include "ingest/generic/generic.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "ingest/json_input.h"

namespace loom {
namespace {

using nlohmann::json;

std::string DetailFor(const Error& e, const std::string& pointer) {
  for (const auto& f : e.fields) {
    if (f.pointer == pointer) return f.detail;
  }
  std::string all;
  for (const auto& f : e.fields) all += f.pointer + ": " + f.detail + "\n";
  ADD_FAILURE() << "no error for " << pointer << "; got:\n" << all;
  return "";
}

Result<IngestRequest> Parse(const json& j) { return ParseGenericEvent(j.dump()); }

TEST(GenericEvent, MinimalTrigger) {
  auto r = Parse({{"summary", "Backup failed"}, {"severity", "error"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->format, "generic");
  EXPECT_EQ(r->title, "Backup failed");
  EXPECT_TRUE(r->dedup_key_generated);
  EXPECT_EQ(r->dedup_key.size(), 32u);
  ASSERT_EQ(r->alerts.size(), 1u);
  EXPECT_EQ(r->alerts[0].action, AlertAction::kTrigger);
  EXPECT_EQ(r->alerts[0].raw_severity, "error");
  EXPECT_EQ(r->alerts[0].severity_override, "");
  EXPECT_EQ(r->alerts[0].kind, IncidentKind::kAvailability);
  ApplySeverityMapping(*r, SeverityMapping{});
  EXPECT_EQ(r->alerts[0].severity, Severity::kSev2);
}

TEST(GenericEvent, ALongSummaryIsCutTheDetailsKeepTheText) {
  const std::string long_text(200000, 'g');
  auto r = Parse({{"summary", long_text}, {"severity", "error"}, {"dedup_key", "long"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->title, ingest::CapTitle(long_text));
  EXPECT_EQ(ingest::Utf8Length(r->title), ingest::kMaxTitleLength);
  EXPECT_EQ(r->alerts[0].summary, r->title);
  EXPECT_EQ(json::parse(r->alerts[0].details_json)["summary"], long_text);
}

TEST(GenericEvent, FullEvent) {
  json j = {{"summary", "Intrusion suspected"}, {"severity", "critical"}, {"dedup_key", "ids-7"},
            {"source", "ids.example.com"},      {"kind", "security"},     {"action", "trigger"},
            {"details", {{"rule", 7}}},         {"unknown", true}};
  auto r = Parse(j);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dedup_key, "ids-7");
  EXPECT_FALSE(r->dedup_key_generated);
  EXPECT_EQ(r->alerts[0].source, "ids.example.com");
  EXPECT_EQ(r->alerts[0].kind, IncidentKind::kSecurity);
  EXPECT_EQ(json::parse(r->alerts[0].details_json), j);
}

TEST(GenericEvent, SevWordsAreOverrides) {
  for (const char* word : {"sev1", "SEV3"}) {
    auto r = Parse({{"summary", "x"}, {"severity", word}});
    ASSERT_TRUE(r.ok()) << word;
    EXPECT_EQ(r->alerts[0].raw_severity, "");
    ApplySeverityMapping(*r, SeverityMapping{});
    EXPECT_EQ(r->alerts[0].severity,
              std::string(word) == "sev1" ? Severity::kSev1 : Severity::kSev3);
  }
  auto r = Parse({{"summary", "x"}, {"severity", "Warning"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alerts[0].raw_severity, "warning");
}

TEST(GenericEvent, RequiredFieldsAndBadValues) {
  auto r = Parse(json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.size(), 2u);
  EXPECT_EQ(DetailFor(r.error(), "/summary"), "summary is missing or blank");
  EXPECT_EQ(DetailFor(r.error(), "/severity"), "severity is missing");

  r = Parse({{"summary", 5},
             {"severity", "sev9"},
             {"kind", "weird"},
             {"action", "escalate"},
             {"details", "text"},
             {"dedup_key", std::string(256, 'd')}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.size(), 6u);
  EXPECT_EQ(DetailFor(r.error(), "/summary"), "summary must be a string");
  DetailFor(r.error(), "/severity");
  DetailFor(r.error(), "/kind");
  DetailFor(r.error(), "/action");
  DetailFor(r.error(), "/details");
  DetailFor(r.error(), "/dedup_key");
}

TEST(GenericEvent, ResolveNeedsDedupKeyOnly) {
  auto r = Parse({{"action", "resolve"}, {"dedup_key", "k1"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->alerts[0].action, AlertAction::kResolve);
  EXPECT_EQ(r->dedup_key, "k1");

  r = Parse({{"action", "acknowledge"}, {"summary", "x"}, {"severity", "info"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(DetailFor(r.error(), "/dedup_key"), "dedup_key is required to acknowledge or resolve");
}

TEST(GenericEvent, MalformedJson) {
  auto r = ParseGenericEvent("{\"summary\": ");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].detail, "body is not valid JSON");
  r = ParseGenericEvent("[]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.at(0).detail, "body must be a JSON object");
}

}  // namespace
}  // namespace loom
