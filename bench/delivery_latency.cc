// loom-bench-delivery-latency: how fast pages reach a webhook, end to end, through the real server.
//
// The program runs its own HTTP sink (127.0.0.1, port 0: answers 200 at once, records when each
// page arrived and which incidents it covers), writes a configuration in which one user per
// service is the primary on call with a single webhook contact method pointing at the sink
// (`notify: { allow_hosts: [127.0.0.1], bundle_window: 0s }`), starts the real
// `loom-oncall serve` in a temporary data directory and reads its "listening on" line. Then:
//
// 1. Latency (idle server): --requests sequential PagerDuty v2 triggers (POST /v2/enqueue, a new
//    dedup_key each, severity critical = Sev1, which pages the primary at once) on one keep-alive
//    connection. After each 202 the program waits for that incident's page at the sink before
//    sending the next trigger. Reported: the time from reading the 202 to the page's arrival
//    (negative when the page arrived first: the page is sent as soon as the transaction commits,
//    in parallel with the 202), and from sending the trigger to the page's arrival.
// 2. Throughput: --connections keep-alive connections send new Sev1 triggers as fast as they are
//    answered for --duration (after --warmup). Reported: events/s answered 202 and pages/s
//    arriving at the sink in the measured window, then, once the outbox has drained, incidents
//    created vs pages received (each must arrive exactly once), bundled messages, and how long
//    each page took after its 202.
//
// Each incident is recognised at the sink by a token at the start of its title (the trigger's
// payload.summary). A message may cover several incidents (a bundle); with bundle_window 0 the
// server sends one message per page (before issue 16 it bundled what fell due while a message
// to the same destination was in flight), which the "bundled" figures show.
//
// Usage:
//   loom-bench-delivery-latency [--server PATH] [--mode both|latency|throughput]
//       [--requests 2000] [--warmup-requests 50] [--connections 64] [--duration 10s]
//       [--warmup 1s] [--services 1] [--workers 4] [--drain-timeout 60s] [--keep] [--json]
// --server defaults to loom-oncall beside this program. Exit code: 0 after a run in which every
// incident's page arrived exactly once, 3 when pages were missing or duplicated, 2 for bad flags,
// 1 when the server or the sink cannot start.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "support/flags.h"
#include "support/server_process.h"
#include "support/stats.h"
#include "support/webhook_sink.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
namespace bench = loom::bench;
using bench::PhaseOf;
using bench::ServerProcess;
using bench::Sink;
using bench::SinkRecord;
using tcp = asio::ip::tcp;
using Steady = std::chrono::steady_clock;
using Json = nlohmann::json;

// ------------------------------------------------------------------------------------------------
// Flags

struct Flags {
  std::string server;
  std::string mode = "both";
  int requests = 2000;
  int warmup_requests = 50;
  int connections = 64;
  double duration_s = 10;
  double warmup_s = 1;
  int services = 1;
  int workers = 4;
  double drain_timeout_s = 60;
  bool keep = false;
  bool json = false;
};

const bench::FlagParser& Parser() {
  static const bench::FlagParser parser(
      "loom-bench-delivery-latency",
      "usage: loom-bench-delivery-latency [--server PATH] [--mode both|latency|throughput]\n"
      "         [--requests N] [--warmup-requests N] [--connections N] [--duration 10s]\n"
      "         [--warmup 1s] [--services N] [--workers N] [--drain-timeout 60s]\n"
      "         [--keep] [--json]\n");
  return parser;
}

[[noreturn]] void Usage(const std::string& error) { Parser().Fail(error); }

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  f.server = (fs::path(argv[0]).parent_path() / "loom-oncall").string();
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--json") {
      f.json = true;
      continue;
    }
    if (flag == "--keep") {
      f.keep = true;
      continue;
    }
    if (flag == "--help" || flag == "-h") Usage("help");
    if (i + 1 >= argc) Usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--server") {
      f.server = value;
    } else if (flag == "--mode") {
      if (value != "both" && value != "latency" && value != "throughput") {
        Usage("--mode is both, latency or throughput");
      }
      f.mode = value;
    } else if (flag == "--requests") {
      f.requests = static_cast<int>(Parser().Count(flag, value, 1, 1000000));
    } else if (flag == "--warmup-requests") {
      f.warmup_requests = static_cast<int>(Parser().Count(flag, value, 0, 1000000));
    } else if (flag == "--connections") {
      f.connections = static_cast<int>(Parser().Count(flag, value, 1, 1000000));
    } else if (flag == "--duration") {
      f.duration_s = Parser().Seconds(flag, value);
    } else if (flag == "--warmup") {
      f.warmup_s = Parser().Seconds(flag, value);
    } else if (flag == "--services") {
      f.services = static_cast<int>(Parser().Count(flag, value, 1, 1000000));
    } else if (flag == "--workers") {
      f.workers = static_cast<int>(Parser().Count(flag, value, 1, 1000000));
    } else if (flag == "--drain-timeout") {
      f.drain_timeout_s = Parser().Seconds(flag, value);
    } else {
      Usage("unknown flag " + flag);
    }
  }
  return f;
}

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

