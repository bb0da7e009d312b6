// loom-bench-enqueue-load: a closed-loop load generator for POST /v2/enqueue (PagerDuty Events v2).
//
// N keep-alive HTTP/1.1 connections, each with one request in flight at a time, send realistic
// trigger events (~450 bytes). --repeat-ratio is the fraction of events that reuse one of a small
// pool of dedup keys opened before the measurement (they add an alert to an open incident); the
// rest carry a unique key and open a new incident each. Reports events/s and the latency
// percentiles of the measured requests, as text or (--json) as one JSON line.
//
// Hand-written request bytes and a minimal response parser (status line, Content-Length or
// chunked body, Connection: close) keep the generator's own cost low: on a 2-core machine it
// shares the CPU with the server under test. Single-threaded by default (--threads N to spread the
// connections over N event loops).
//
// Usage:
//   loom-bench-enqueue-load --url http://127.0.0.1:8080 --key <routing key> [--connections 64]
//       [--duration 10s | --requests N] [--repeat-ratio 0..1] [--open-keys 100] [--warmup 2s]
//       [--threads 1] [--timeout 10s] [--path /v2/enqueue] [--json]
// Exit code: 0 after a run (whatever the statuses), 2 for bad flags, 1 when the server cannot be
// reached or refuses the setup request.

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/flags.h"
#include "support/response_parser.h"
#include "support/stats.h"

namespace {

namespace asio = boost::asio;
namespace bench = loom::bench;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string path = "/v2/enqueue";
  std::string key;
  int connections = 64;
  int threads = 1;
  double duration_s = 10;
  int64_t requests = 0;  // > 0: stop after this many measured requests instead of a duration
  double repeat_ratio = 0;
  int open_keys = 100;
  double warmup_s = 0;
  double timeout_s = 10;
  bool json = false;
};

const bench::FlagParser& Flags() {
  static const bench::FlagParser parser(
      "loom-bench-enqueue-load",
      "usage: loom-bench-enqueue-load --url http://HOST:PORT --key KEY [--connections N]\n"
      "         [--duration 10s | --requests N] [--repeat-ratio 0..1] [--open-keys N]\n"
      "         [--warmup 2s] [--threads N] [--timeout 10s] [--path /v2/enqueue] [--json]\n");
  return parser;
}

[[noreturn]] void Usage(const std::string& error) { Flags().Fail(error); }

Options ParseOptions(int argc, char** argv) {
  Options o;
  bool have_url = false, have_duration = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (flag == "--help" || flag == "-h") Usage("help");
    std::string value;
    auto eq = flag.find('=');
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else {
      if (i + 1 >= argc) Usage(flag + " needs a value");
      value = argv[++i];
    }
    if (flag == "--url") {
      const std::string prefix = "http://";
      if (value.rfind(prefix, 0) != 0) Usage("--url must start with http://");
      std::string rest = value.substr(prefix.size());
      auto slash = rest.find('/');
      if (slash != std::string::npos) rest = rest.substr(0, slash);
      auto colon = rest.rfind(':');
      if (colon == std::string::npos) {
        o.host = rest;
        o.port = "80";
      } else {
        o.host = rest.substr(0, colon);
        o.port = rest.substr(colon + 1);
      }
      have_url = true;
    } else if (flag == "--key") {
      o.key = value;
    } else if (flag == "--path") {
      o.path = value;
    } else if (flag == "--connections") {
      o.connections = static_cast<int>(Flags().Count(flag, value, 1, INT32_MAX));
    } else if (flag == "--threads") {
      o.threads = static_cast<int>(Flags().Count(flag, value, 1, INT32_MAX));
    } else if (flag == "--duration") {
      o.duration_s = Flags().Seconds(flag, value);
      have_duration = true;
    } else if (flag == "--requests") {
      o.requests = Flags().Count(flag, value, 1);
    } else if (flag == "--repeat-ratio") {
      char* end = nullptr;
      o.repeat_ratio = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || *end != '\0' || o.repeat_ratio < 0 || o.repeat_ratio > 1) {
        Usage("--repeat-ratio must be a number in 0..1");
      }
    } else if (flag == "--open-keys") {
      o.open_keys = static_cast<int>(Flags().Count(flag, value, 1, INT32_MAX));
    } else if (flag == "--warmup") {
      o.warmup_s = Flags().Seconds(flag, value);
    } else if (flag == "--timeout") {
      o.timeout_s = Flags().Seconds(flag, value);
    } else {
      Usage("unknown flag " + flag);
    }
  }
  if (!have_url) Usage("--url is required");
  if (o.key.empty()) Usage("--key is required");
  if (o.requests > 0 && have_duration) Usage("give --duration or --requests, not both");
  if (o.threads > o.connections) o.threads = o.connections;
  return o;
}

