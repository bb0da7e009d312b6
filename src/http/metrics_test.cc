#include "http/metrics.h"

#include <gtest/gtest.h>

#include <sstream>

namespace loom::http {
namespace {

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(PrometheusTextTest, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
}

TEST(PrometheusTextTest, FormatsValues) {
  EXPECT_EQ(FormatSampleValue(3), "3");
  EXPECT_EQ(FormatSampleValue(0.25), "0.25");
  EXPECT_EQ(FormatSampleValue(0.0005), "0.0005");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(PrometheusTextTest, FamilyAndSamples) {
  PrometheusWriter w;
  w.Family("x_total", "Things.\nMore", "counter");
  w.Sample("x_total", {{"a", "1"}, {"b", "q\"uote"}}, int64_t{5});
  w.Sample("x_total", {}, 1.5);
  EXPECT_EQ(w.text(),
            "# HELP x_total Things.\\nMore\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"1\",b=\"q\\\"uote\"} 5\n"
            "x_total 1.5\n");
}

TEST(PrometheusTextTest, HistogramIsCumulative) {
  PrometheusWriter w;
  w.Histogram("h", {{"route", "r"}}, {1, 2}, {3, 0, 2}, 7.5);
  EXPECT_EQ(w.text(),
            "h_bucket{route=\"r\",le=\"1\"} 3\n"
            "h_bucket{route=\"r\",le=\"2\"} 3\n"
            "h_bucket{route=\"r\",le=\"+Inf\"} 5\n"
            "h_sum{route=\"r\"} 7.5\n"
            "h_count{route=\"r\"} 5\n");
}

TEST(MetricsTest, RendersEventCountersWithAllLabels) {
  Metrics m({"POST /v2/enqueue"});
  // The endpoints are the ingest formats' entries, labelled as they are.
  size_t pagerduty = m.endpoint_count(), alertmanager = m.endpoint_count();
  for (size_t e = 0; e < m.endpoint_count(); ++e) {
    if (m.endpoint_label(e) == "pagerduty") pagerduty = e;
    if (m.endpoint_label(e) == "alertmanager") alertmanager = e;
  }
  ASSERT_LT(pagerduty, m.endpoint_count());
  ASSERT_LT(alertmanager, m.endpoint_count());
  m.CountEvent(pagerduty, EventOutcome::kAccepted);
  m.CountEvent(pagerduty, EventOutcome::kAccepted);
  m.CountEvent(alertmanager, EventOutcome::kUnavailable);
  EXPECT_EQ(m.EventCount(pagerduty, EventOutcome::kAccepted), 2);
  EXPECT_EQ(m.EventCount("pagerduty", EventOutcome::kAccepted), 2);
  EXPECT_EQ(m.EventCount("no-such-format", EventOutcome::kAccepted), 0);
  std::string text = m.Render(nullptr, true);
  EXPECT_TRUE(Contains(text, "# TYPE loom_oncall_events_total counter\n"));
  EXPECT_TRUE(Contains(
      text,
      "loom_oncall_events_total{endpoint=\"pagerduty\",result=\"accepted\",reason=\"ok\"} 2\n"));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_events_total{endpoint=\"alertmanager\",result=\"unavailable\","
                       "reason=\"store_unavailable\"} 1\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_store_writable 1\n"));
  // No store stats: no store families.
  EXPECT_FALSE(Contains(text, "loom_oncall_incidents_open"));
}

TEST(MetricsTest, RequestDurationHistogramByRoute) {
  Metrics m({"POST /v2/enqueue", "GET /health"});
  m.ObserveRequest(0, 300);          // 0.3 ms → le 0.0005
  m.ObserveRequest(0, 2'000);        // 2 ms → le 0.0025
  m.ObserveRequest(-1, 20'000'000);  // unmatched, 20 s → +Inf only
  std::string text = m.Render(nullptr, false);
  EXPECT_TRUE(Contains(text, "# TYPE loom_oncall_http_request_duration_seconds histogram\n"));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_http_request_duration_seconds_bucket{route=\"POST "
                       "/v2/enqueue\",le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_http_request_duration_seconds_bucket{route=\"POST "
                       "/v2/enqueue\",le=\"0.001\"} 1\n"));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_http_request_duration_seconds_bucket{route=\"POST "
                       "/v2/enqueue\",le=\"0.0025\"} 2\n"));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_http_request_duration_seconds_bucket{route=\"POST "
                       "/v2/enqueue\",le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(Contains(
      text, "loom_oncall_http_request_duration_seconds_sum{route=\"POST /v2/enqueue\"} 0.0023\n"));
  EXPECT_TRUE(Contains(
      text, "loom_oncall_http_request_duration_seconds_count{route=\"POST /v2/enqueue\"} 2\n"));
  EXPECT_TRUE(Contains(
      text, "loom_oncall_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"10\"} 0\n"));
  EXPECT_FALSE(Contains(text, "route=\"GET /health\""));
  EXPECT_TRUE(
      Contains(text, "loom_oncall_http_request_duration_seconds_count{route=\"unmatched\"} 1\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_store_writable 0\n"));
}