Json Summary(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
  // How many exceed the 5 ms target (for the latency figures).
  const auto over_5ms = ms.end() - std::upper_bound(ms.begin(), ms.end(), 5.0);
  return {{"count", ms.size()},
          {"p50", round3(bench::Percentile(ms, 0.50))},
          {"p90", round3(bench::Percentile(ms, 0.90))},
          {"p99", round3(bench::Percentile(ms, 0.99))},
          {"p99_9", round3(bench::Percentile(ms, 0.999))},
          {"over_5ms", over_5ms},
          {"max", round3(ms.empty() ? 0 : ms.back())},
          {"mean", round3(ms.empty() ? 0 : sum / static_cast<double>(ms.size()))}};
}

std::string SummaryLine(const Json& s) {
  char line[240];
  std::snprintf(line, sizeof line,
                "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f ms (n=%lld, %lld "
                "over 5 ms)",
                s["p50"].get<double>(), s["p90"].get<double>(), s["p99"].get<double>(),
                s["p99_9"].get<double>(), s["max"].get<double>(), s["mean"].get<double>(),
                s["count"].get<long long>(), s["over_5ms"].get<long long>());
  return line;
}

// ------------------------------------------------------------------------------------------------
// The server under test

struct Service {
  std::string id;
  std::string key;
};

// One service per user; user i is the only participant of the primary schedule of service i and
// has one webhook contact method, http://127.0.0.1:<sink>/u<i> (one destination each).
void WriteConfig(const fs::path& file, uint16_t sink_port, const Flags& flags,
                 std::vector<Service>* services) {
  std::ostringstream y;
  y << "# Written by loom-bench-delivery-latency\nservices:\n";
  for (int i = 0; i < flags.services; ++i) {
    Service s{i == 0 ? "loom" : "loom-" + std::to_string(i), bench::RandomHex(32)};
    y << "  - id: " << s.id << "\n    name: Bench service " << i
      << "\n    integration_keys:\n      - key: \"" << s.key << "\"\n    roles: { primary: prim-"
      << i << " }\n";
    services->push_back(std::move(s));
  }
  // A long ack target: no second step (page the secondary) falls due during a run.
  y << "policy:\n  severities:\n    sev1: { ack_target: 1h }\n  repeat: 0\nusers:\n";
  for (int i = 0; i < flags.services; ++i) {
    y << "  - id: u" << i << "\n    name: Bench User " << i
      << "\n    contact_methods:\n      - { id: hook, type: webhook, url: \"http://127.0.0.1:"
      << sink_port << "/u" << i << "\", secret_env: LOOM_BENCH_HOOK_SECRET }\n";
  }
  y << "schedules:\n";
  for (int i = 0; i < flags.services; ++i) {
    y << "  - { id: prim-" << i << ", layers: [ { participants: [u" << i
      << "], shift: 1w, start: 2026-01-05 } ] }\n";
  }
  y << "notify:\n  allow_hosts: [127.0.0.1]\n  bundle_window: 0s\n  workers: " << flags.workers
    << "\n";
  std::ofstream out(file);
  out << y.str();
}

// ------------------------------------------------------------------------------------------------
// Triggers

// A PagerDuty v2 trigger whose summary (the incident's title) starts with `token`.
std::string TriggerBody(const std::string& routing_key, const std::string& token) {
  Json j = {{"routing_key", routing_key},
            {"event_action", "trigger"},
            {"dedup_key", token},
            {"payload",
             {{"summary", token + " LOOM readiness probe failing on loom-node-3"},
              {"source", "loom-node-3.bench.internal"},
              {"severity", "critical"},
              {"component", "ready-probe"},
              {"group", "loom-bench"},
              {"class", "availability"},
              {"custom_details", {{"probe", "/ready"}, {"status", 503}}}}},
            {"client", "loom-bench"}};
  return j.dump();
}