// ------------------------------------------------------------------------------------------------
// Requests and responses

// A realistic PagerDuty trigger (what a LOOM node's Alertmanager or a monitoring agent sends).
std::string TriggerBody(const std::string& routing_key, const std::string& dedup_key, uint64_t n) {
  std::string b;
  b.reserve(512);
  b += R"J({"routing_key":")J";
  b += routing_key;
  b += R"J(","event_action":"trigger","dedup_key":")J";
  b += dedup_key;
  b += R"J(","payload":{"summary":"LOOM readiness probe failing on loom-node-)J";
  b += std::to_string(n % 16);
  b += R"J( (bench event )J";
  b += std::to_string(n);
  b += R"J()","source":"loom-node-)J";
  b += std::to_string(n % 16);
  b +=
      R"J(.bench.internal","severity":"critical","component":"ready-probe","group":"loom-bench",)J"
      R"J("class":"availability","custom_details":{"probe":"/ready","status":503,)J"
      R"J("checks":{"http":"ok","store":"ok","postgres":"error"},"outbox_lag_ms":61234,)J"
      R"J("region":"eu-central-1"}},"client":"loom-bench","client_url":"http://127.0.0.1/bench"})J";
  return b;
}

std::string HttpRequest(const Options& o, const std::string& body) {
  std::string r;
  r.reserve(body.size() + 160);
  r += "POST ";
  r += o.path;
  r += " HTTP/1.1\r\nHost: ";
  r += o.host;
  r += ':';
  r += o.port;
  r += "\r\nUser-Agent: loom-bench\r\nContent-Type: application/json\r\nContent-Length: ";
  r += std::to_string(body.size());
  r += "\r\n\r\n";
  r += body;
  return r;
}

// ------------------------------------------------------------------------------------------------
// Shared run state and per-connection statistics

enum class Phase { kWarmup = 0, kMeasure = 1, kStop = 2 };

struct Run {
  explicit Run(const Options& o) : options(o) {}
  const Options& options;
  std::string run_id;
  std::vector<std::string> open_keys;
  std::atomic<int> phase{static_cast<int>(Phase::kWarmup)};
  std::atomic<int64_t> tickets{0};  // --requests: measured requests still to start
  Clock::time_point measure_start{};
  std::atomic<int> live_connections{0};
};

