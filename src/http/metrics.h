// The server's own metrics and their Prometheus text exposition (format 0.0.4, WIRE-FORMATS.md).
//
// Counters and histograms are fixed arrays of relaxed atomics indexed by small enums and route
// indexes, so recording on the request path is a few uncontended-ish atomic adds with no lock and
// no allocation. Rendering (GET /metrics) reads them without stopping writers: a scrape may see
// a histogram's buckets a few observations apart from its _count, which Prometheus tolerates.
//
// Thread safety: every method is safe from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/heartbeat.h"
#include "engine/escalation_engine.h"
#include "store/admin_store.h"

namespace loom::http {

// ---- Prometheus text format ----

// Label value escaping: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);
// HELP text escaping: backslash and newline.
std::string EscapeHelp(std::string_view text);
// A sample value: integers without a fraction, "NaN", "+Inf", "-Inf", else the shortest form.
std::string FormatSampleValue(double value);

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Builds an exposition: Family() once per metric family, then its samples.
class PrometheusWriter {
 public:
  // Writes "# HELP name help" and "# TYPE name type".
  void Family(std::string_view name, std::string_view help, std::string_view type);
  void Sample(std::string_view name, Labels labels, double value);
  void Sample(std::string_view name, Labels labels, int64_t value);
  // Histogram samples from per-bucket (non-cumulative) counts: `counts` has one entry per bound
  // plus a last one for +Inf. Writes cumulative _bucket lines, then _sum and _count.
  // `extra` labels come before `le`.
  void Histogram(std::string_view name, Labels extra, const std::vector<double>& bounds,
                 const std::vector<int64_t>& counts, double sum);
  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void SampleStart(std::string_view name, Labels labels, std::string_view le = {});
  std::string out_;
};

// ---- the server's metrics ----

// The outcome of one ingest request, rendered as the (result, reason) label pair.
enum class EventOutcome {
  kAccepted,     // accepted / ok
  kInvalid,      // rejected / invalid
  kUnknownKey,   // rejected / unknown_key
  kTooLarge,     // rejected / too_large
  kThrottled,    // throttled / rate_limited
  kUnavailable,  // unavailable / store_unavailable
  kInternal,     // error / internal
};
inline constexpr size_t kEventOutcomeCount = 7;
const char* EventResultLabel(EventOutcome o);
const char* EventReasonLabel(EventOutcome o);

// Upper bounds (seconds) of the request-duration histogram buckets; +Inf is implicit.
inline constexpr std::array<double, 14> kLatencyBounds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

class Metrics {
 public:
  // `routes` are the route labels (the router's patterns); index i in ObserveRequest is
  // routes[i]; -1 means no route matched ("unmatched"). The ingest endpoints are the entries of
  // ingest/ingest_formats.h: endpoint i is IngestFormats()[i], labelled with its `label`.
  explicit Metrics(std::vector<std::string> routes);

  // REQUIRES: endpoint < endpoint_count().
  void CountEvent(size_t endpoint, EventOutcome outcome) {
    events_[Index(endpoint, outcome)].fetch_add(1, std::memory_order_relaxed);
  }
  int64_t EventCount(size_t endpoint, EventOutcome outcome) const {
    return events_[Index(endpoint, outcome)].load(std::memory_order_relaxed);
  }
  // The count of the endpoint labelled `label` ("pagerduty"); 0 for a label no format has.
  int64_t EventCount(std::string_view label, EventOutcome outcome) const;
  size_t endpoint_count() const { return endpoints_.size(); }
  std::string_view endpoint_label(size_t endpoint) const { return endpoints_[endpoint]; }

  // Records one request's duration (from its header to its response) under route `route_index`.
  void ObserveRequest(int route_index, int64_t micros);

  void ConnectionOpened() { connections_open_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_open_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t connections_open() const { return connections_open_.load(std::memory_order_relaxed); }
  // An idle connection closed to make room for a new one (at the connection cap or out of file
  // descriptors).
  void ConnectionShed() { connections_shed_.fetch_add(1, std::memory_order_relaxed); }
  int64_t connections_shed() const { return connections_shed_.load(std::memory_order_relaxed); }

  // The whole exposition. `stats` is null when the store could not report; `store_writable`
  // is rendered as loom_oncall_store_writable 1/0; `engine` (null: left out) adds the escalation
  // engine's deadline figures.
  std::string Render(const StoreStats* stats, bool store_writable,
                     const EngineStats* engine = nullptr) const;

 private:
  static size_t Index(size_t endpoint, EventOutcome o) {
    return endpoint * kEventOutcomeCount + static_cast<size_t>(o);
  }
  struct RouteHistogram {
    std::array<std::atomic<int64_t>, kLatencyBounds.size() + 1> buckets{};  // last = +Inf
    std::atomic<int64_t> sum_micros{0};
  };

  std::vector<std::string> routes_;  // + "unmatched" at the end
  std::unique_ptr<RouteHistogram[]> histograms_;
  std::vector<std::string_view> endpoints_;         // the ingest formats' labels
  std::unique_ptr<std::atomic<int64_t>[]> events_;  // endpoint × outcome
  std::atomic<int64_t> connections_open_{0};
  std::atomic<int64_t> connections_shed_{0};
};

// The heartbeats' figures (docs/heartbeats.md), labelled by heartbeat and service:
// loom_oncall_heartbeat_seconds_since_ping (heartbeats pinged at least once) and
// loom_oncall_heartbeat_state (1 for the state it is in: inactive, healthy, expired or disabled,
// 0 for the others).
std::string RenderHeartbeatMetrics(const std::vector<Heartbeat>& heartbeats, TimePoint now);

}  // namespace loom::http