http::request<http::string_body> EnqueueRequest(uint16_t port, std::string body) {
  http::request<http::string_body> r{http::verb::post, "/v2/enqueue", 11};
  r.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  r.set(http::field::content_type, "application/json");
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

// ------------------------------------------------------------------------------------------------
// 1. Latency

Json MeasureLatency(const Flags& flags, uint16_t port, const Service& service, Sink& sink,
                    const std::string& run) {
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {{"error", "cannot connect: " + ec.message()}};
  socket.set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  std::vector<double> after_202, after_send, enqueue;
  int64_t non_202 = 0, missing = 0, page_first = 0;
  const int total = flags.warmup_requests + flags.requests;
  for (int i = 0; i < total; ++i) {
    const std::string token = run + "-l" + std::to_string(i);
    auto request = EnqueueRequest(port, TriggerBody(service.key, token));
    const Steady::time_point sent = Steady::now();
    http::write(socket, request, ec);
    http::response<http::string_body> response;
    if (!ec) http::read(socket, buffer, response, ec);
    const Steady::time_point accepted = Steady::now();
    if (ec) return {{"error", "enqueue: " + ec.message()}};
    if (response.result_int() != 202) {
      ++non_202;
      continue;
    }
    const std::optional<Steady::time_point> arrived = sink.WaitFor(token, std::chrono::seconds(10));
    if (!arrived) {
      // A page that does not come in 10 s is not late but lost (dead-lettered, undeliverable):
      // the outbox table in the kept data directory (--keep) says why.
      if (++missing >= 3) return {{"error", "3 pages did not arrive within 10 s"}};
      continue;
    }
    if (i < flags.warmup_requests) continue;
    after_202.push_back(Ms(*arrived - accepted));
    after_send.push_back(Ms(*arrived - sent));
    enqueue.push_back(Ms(accepted - sent));
    if (*arrived < accepted) ++page_first;
  }
  return {{"requests", flags.requests},
          {"warmup_requests", flags.warmup_requests},
          {"non_202", non_202},
          {"missing_pages", missing},
          {"pages_before_202", page_first},
          {"from_202_ms", Summary(after_202)},
          {"from_send_ms", Summary(after_send)},
          {"enqueue_ms", Summary(enqueue)}};
}

// ------------------------------------------------------------------------------------------------
// 2. Throughput

struct LoadState {
  std::atomic<bool> stop{false};
  uint16_t port = 0;
  std::string run;  // "<run id>-t": the phase of every token
  const std::vector<Service>* services = nullptr;
  std::mutex mu;
  std::vector<std::pair<std::string, Steady::time_point>> accepted;  // GUARDED_BY(mu)
  std::atomic<int64_t> non_202{0}, errors{0};
};

// One keep-alive connection with one trigger in flight at a time.
class LoadClient : public std::enable_shared_from_this<LoadClient> {
 public:
  LoadClient(asio::io_context& io, LoadState& state, int id)
      : stream_(io), state_(state), id_(id) {}

  void Start() {
    stream_.expires_after(std::chrono::seconds(10));
    stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), state_.port),
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) {
                              self->state_.errors++;
                              return;
                            }
                            self->stream_.socket().set_option(tcp::no_delay(true));
                            self->Send();
                          });
  }

 private:
  void Send() {
    if (state_.stop.load()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    const Service& service = (*state_.services)[static_cast<size_t>(id_) % state_.services->size()];
    token_ = state_.run + std::to_string(id_) + "-" + std::to_string(seq_++);
    request_ = EnqueueRequest(state_.port, TriggerBody(service.key, token_));
    stream_.expires_after(std::chrono::seconds(10));
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Failed();
      self->response_ = {};
      http::async_read(self->stream_, self->buffer_, self->response_,
                       [self](beast::error_code ec2, size_t) {
                         if (ec2) return self->Failed();
                         self->OnResponse();
                       });
    });
  }

  void OnResponse() {
    const Steady::time_point now = Steady::now();
    if (response_.result_int() == 202) {
      std::lock_guard lock(state_.mu);
      state_.accepted.emplace_back(token_, now);
    } else {
      state_.non_202++;
    }
    Send();
  }

  // A failed request may still have been committed: its page then arrives unexpected.
  void Failed() { state_.errors++; }

  beast::tcp_stream stream_;
  LoadState& state_;
  int id_;
  uint64_t seq_ = 0;
  std::string token_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