struct Stats {
  std::vector<uint32_t> latency_us;  // measured requests
  std::map<int, int64_t> statuses;   // measured requests
  int64_t sent = 0;                  // measured requests started
  int64_t accepted_without_key = 0;  // 202 without "dedup_key" in the body
  int64_t connect_errors = 0, io_errors = 0, timeouts = 0, bad_responses = 0;
  Clock::time_point last_done{};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Run& run, const tcp::resolver::results_type& endpoints, int id)
      : io_(io),
        run_(run),
        endpoints_(endpoints),
        socket_(io),
        timer_(io),
        id_(id),
        rng_(std::random_device{}() ^ (static_cast<uint64_t>(id) << 32)) {}

  void Start() {
    run_.live_connections.fetch_add(1);
    Connect();
  }
  Stats& stats() { return stats_; }

 private:
  void Connect() {
    if (Stopping()) return Finish();
    socket_ = tcp::socket(io_);
    ArmTimer();
    asio::async_connect(
        socket_, endpoints_,
        [self = shared_from_this()](boost::system::error_code ec, const tcp::endpoint&) {
          self->timer_.cancel();
          if (ec) {
            self->stats_.connect_errors++;
            return self->Backoff();
          }
          self->socket_.set_option(tcp::no_delay(true));
          self->SendNext();
        });
  }

  void Backoff() {
    if (Stopping()) return Finish();
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) { self->Connect(); });
  }

  bool Stopping() const { return run_.phase.load() == static_cast<int>(Phase::kStop); }

  void SendNext() {
    if (Stopping()) return Finish();
    measured_ = run_.phase.load() == static_cast<int>(Phase::kMeasure);
    if (measured_ && run_.options.requests > 0) {
      if (run_.tickets.fetch_sub(1) <= 0) {
        run_.phase.store(static_cast<int>(Phase::kStop));
        return Finish();
      }
    }
    const Options& o = run_.options;
    std::string dedup_key;
    if (!run_.open_keys.empty() && Uniform() < o.repeat_ratio) {
      dedup_key = run_.open_keys[rng_() % run_.open_keys.size()];
    } else {
      dedup_key = run_.run_id + "-" + std::to_string(id_) + "-" + std::to_string(seq_);
    }
    request_ = HttpRequest(o, TriggerBody(o.key, dedup_key, seq_));
    seq_++;
    if (measured_) stats_.sent++;
    started_ = Clock::now();
    ArmTimer();
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        if (ec) return self->Failed(ec);
                        self->ReadMore();
                      });
  }

  void ReadMore() {
    socket_.async_read_some(asio::buffer(chunk_),
                            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                              if (ec) return self->Failed(ec);
                              self->in_.append(self->chunk_.data(), n);
                              self->OnData();
                            });
  }

  void OnData() {
    bench::ResponseParser parser;
    size_t consumed = 0;
    switch (parser.Parse(in_, &consumed)) {
      case bench::ResponseParser::State::kNeedMore: return ReadMore();
      case bench::ResponseParser::State::kBad: stats_.bad_responses++; return Reconnect();
      case bench::ResponseParser::State::kDone: break;
    }
    timer_.cancel();
    in_.erase(0, consumed);
    auto now = Clock::now();
    if (measured_) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - started_).count();
      stats_.latency_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
      stats_.statuses[parser.status]++;
      if (parser.status == 202 && parser.body.find("\"dedup_key\"") == std::string::npos) {
        stats_.accepted_without_key++;
      }
      stats_.last_done = now;
    }
    if (parser.close) return Reconnect();
    SendNext();
  }

  void Failed(boost::system::error_code ec) {
    if (ec == asio::error::operation_aborted && timed_out_) {
      stats_.timeouts++;
    } else if (!Stopping()) {
      stats_.io_errors++;
    }
    Reconnect();
  }

  void Reconnect() {
    timer_.cancel();
    timed_out_ = false;
    boost::system::error_code ignored;
    socket_.close(ignored);
    in_.clear();
    Connect();
  }

  void ArmTimer() {
    timed_out_ = false;
    timer_.expires_after(
        std::chrono::microseconds(static_cast<int64_t>(run_.options.timeout_s * 1e6)));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the operation finished in time
      self->timed_out_ = true;
      boost::system::error_code ignored;
      self->socket_.close(ignored);
    });
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    run_.live_connections.fetch_sub(1);
  }

  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  asio::io_context& io_;
  Run& run_;
  const tcp::resolver::results_type& endpoints_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  int id_;
  std::mt19937_64 rng_;
  uint64_t seq_ = 0;
  std::string request_, in_;
  std::array<char, 16384> chunk_{};
  Clock::time_point started_{};
  bool measured_ = false, timed_out_ = false, finished_ = false;
  Stats stats_;
};

// ------------------------------------------------------------------------------------------------
// Set-up: open the pool of repeat keys with plain blocking requests (also checks the key works).

bool SendBlocking(tcp::socket& socket, const std::string& request, int* status, std::string* body) {
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(request), ec);
  if (ec) return false;
  std::string in;
  std::array<char, 8192> chunk{};
  while (true) {
    bench::ResponseParser parser;
    size_t consumed = 0;
    auto state = parser.Parse(in, &consumed);
    if (state == bench::ResponseParser::State::kDone) {
      *status = parser.status;
      *body = parser.body;
      return true;
    }
    if (state == bench::ResponseParser::State::kBad) return false;
    size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) return false;
    in.append(chunk.data(), n);
  }
}