TEST(MetricsTest, StoreStats) {
  Metrics m({});
  StoreStats s;
  s.open_incidents_by_severity[0] = 3;
  s.open_incidents_by_severity[3] = 1;
  s.outbox_depth = 4;
  s.pending_deadlines = 5;
  s.writer_queue_depth = 6;
  s.commits = 3;
  s.committed_commands = 70;
  // Cumulative, as the store reports them: one commit of 1, two of 33..64.
  for (int i = 0; i < 12; ++i) s.batch_size_buckets[i] = i < 6 ? 1 : 3;
  s.batch_size_sum = 70;
  std::string text = m.Render(&s, true);
  EXPECT_TRUE(Contains(text, "loom_oncall_incidents_open{severity=\"sev1\"} 3\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_incidents_open{severity=\"sev2\"} 0\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_incidents_open{severity=\"sev4\"} 1\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_outbox_depth 4\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_deadlines_pending 5\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_queue_depth 6\n"));
  EXPECT_TRUE(Contains(text, "# TYPE loom_oncall_writer_batch_size histogram\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_batch_size_bucket{le=\"1\"} 1\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_batch_size_bucket{le=\"32\"} 1\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_batch_size_bucket{le=\"64\"} 3\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_batch_size_bucket{le=\"1024\"} 3\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_batch_size_bucket{le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_batch_size_sum 70\n"));
  EXPECT_TRUE(Contains(text, "loom_oncall_writer_batch_size_count 3\n"));
}

// Every family has HELP and TYPE once, before its first sample; the text ends with a newline.
TEST(MetricsTest, ExpositionIsWellFormed) {
  Metrics m({"GET /health"});
  StoreStats s;
  std::string text = m.Render(&s, true);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::istringstream in(text);
  std::string line;
  std::set<std::string> typed;
  while (std::getline(in, line)) {
    ASSERT_FALSE(line.empty());
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(typed.insert(name).second) << "TYPE twice for " << name;
      continue;
    }
    if (line[0] == '#') continue;
    std::string name = line.substr(0, line.find_first_of("{ "));
    bool known = typed.count(name) > 0;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (!known && name.size() > s.size() &&
          name.compare(name.size() - s.size(), s.size(), s) == 0) {
        known = typed.count(name.substr(0, name.size() - s.size())) > 0;
      }
    }
    EXPECT_TRUE(known) << "sample before its TYPE: " << line;
  }
}

TEST(MetricsTest, EngineFiguresAreRenderedWhenGiven) {
  Metrics m({"GET /health"});
  EngineStats e;
  e.fired = 7;
  e.retries = 1;
  e.lateness_buckets[0] = 5;  // cumulative: 5 within 1 ms
  for (size_t i = 1; i < std::size(e.lateness_buckets); ++i) e.lateness_buckets[i] = 7;
  e.lateness_sum_seconds = 0.012;
  e.delivery.sent = 3;
  e.delivery.failed = 2;
  e.delivery.dead = 1;
  e.delivery.pending = 4;
  std::string text = m.Render(nullptr, true, &e);
  EXPECT_TRUE(Contains(text, "loom_oncall_notifications_total{outcome=\"delivered\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_notifications_total{outcome=\"retry\"} 2\n")) << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_notifications_dead_lettered_total 1\n")) << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_notifications_pending 4\n")) << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_deadlines_fired_total 7\n")) << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_deadline_retries_total 1\n")) << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_deadline_lateness_seconds_bucket{le=\"0.001\"} 5\n"))
      << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_deadline_lateness_seconds_bucket{le=\"+Inf\"} 7\n"))
      << text;
  EXPECT_TRUE(Contains(text, "loom_oncall_deadline_lateness_seconds_count 7\n")) << text;
  EXPECT_FALSE(Contains(m.Render(nullptr, true), "loom_oncall_deadlines_fired_total"));
}

TEST(MetricsTest, HeartbeatsSecondsSincePingAndState) {
  const TimePoint now = FromUnixMicros(1'800'000'000'000'000);
  Heartbeat pinged;
  pinged.id = "nightly-backup";
  pinged.service_id = "loom";
  pinged.state = HeartbeatState::kExpired;
  pinged.last_ping_at = now - std::chrono::milliseconds(90'500);
  Heartbeat never;
  never.id = "cron";
  never.service_id = "loom";
  Heartbeat off = pinged;
  off.id = "off";
  off.enabled = false;
  const std::string text = RenderHeartbeatMetrics({pinged, never, off}, now);
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_heartbeat_seconds_since_ping{heartbeat=\"nightly-backup\","
                       "service=\"loom\"} 90.5\n"))
      << text;
  EXPECT_FALSE(Contains(text, "seconds_since_ping{heartbeat=\"cron\""));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_heartbeat_state{heartbeat=\"nightly-backup\",service=\"loom\","
                       "state=\"expired\"} 1\n"))
      << text;
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_heartbeat_state{heartbeat=\"nightly-backup\",service=\"loom\","
                       "state=\"healthy\"} 0\n"));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_heartbeat_state{heartbeat=\"cron\",service=\"loom\","
                       "state=\"inactive\"} 1\n"));
  EXPECT_TRUE(Contains(text,
                       "loom_oncall_heartbeat_state{heartbeat=\"off\",service=\"loom\","
                       "state=\"disabled\"} 1\n"));
  EXPECT_EQ(RenderHeartbeatMetrics({}, now), "");
}

}  // namespace
}  // namespace loom::http