Json MeasureThroughput(const Flags& flags, uint16_t port, const std::vector<Service>& services,
                       Sink& sink, const std::string& run) {
  LoadState state;
  state.port = port;
  state.run = run + "-t";
  state.services = &services;
  asio::io_context io(1);
  for (int c = 0; c < flags.connections; ++c) {
    std::make_shared<LoadClient>(io, state, c)->Start();
  }
  const Steady::time_point begin = Steady::now();
  const auto to_duration = [](double s) {
    return std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(s));
  };
  const Steady::time_point measure_from = begin + to_duration(flags.warmup_s);
  const Steady::time_point measure_to = measure_from + to_duration(flags.duration_s);
  asio::steady_timer stop_timer(io, measure_to);
  stop_timer.async_wait([&state](boost::system::error_code) { state.stop.store(true); });
  io.run();  // returns when every client has finished its last request
  const Steady::time_point load_end = Steady::now();

  std::vector<std::pair<std::string, Steady::time_point>> accepted;
  {
    std::lock_guard lock(state.mu);
    accepted = state.accepted;
  }
  sink.WaitForCount(state.run, static_cast<int64_t>(accepted.size()),
                    to_duration(flags.drain_timeout_s));
  SinkRecord record = sink.Snapshot();

  int64_t accepted_in_window = 0, missing = 0;
  std::vector<double> after_202;
  Steady::time_point last_arrival = load_end;
  std::set<std::string> expected;
  for (const auto& [token, at] : accepted) {
    expected.insert(token);
    if (at >= measure_from && at < measure_to) ++accepted_in_window;
    auto it = record.first_arrival.find(token);
    if (it == record.first_arrival.end()) {
      ++missing;
      continue;
    }
    after_202.push_back(Ms(it->second - at));
    last_arrival = std::max(last_arrival, it->second);
  }
  int64_t pages_received = 0, pages_in_window = 0, unexpected = 0;
  for (const auto& [token, at] : record.first_arrival) {
    if (PhaseOf(token) != state.run) continue;
    ++pages_received;
    if (at >= measure_from && at < measure_to) ++pages_in_window;
    if (expected.count(token) == 0) ++unexpected;
  }
  int64_t messages = 0, messages_in_window = 0, bundled_messages = 0, largest_bundle = 0;
  for (const auto& [at, incidents] : record.messages) {
    if (at < begin) continue;  // the latency phase
    ++messages;
    if (at >= measure_from && at < measure_to) ++messages_in_window;
    if (incidents > 1) ++bundled_messages;
    largest_bundle = std::max<int64_t>(largest_bundle, incidents);
  }
  const double window_s = flags.duration_s;
  auto rate = [window_s](int64_t n) {
    return window_s > 0 ? std::round(static_cast<double>(n) / window_s * 10) / 10 : 0.0;
  };
  return {{"connections", flags.connections},
          {"services", flags.services},
          {"warmup_s", flags.warmup_s},
          {"duration_s", flags.duration_s},
          {"events_per_s", rate(accepted_in_window)},
          {"pages_per_s", rate(pages_in_window)},
          {"messages_per_s", rate(messages_in_window)},
          {"incidents_created", accepted.size()},
          {"pages_received", pages_received},
          {"missing_pages", missing},
          {"unexpected_pages", unexpected},
          {"duplicate_pages", record.duplicate_pages},
          {"repeated_webhook_ids", record.repeated_ids},
          {"messages", messages},
          {"bundled_messages", bundled_messages},
          {"largest_bundle", largest_bundle},
          {"drain_ms", std::round(Ms(last_arrival - load_end) * 10) / 10},
          {"non_202", state.non_202.load()},
          {"errors", state.errors.load()},
          {"page_after_202_ms", Summary(after_202)}};
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  if (access(flags.server.c_str(), X_OK) != 0) {
    std::cerr << "loom-bench-delivery-latency: " << flags.server
              << " is not an executable (--server PATH)\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  char dir_template[] = "/tmp/loom-bench-delivery.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path dir = dir_template;

  Sink sink;
  const uint16_t sink_port = sink.Start();
  if (sink_port == 0) return 1;
  std::vector<Service> services;
  WriteConfig(dir / "loom-oncall.yaml", sink_port, flags, &services);
  ServerProcess server("loom-bench-delivery-latency");
  // The webhook channel refuses to send unsigned: every contact method has a secret (the sink
  // does not verify it).
  const uint16_t port =
      server.Start(flags.server, dir / "loom-oncall.yaml", dir,
                   {{"LOOM_BENCH_HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}});
  if (port == 0) return 1;
  const std::string run = "b" + bench::RandomHex(6);

  Json report = {{"server", flags.server}, {"sink_port", sink_port}, {"port", port}};
  if (flags.mode != "throughput") {
    report["latency"] = MeasureLatency(flags, port, services.front(), sink, run);
  }
  if (flags.mode != "latency") {
    report["throughput"] = MeasureThroughput(flags, port, services, sink, run);
  }
  report["server_exit"] = server.Stop();
  sink.Stop();
  const SinkRecord record = sink.Snapshot();
  report["sink"] = {{"messages", record.messages.size()},
                    {"types", record.types},
                    {"bad_bodies", record.bad_bodies},
                    {"repeated_webhook_ids", record.repeated_ids},
                    {"duplicate_pages", record.duplicate_pages}};
  if (!flags.keep) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  } else {
    report["dir"] = dir.string();
  }

  bool complete = record.duplicate_pages == 0;
  for (const char* phase : {"latency", "throughput"}) {
    if (!report.contains(phase)) continue;
    const Json& p = report[phase];
    if (p.contains("error") || p.value("missing_pages", 0) != 0 ||
        p.value("unexpected_pages", 0) != 0) {
      complete = false;
    }
  }

  if (flags.json) {
    std::cout << report.dump() << "\n";
    return complete ? 0 : 3;
  }
  std::printf("server        %s (127.0.0.1:%u), sink 127.0.0.1:%u\n", flags.server.c_str(), port,
              sink_port);
  if (report.contains("latency")) {
    const Json& l = report["latency"];
    if (l.contains("error")) {
      std::printf("latency       error: %s\n", l["error"].get<std::string>().c_str());
    } else {
      std::printf("latency       %d sequential Sev1 triggers (after %d warm-up), one connection\n",
                  flags.requests, flags.warmup_requests);
      std::printf("  202 → page    %s\n", SummaryLine(l["from_202_ms"]).c_str());
      std::printf("  send → page   %s\n", SummaryLine(l["from_send_ms"]).c_str());
      std::printf("  send → 202    %s\n", SummaryLine(l["enqueue_ms"]).c_str());
      std::printf("  pages before their 202: %lld; non-202: %lld; pages missing: %lld\n",
                  l["pages_before_202"].get<long long>(), l["non_202"].get<long long>(),
                  l["missing_pages"].get<long long>());
    }
  }
  if (report.contains("throughput")) {
    const Json& t = report["throughput"];
    std::printf(
        "throughput    %d connections, %d service(s)/destination(s), %.1f s after %.1f s warm-up\n",
        flags.connections, flags.services, flags.duration_s, flags.warmup_s);
    std::printf("  accepted      %.0f events/s (202)\n", t["events_per_s"].get<double>());
    std::printf("  delivered     %.0f pages/s in %.0f messages/s\n", t["pages_per_s"].get<double>(),
                t["messages_per_s"].get<double>());
    std::printf(
        "  drained       %lld incidents, %lld pages received, %lld missing, %lld unexpected, "
        "%lld duplicate; last page %.0f ms after the load stopped\n",
        t["incidents_created"].get<long long>(), t["pages_received"].get<long long>(),
        t["missing_pages"].get<long long>(), t["unexpected_pages"].get<long long>(),
        t["duplicate_pages"].get<long long>(), t["drain_ms"].get<double>());
    std::printf("  messages      %lld, %lld bundled (largest %lld incidents)\n",
                t["messages"].get<long long>(), t["bundled_messages"].get<long long>(),
                t["largest_bundle"].get<long long>());
    std::printf("  202 → page    %s\n", SummaryLine(t["page_after_202_ms"]).c_str());
    std::printf("  non-202 %lld, errors %lld\n", t["non_202"].get<long long>(),
                t["errors"].get<long long>());
  }
  std::printf("sink          %zu messages, types %s, bad bodies %lld, repeated webhook-ids %lld\n",
              record.messages.size(), report["sink"]["types"].dump().c_str(),
              static_cast<long long>(record.bad_bodies),
              static_cast<long long>(record.repeated_ids));
  std::printf("server exit   %d after SIGTERM\n", report["server_exit"].get<int>());
  return complete ? 0 : 3;
}