bool OpenRepeatKeys(Run& run, const tcp::resolver::results_type& endpoints) {
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  asio::connect(socket, endpoints, ec);
  if (ec) {
    std::cerr << "loom-bench-enqueue-load: cannot connect to " << run.options.host << ":"
              << run.options.port << ": " << ec.message() << "\n";
    return false;
  }
  // Always one set-up request, so that a wrong key or URL fails before the measurement.
  int count = run.options.repeat_ratio > 0 ? run.options.open_keys : 0;
  std::string probe_key = run.run_id + "-setup";
  for (int i = -1; i < count; ++i) {
    std::string key = i < 0 ? probe_key : run.run_id + "-open-" + std::to_string(i);
    int status = 0;
    std::string body;
    std::string request = HttpRequest(run.options, TriggerBody(run.options.key, key, 0));
    if (!SendBlocking(socket, request, &status, &body)) {
      std::cerr << "loom-bench-enqueue-load: set-up request failed (connection closed)\n";
      return false;
    }
    if (status != 202) {
      std::cerr << "loom-bench-enqueue-load: set-up trigger answered " << status << ": " << body
                << "\n";
      return false;
    }
    if (i >= 0) run.open_keys.push_back(key);
  }
  return true;
}

// The nearest-rank percentile of the measured latencies, in ms.
double PercentileMs(const std::vector<uint32_t>& sorted_us, double q) {
  return bench::Percentile(sorted_us, q) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  Run run(options);
  run.run_id = "bench-" + bench::RandomHex(8);
  run.tickets.store(options.requests);

  asio::io_context resolver_io;
  tcp::resolver resolver(resolver_io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(options.host, options.port, ec);
  if (ec) {
    std::cerr << "loom-bench-enqueue-load: cannot resolve " << options.host << ": " << ec.message()
              << "\n";
    return 1;
  }
  if (!OpenRepeatKeys(run, endpoints)) return 1;

  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (int t = 0; t < options.threads; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::shared_ptr<Connection>> connections;
  for (int c = 0; c < options.connections; ++c) {
    auto& io = *ios[c % options.threads];
    connections.push_back(std::make_shared<Connection>(io, run, endpoints, c));
  }

  // Phase changes run on the first loop's timer.
  asio::steady_timer phase_timer(*ios[0]);
  auto begin_measure = [&run, &options, &phase_timer]() {
    run.measure_start = Clock::now();
    run.phase.store(static_cast<int>(Phase::kMeasure));
    if (options.requests == 0) {
      phase_timer.expires_after(
          std::chrono::microseconds(static_cast<int64_t>(options.duration_s * 1e6)));
      phase_timer.async_wait([&run](boost::system::error_code e) {
        if (!e) run.phase.store(static_cast<int>(Phase::kStop));
      });
    }
  };
  if (options.warmup_s > 0) {
    phase_timer.expires_after(
        std::chrono::microseconds(static_cast<int64_t>(options.warmup_s * 1e6)));
    phase_timer.async_wait([&begin_measure](boost::system::error_code e) {
      if (!e) begin_measure();
    });
  } else {
    begin_measure();
  }
  // Each connection starts (and lives) on its own loop.
  for (int c = 0; c < options.connections; ++c) {
    asio::post(*ios[c % options.threads], [conn = connections[c]] { conn->Start(); });
  }
  std::vector<std::thread> threads;
  for (int t = 1; t < options.threads; ++t) {
    threads.emplace_back([&ios, t] { ios[t]->run(); });
  }
  ios[0]->run();
  for (auto& th : threads) th.join();

  // Merge.
  Stats total;
  for (auto& c : connections) {
    Stats& s = c->stats();
    total.latency_us.insert(total.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    for (auto [status, n] : s.statuses) total.statuses[status] += n;
    total.sent += s.sent;
    total.accepted_without_key += s.accepted_without_key;
    total.connect_errors += s.connect_errors;
    total.io_errors += s.io_errors;
    total.timeouts += s.timeouts;
    total.bad_responses += s.bad_responses;
    total.last_done = std::max(total.last_done, s.last_done);
  }
  std::sort(total.latency_us.begin(), total.latency_us.end());
  const int64_t completed = static_cast<int64_t>(total.latency_us.size());
  const int64_t accepted = total.statuses.count(202) ? total.statuses[202] : 0;
  const double elapsed_s =
      completed > 0 ? std::chrono::duration<double>(total.last_done - run.measure_start).count()
                    : 0;
  const double events_per_s = elapsed_s > 0 ? static_cast<double>(accepted) / elapsed_s : 0;
  const double requests_per_s = elapsed_s > 0 ? static_cast<double>(completed) / elapsed_s : 0;
  double sum_us = 0;
  for (uint32_t v : total.latency_us) sum_us += v;
  const double mean_ms = completed > 0 ? sum_us / static_cast<double>(completed) / 1000.0 : 0;

  nlohmann::json non202 = nlohmann::json::object();
  for (auto [status, n] : total.statuses) {
    if (status != 202) non202[std::to_string(status)] = n;
  }
  nlohmann::json report = {
      {"url", "http://" + options.host + ":" + options.port + options.path},
      {"connections", options.connections},
      {"threads", options.threads},
      {"repeat_ratio", options.repeat_ratio},
      {"open_keys", static_cast<int64_t>(run.open_keys.size())},
      {"warmup_s", options.warmup_s},
      {"elapsed_s", elapsed_s},
      {"sent", total.sent},
      {"completed", completed},
      {"accepted_202", accepted},
      {"accepted_202_without_dedup_key", total.accepted_without_key},
      {"non_202", non202},
      {"errors",
       {{"connect", total.connect_errors},
        {"io", total.io_errors},
        {"timeout", total.timeouts},
        {"bad_response", total.bad_responses}}},
      {"events_per_s", std::round(events_per_s * 10) / 10},
      {"requests_per_s", std::round(requests_per_s * 10) / 10},
      {"latency_ms",
       {{"p50", PercentileMs(total.latency_us, 0.50)},
        {"p90", PercentileMs(total.latency_us, 0.90)},
        {"p99", PercentileMs(total.latency_us, 0.99)},
        {"p99_9", PercentileMs(total.latency_us, 0.999)},
        {"max", total.latency_us.empty() ? 0.0 : total.latency_us.back() / 1000.0},
        {"mean", std::round(mean_ms * 1000) / 1000}}},
  };
  if (options.json) {
    std::cout << report.dump() << "\n";
    return 0;
  }
  std::printf("target        %s  (%d connections, %d thread%s, repeat ratio %.2f, %zu open keys)\n",
              report["url"].get<std::string>().c_str(), options.connections, options.threads,
              options.threads == 1 ? "" : "s", options.repeat_ratio, run.open_keys.size());
  std::printf("measured      %.2f s after %.1f s warm-up\n", elapsed_s, options.warmup_s);
  std::printf("requests      %lld sent, %lld completed, %lld answered 202\n",
              static_cast<long long>(total.sent), static_cast<long long>(completed),
              static_cast<long long>(accepted));
  if (!non202.empty()) std::printf("non-202       %s\n", non202.dump().c_str());
  if (total.accepted_without_key) {
    std::printf("202 without dedup_key: %lld\n",
                static_cast<long long>(total.accepted_without_key));
  }
  std::printf("errors        connect %lld, io %lld, timeout %lld, bad response %lld\n",
              static_cast<long long>(total.connect_errors), static_cast<long long>(total.io_errors),
              static_cast<long long>(total.timeouts), static_cast<long long>(total.bad_responses));
  std::printf("throughput    %.0f events/s (202), %.0f requests/s\n", events_per_s, requests_per_s);
  std::printf("latency ms    p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f\n",
              PercentileMs(total.latency_us, 0.50), PercentileMs(total.latency_us, 0.90),
              PercentileMs(total.latency_us, 0.99), PercentileMs(total.latency_us, 0.999),
              total.latency_us.empty() ? 0.0 : total.latency_us.back() / 1000.0, mean_ms);
  return 0;
}
