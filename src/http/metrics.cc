#include "http/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/severity.h"
#include "ingest/ingest_formats.h"

namespace loom::http {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buf[64];
  // Plain decimals read best for the usual magnitudes (bucket bounds, seconds); shortest
  // round-trip either way.
  const double magnitude = std::fabs(value);
  const auto format =
      magnitude >= 1e-6 && magnitude < 1e15 ? std::chars_format::fixed : std::chars_format::general;
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, format);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

void PrometheusWriter::Family(std::string_view name, std::string_view help, std::string_view type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += EscapeHelp(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusWriter::SampleStart(std::string_view name, Labels labels, std::string_view le) {
  out_ += name;
  if (labels.size() > 0 || !le.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      out_ += EscapeLabelValue(v);
      out_ += '"';
    }
    if (!le.empty()) {
      if (!first) out_ += ',';
      out_ += "le=\"";
      out_ += le;
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
}

void PrometheusWriter::Sample(std::string_view name, Labels labels, double value) {
  SampleStart(name, labels);
  out_ += FormatSampleValue(value);
  out_ += '\n';
}

void PrometheusWriter::Sample(std::string_view name, Labels labels, int64_t value) {
  SampleStart(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void PrometheusWriter::Histogram(std::string_view name, Labels extra,
                                 const std::vector<double>& bounds,
                                 const std::vector<int64_t>& counts, double sum) {
  std::string bucket = std::string(name) + "_bucket";
  int64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    std::string le = i < bounds.size() ? FormatSampleValue(bounds[i]) : "+Inf";
    SampleStart(bucket, extra, le);
    out_ += std::to_string(cumulative);
    out_ += '\n';
  }
  SampleStart(std::string(name) + "_sum", extra);
  out_ += FormatSampleValue(sum);
  out_ += '\n';
  SampleStart(std::string(name) + "_count", extra);
  out_ += std::to_string(cumulative);
  out_ += '\n';
}

const char* EventResultLabel(EventOutcome o) {
  switch (o) {
    case EventOutcome::kAccepted: return "accepted";
    case EventOutcome::kInvalid:
    case EventOutcome::kUnknownKey:
    case EventOutcome::kTooLarge: return "rejected";
    case EventOutcome::kThrottled: return "throttled";
    case EventOutcome::kUnavailable: return "unavailable";
    case EventOutcome::kInternal: return "error";
  }
  return "error";
}

const char* EventReasonLabel(EventOutcome o) {
  switch (o) {
    case EventOutcome::kAccepted: return "ok";
    case EventOutcome::kInvalid: return "invalid";
    case EventOutcome::kUnknownKey: return "unknown_key";
    case EventOutcome::kTooLarge: return "too_large";
    case EventOutcome::kThrottled: return "rate_limited";
    case EventOutcome::kUnavailable: return "store_unavailable";
    case EventOutcome::kInternal: return "internal";
  }
  return "internal";
}

Metrics::Metrics(std::vector<std::string> routes) : routes_(std::move(routes)) {
  routes_.push_back("unmatched");
  histograms_ = std::make_unique<RouteHistogram[]>(routes_.size());
  for (const IngestFormat* format : IngestFormats()) endpoints_.push_back(format->label);
  events_ = std::make_unique<std::atomic<int64_t>[]>(endpoints_.size() * kEventOutcomeCount);
}

int64_t Metrics::EventCount(std::string_view label, EventOutcome outcome) const {
  for (size_t e = 0; e < endpoints_.size(); ++e) {
    if (endpoints_[e] == label) return EventCount(e, outcome);
  }
  return 0;
}

void Metrics::ObserveRequest(int route_index, int64_t micros) {
  size_t slot = route_index >= 0 && static_cast<size_t>(route_index) + 1 < routes_.size()
                    ? static_cast<size_t>(route_index)
                    : routes_.size() - 1;
  const double seconds = static_cast<double>(micros) / 1e6;
  size_t b = 0;
  while (b < kLatencyBounds.size() && seconds > kLatencyBounds[b]) ++b;
  RouteHistogram& h = histograms_[slot];
  h.buckets[b].fetch_add(1, std::memory_order_relaxed);
  h.sum_micros.fetch_add(micros, std::memory_order_relaxed);
}

namespace {

// Cumulative bucket counts (le b1, le b2, ..., +Inf) to per-bucket ones, as PrometheusWriter takes.
template <size_t N>
std::vector<int64_t> PerBucket(const int64_t (&cumulative)[N]) {
  std::vector<int64_t> counts;
  int64_t previous = 0;
  for (int64_t c : cumulative) {
    counts.push_back(std::max<int64_t>(0, c - previous));
    previous = std::max(previous, c);
  }
  return counts;
}

}  // namespace

std::string Metrics::Render(const StoreStats* stats, bool store_writable,
                            const EngineStats* engine) const {
  PrometheusWriter w;

  w.Family("loom_oncall_events_total", "Ingest requests by endpoint and outcome.", "counter");
  for (size_t endpoint = 0; endpoint < endpoints_.size(); ++endpoint) {
    for (size_t o = 0; o < kEventOutcomeCount; ++o) {
      auto outcome = static_cast<EventOutcome>(o);
      w.Sample("loom_oncall_events_total",
               {{"endpoint", endpoints_[endpoint]},
                {"result", EventResultLabel(outcome)},
                {"reason", EventReasonLabel(outcome)}},
               EventCount(endpoint, outcome));
    }
  }

  w.Family("loom_oncall_http_request_duration_seconds",
           "Time from a request's header to its response, by route.", "histogram");
  const std::vector<double> latency_bounds(kLatencyBounds.begin(), kLatencyBounds.end());
  for (size_t r = 0; r < routes_.size(); ++r) {
    const RouteHistogram& h = histograms_[r];
    std::vector<int64_t> counts(h.buckets.size());
    int64_t total = 0;
    for (size_t b = 0; b < counts.size(); ++b) {
      counts[b] = h.buckets[b].load(std::memory_order_relaxed);
      total += counts[b];
    }
    // Routes never requested stay out of the exposition (a series may appear later).
    if (total == 0) continue;
    w.Histogram("loom_oncall_http_request_duration_seconds", {{"route", routes_[r]}},
                latency_bounds, counts,
                static_cast<double>(h.sum_micros.load(std::memory_order_relaxed)) / 1e6);
  }

  w.Family("loom_oncall_http_connections_open", "Open client connections.", "gauge");
  w.Sample("loom_oncall_http_connections_open", {}, connections_open());
  w.Family("loom_oncall_http_connections_shed_total",
           "Idle connections closed to make room for new ones.", "counter");
  w.Sample("loom_oncall_http_connections_shed_total", {}, connections_shed());

  w.Family("loom_oncall_store_writable", "1 while the store accepts writes.", "gauge");
  w.Sample("loom_oncall_store_writable", {}, static_cast<int64_t>(store_writable ? 1 : 0));

  if (stats != nullptr) {
    w.Family("loom_oncall_incidents_open", "Open incidents (triggered, acknowledged, mitigated).",
             "gauge");
    for (int s = 1; s <= 4; ++s) {
      w.Sample("loom_oncall_incidents_open", {{"severity", SeverityName(static_cast<Severity>(s))}},
               stats->open_incidents_by_severity[s - 1]);
    }
    w.Family("loom_oncall_outbox_depth", "Notifications waiting in the outbox.", "gauge");
    w.Sample("loom_oncall_outbox_depth", {}, stats->outbox_depth);
    w.Family("loom_oncall_deadlines_pending", "Scheduled future actions not yet fired.", "gauge");
    w.Sample("loom_oncall_deadlines_pending", {}, stats->pending_deadlines);
    w.Family("loom_oncall_writer_queue_depth", "Write commands queued for the store's writer.",
             "gauge");
    w.Sample("loom_oncall_writer_queue_depth", {}, stats->writer_queue_depth);
    w.Family("loom_oncall_writer_commits_total", "Group commits by the store's writer.", "counter");
    w.Sample("loom_oncall_writer_commits_total", {}, stats->commits);
    w.Family("loom_oncall_writer_commands_total", "Write commands committed by the store's writer.",
             "counter");
    w.Sample("loom_oncall_writer_commands_total", {}, stats->committed_commands);

    w.Family("loom_oncall_writer_batch_size", "Write commands per group commit.", "histogram");
    std::vector<double> bounds;
    for (int b = 1; b <= 1024; b *= 2) bounds.push_back(b);
    // The store reports cumulative bucket counts (le 1, 2, 4, ..., +Inf).
    std::vector<int64_t> counts = PerBucket(stats->batch_size_buckets);
    w.Histogram("loom_oncall_writer_batch_size", {}, bounds, counts,
                static_cast<double>(stats->batch_size_sum));
  }
  if (engine != nullptr) {
    w.Family("loom_oncall_deadlines_fired_total", "Deadlines fired by the escalation engine.",
             "counter");
    w.Sample("loom_oncall_deadlines_fired_total", {}, engine->fired);
    w.Family("loom_oncall_deadline_retries_total",
             "Firings the store refused (busy or failing), retried later.", "counter");
    w.Sample("loom_oncall_deadline_retries_total", {}, engine->retries);
    w.Family("loom_oncall_deadline_lateness_seconds",
             "How long after its due time a deadline fired (its commit).", "histogram");
    std::vector<double> bounds(std::begin(EngineStats::kBounds), std::end(EngineStats::kBounds));
    std::vector<int64_t> counts = PerBucket(engine->lateness_buckets);
    w.Histogram("loom_oncall_deadline_lateness_seconds", {}, bounds, counts,
                engine->lateness_sum_seconds);
    const DeliveryStats& d = engine->delivery;
    w.Family("loom_oncall_notifications_total",
             "Delivery attempts of the outbox workers, by outcome (a bundle counts once).",
             "counter");
    w.Sample("loom_oncall_notifications_total", {{"outcome", "delivered"}}, d.sent);
    w.Sample("loom_oncall_notifications_total", {{"outcome", "retry"}}, d.failed);
    w.Family("loom_oncall_notifications_dead_lettered_total",
             "Outbox rows dead-lettered (then the user's next contact method is tried).",
             "counter");
    w.Sample("loom_oncall_notifications_dead_lettered_total", {}, d.dead);
    w.Family("loom_oncall_notifications_bundled_total",
             "Outbox rows that went out inside a bundled message.", "counter");
    w.Sample("loom_oncall_notifications_bundled_total", {}, d.bundled);
    w.Family("loom_oncall_notifications_pending", "Outbox rows waiting to be sent or retried.",
             "gauge");
    w.Sample("loom_oncall_notifications_pending", {}, d.pending);
  }
  return w.Take();
}

std::string RenderHeartbeatMetrics(const std::vector<Heartbeat>& heartbeats, TimePoint now) {
  PrometheusWriter w;
  if (heartbeats.empty()) return {};
  w.Family("loom_oncall_heartbeat_seconds_since_ping",
           "Seconds since the heartbeat's last ping (heartbeats never pinged are left out).",
           "gauge");
  for (const Heartbeat& hb : heartbeats) {
    if (!hb.last_ping_at) continue;
    const double seconds = std::chrono::duration<double>(now - *hb.last_ping_at).count();
    w.Sample("loom_oncall_heartbeat_seconds_since_ping",
             {{"heartbeat", hb.id}, {"service", hb.service_id}}, std::max(0.0, seconds));
  }
  w.Family("loom_oncall_heartbeat_state",
           "1 for the state the heartbeat is in (inactive, healthy, expired, disabled), else 0.",
           "gauge");
  static constexpr const char* kStates[] = {"inactive", "healthy", "expired", "disabled"};
  for (const Heartbeat& hb : heartbeats) {
    const std::string_view state = hb.enabled ? HeartbeatStateName(hb.state) : "disabled";
    for (const char* s : kStates) {
      w.Sample("loom_oncall_heartbeat_state",
               {{"heartbeat", hb.id}, {"service", hb.service_id}, {"state", s}},
               static_cast<int64_t>(state == s ? 1 : 0));
    }
  }
  return w.Take();
}

}  // namespace loom::http
