#include "core/response_report.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

TEST(Percentile, NearestRank) {
  const std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(Percentile(ten, 50), 5);
  EXPECT_EQ(Percentile(ten, 90), 9);
  EXPECT_EQ(Percentile(ten, 99), 10);
  EXPECT_EQ(Percentile(ten, 100), 10);
  EXPECT_EQ(Percentile({42}, 50), 42);
  EXPECT_EQ(Percentile({42}, 99), 42);
  const std::vector<double> three = {10, 20, 300};
  EXPECT_EQ(Percentile(three, 50), 20);  // rank ceil(1.5) = 2
  EXPECT_EQ(Percentile(three, 90), 300);
}

ResponseSample Sample(Severity sev, const std::string& service, const std::string& responder,
                      std::optional<double> ack, std::optional<double> resolve, bool within) {
  ResponseSample s;
  s.incident.severity = sev;
  s.incident.service_id = service;
  s.responder = responder;
  s.ack_seconds = ack;
  s.resolve_seconds = resolve;
  s.ack_within_target = within;
  return s;
}

TEST(ResponseReport, GroupsBySeverityServiceAndResponder) {
  std::vector<ResponseSample> samples = {
      Sample(Severity::kSev1, "loom", "user:alice", 60, 600, true),
      Sample(Severity::kSev1, "loom", "user:bob", 400, 1200, false),
      Sample(Severity::kSev1, "db", "user:alice", 120, std::nullopt, true),
      Sample(Severity::kSev3, "db", "", std::nullopt, std::nullopt, false),
  };
  ResponseSample drill = Sample(Severity::kSev1, "loom", "user:carol", 1, 1, true);
  drill.incident.drill = true;
  samples.push_back(drill);

  ResponseReport r = BuildResponseReport(samples);
  EXPECT_EQ(r.incidents, 4) << "the drill is left out";
  const ResponseGroup& sev1 = r.by_severity.at("sev1");
  EXPECT_EQ(sev1.acknowledge.count, 3);
  EXPECT_EQ(sev1.acknowledge.p50, 120);
  EXPECT_EQ(sev1.acknowledge.p90, 400);
  EXPECT_EQ(sev1.acknowledge.max, 400);
  EXPECT_DOUBLE_EQ(*sev1.acknowledge.within_target_share, 2.0 / 3.0);
  EXPECT_EQ(sev1.resolve.count, 2);
  EXPECT_EQ(sev1.resolve.p50, 600);
  EXPECT_FALSE(sev1.resolve.within_target_share);

  const ResponseGroup& sev3 = r.by_severity.at("sev3");
  EXPECT_EQ(sev3.acknowledge.count, 0);
  EXPECT_FALSE(sev3.acknowledge.within_target_share) << "no acknowledgement: no share";

  EXPECT_EQ(r.by_service.at("db").acknowledge.count, 1);
  EXPECT_EQ(r.by_responder.at("user:alice").acknowledge.count, 2);
  EXPECT_EQ(r.by_responder.at("user:alice").acknowledge.p99, 120);
  EXPECT_EQ(r.by_responder.count(""), 0u);
  EXPECT_EQ(r.by_responder.count("user:carol"), 0u);
}

}  // namespace
}  // namespace loom
