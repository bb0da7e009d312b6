// loom-bench-heartbeats: 10,000 heartbeats pinged every 10 s against a real `loom-oncall serve`
// (docs/BENCHMARKS.md "Heartbeats", docs/heartbeats.md).
//
// 1. The server starts with one service and --heartbeats heartbeats (interval --interval, grace
//    --grace) in its configuration file, on a fresh SQLite data directory.
// 2. Steady pings (measured for --measure): --connections threads on keep-alive connections ping
//    every heartbeat once per interval, spread evenly (heartbeat i at i/N of the interval), as
//    POST /v1/heartbeats/{id}/ping with "Authorization: Token <key>". Reported: the pings taken
//    per second (202s), the answer latency (p50/p99/max), how far the senders fell behind their
//    schedule, and any other status.
// 3. Expiry: the first --expire heartbeats stop being pinged while the others go on. Each must
//    expire exactly interval + grace after its last ping; lateness = the expiry incident's
//    created_at (the server's clock, its commit) minus (last ping + interval + grace), read back
//    through GET /v1/heartbeats and GET /v1/incidents. Reported as p50/p99/max, with how many
//    expired and how many of the still-pinged ones expired (should be 0).
// 4. Max rate (--burst, 0 to skip): every connection pings back to back for --burst seconds
//    (heartbeats round-robin): the most pings per second the server takes on this machine.
//
// Usage: loom-bench-heartbeats [--server build/loom-oncall] [--heartbeats 10000] [--interval 10s]
//          [--grace 5s] [--measure 30s] [--expire 1000] [--connections 16] [--burst 5s] [--json]
// Exit code 0 after a run, 2 for bad flags, 1 when the server fails.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/flags.h"
#include "support/response_parser.h"
#include "support/server_process.h"
#include "support/stats.h"

namespace {

namespace fs = std::filesystem;
namespace bench = loom::bench;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kProgram[] = "loom-bench-heartbeats";
constexpr char kUsage[] =
    "usage: loom-bench-heartbeats [--server PATH] [--heartbeats N] [--interval D] [--grace D]\n"
    "                             [--measure D] [--expire N] [--connections N] [--burst D] "
    "[--json]\n";

struct Flags {
  std::string server = "build/loom-oncall";
  int64_t heartbeats = 10000;
  double interval_s = 10;
  double grace_s = 5;
  double measure_s = 30;
  int64_t expire = 1000;
  int64_t connections = 16;
  double burst_s = 5;
  bool json = false;
};

Flags ParseFlags(int argc, char** argv) {
  bench::FlagParser p(kProgram, kUsage);
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") {
      f.json = true;
      continue;
    }
    if (i + 1 >= argc) p.Fail("missing value for " + a);
    const std::string v = argv[++i];
    if (a == "--server") {
      f.server = v;
    } else if (a == "--heartbeats") {
      f.heartbeats = p.Count(a, v, 1, 1'000'000);
    } else if (a == "--interval") {
      f.interval_s = p.Seconds(a, v);
    } else if (a == "--grace") {
      f.grace_s = p.Seconds(a, v);
    } else if (a == "--measure") {
      f.measure_s = p.Seconds(a, v);
    } else if (a == "--expire") {
      f.expire = p.Count(a, v, 0);
    } else if (a == "--connections") {
      f.connections = p.Count(a, v, 1, 1024);
    } else if (a == "--burst") {
      f.burst_s = p.Seconds(a, v);
    } else {
      p.Fail("unknown flag " + a);
    }
  }
  if (f.interval_s < 1) p.Fail("--interval must be at least 1s");
  if (f.expire > f.heartbeats) p.Fail("--expire must be at most --heartbeats");
  return f;
}

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port with blocking sockets.
class Connection {
 public:
  explicit Connection(uint16_t port) : port_(port) {}
  ~Connection() { Close(); }

  // Sends one request and reads its response; false when the connection failed.
  bool Exchange(const std::string& request, bench::ResponseParser* out) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Open()) return false;
      if (SendAll(request) && Read(out)) {
        if (out->close) Close();
        return true;
      }
      Close();  // the server closed an idle connection: once more on a new one
    }
    return false;
  }

 private:
  bool Open() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return false;
    }
    buf_.clear();
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  bool Read(bench::ResponseParser* out) {
    while (true) {
      *out = bench::ResponseParser{};
      size_t consumed = 0;
      const auto state = out->Parse(buf_, &consumed);
      if (state == bench::ResponseParser::State::kDone) {
        buf_.erase(0, consumed);
        return true;
      }
      if (state == bench::ResponseParser::State::kBad) return false;
      char chunk[65536];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  uint16_t port_;
  int fd_ = -1;
  std::string buf_;
};

std::string HeartbeatId(int64_t i) { return "hb-" + std::to_string(i); }

std::string PingRequest(int64_t i, const std::string& key) {
  return "POST /v1/heartbeats/" + HeartbeatId(i) +
         "/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token " + key +
         "\r\nContent-Length: 0\r\n\r\n";
}

std::string GetRequest(const std::string& path, const std::string& token) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\n\r\n";
}

void WriteConfig(const fs::path& path, const Flags& f, const std::string& key) {
  std::ofstream out(path);
  out << "services:\n  - id: bench\n    integration_keys:\n      - key: \"" << key
      << "\"\n    heartbeats:\n";
  for (int64_t i = 0; i < f.heartbeats; ++i) {
    out << "      - { id: " << HeartbeatId(i) << ", interval: " << f.interval_s
        << "s, grace: " << f.grace_s << "s }\n";
  }
}

struct PingFigures {
  int64_t accepted = 0;
  std::map<int, int64_t> other;  // status → count (0: connection failed)
  std::vector<double> latency_ms;
  std::vector<double> behind_ms;  // how late the sender was against the schedule
};

Json Summary(std::vector<double> v, const char* unit) {
  std::sort(v.begin(), v.end());
  return {{"unit", unit},
          {"count", v.size()},
          {"p50", bench::Percentile(v, 0.50)},
          {"p99", bench::Percentile(v, 0.99)},
          {"max", v.empty() ? 0.0 : v.back()}};
}

// Pings heartbeats [0, N) on the schedule that began at `start` (each once per interval,
// heartbeat i at i/N of it), the pings due in [from, until); heartbeats below `skip_below` are
// left out.
PingFigures PingOnSchedule(uint16_t port, const Flags& f, const std::string& key,
                           Clock::time_point start, Clock::time_point from, Clock::time_point until,
                           int64_t skip_below) {
  PingFigures total;
  std::mutex mu;
  std::vector<std::thread> threads;
  const auto interval = std::chrono::duration<double>(f.interval_s);
  for (int64_t t = 0; t < f.connections; ++t) {
    threads.emplace_back([&, t] {
      Connection conn(port);
      PingFigures mine;
      bench::ResponseParser resp;
      for (int64_t round = 0;; ++round) {
        for (int64_t i = t; i < f.heartbeats; i += f.connections) {
          if (i < skip_below) continue;
          const auto due =
              start + std::chrono::duration_cast<Clock::duration>(
                          interval * (static_cast<double>(round) +
                                      static_cast<double>(i) / static_cast<double>(f.heartbeats)));
          if (due >= until) goto done;
          if (due < from) continue;
          std::this_thread::sleep_until(due);
          const auto sent = Clock::now();
          mine.behind_ms.push_back(std::chrono::duration<double, std::milli>(sent - due).count());
          if (!conn.Exchange(PingRequest(i, key), &resp)) {
            ++mine.other[0];
            continue;
          }
          mine.latency_ms.push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
          if (resp.status == 202) {
            ++mine.accepted;
          } else {
            ++mine.other[resp.status];
          }
        }
      }
    done:
      std::lock_guard<std::mutex> lock(mu);
      total.accepted += mine.accepted;
      for (auto [status, n] : mine.other) total.other[status] += n;
      total.latency_ms.insert(total.latency_ms.end(), mine.latency_ms.begin(),
                              mine.latency_ms.end());
      total.behind_ms.insert(total.behind_ms.end(), mine.behind_ms.begin(), mine.behind_ms.end());
    });
  }
  for (std::thread& th : threads) th.join();
  return total;
}

Json PingJson(const PingFigures& p, double seconds) {
  Json other = Json::object();
  for (auto [status, n] : p.other)
    other[status == 0 ? "connection_failed" : std::to_string(status)] = n;
  return {{"accepted", p.accepted},
          {"accepted_per_s", static_cast<double>(p.accepted) / seconds},
          {"other", other},
          {"latency", Summary(p.latency_ms, "ms")},
          {"sender_behind_schedule", Summary(p.behind_ms, "ms")}};
}

Json GetJson(Connection& conn, const std::string& path, const std::string& token) {
  bench::ResponseParser resp;
  if (!conn.Exchange(GetRequest(path, token), &resp) || resp.status != 200) {
    std::cerr << kProgram << ": GET " << path << " failed (status " << resp.status << ")\n";
    return Json();
  }
  return Json::parse(resp.body, nullptr, false);
}

int64_t Micros(const std::string& rfc3339) {
  // "2026-12-07T02:00:04.123Z": seconds from timegm plus the milliseconds.
  std::tm tm{};
  if (strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  const int64_t seconds = timegm(&tm);
  int64_t millis = 0;
  if (rfc3339.size() > 20 && rfc3339[19] == '.') millis = std::atoi(rfc3339.substr(20, 3).c_str());
  return seconds * 1'000'000 + millis * 1000;
}

}  // namespace

int main(int argc, char** argv) {
  const Flags f = ParseFlags(argc, argv);
  if (access(f.server.c_str(), X_OK) != 0) {
    std::cerr << kProgram << ": " << f.server << " is not an executable (--server PATH)\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  char dir_template[] = "/tmp/loom-bench-heartbeats.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path dir = dir_template;
  const std::string key = bench::RandomHex(32);
  const std::string token = "bench-admin-" + bench::RandomHex(16);
  WriteConfig(dir / "loom-oncall.yaml", f, key);
  bench::ServerProcess server(kProgram);
  const uint16_t port =
      server.Start(f.server, dir / "loom-oncall.yaml", dir, {{"LOOM_ONCALL_ADMIN_TOKEN", token}});
  if (port == 0) return 1;

  Json report = {{"server", f.server},
                 {"heartbeats", f.heartbeats},
                 {"interval_s", f.interval_s},
                 {"grace_s", f.grace_s},
                 {"connections", f.connections}};

  // Steady pings, then the expiry with the first --expire heartbeats silent.
  auto start = Clock::now();
  const auto measured_until = start + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(f.measure_s));
  const PingFigures steady = PingOnSchedule(port, f, key, start, start, measured_until, 0);
  report["steady"] = PingJson(steady, f.measure_s);

  const double expiry_wait_s = f.interval_s + f.grace_s + 5;
  const auto expiry_until = measured_until + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(expiry_wait_s));
  // The schedule goes on where it was (same phase), without the silent ones.
  const PingFigures during =
      PingOnSchedule(port, f, key, start, measured_until, expiry_until, f.expire);
  report["during_expiry"] = PingJson(during, expiry_wait_s);

  Connection reader(port);
  std::map<std::string, int64_t> created_us;  // "INC-7" → created_at
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    Json incidents = GetJson(
        reader,
        "/v1/incidents?service=bench&limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor),
        token);
    if (!incidents.is_object()) break;
    for (const Json& inc : incidents["incidents"]) {
      created_us[inc.value("id", "")] = Micros(inc.value("created_at", ""));
    }
    if (!incidents.contains("next") || incidents["next"].is_null()) break;
    cursor = incidents["next"].is_string() ? incidents["next"].get<std::string>()
                                           : incidents["next"].dump();
  }
  Json heartbeats = GetJson(reader, "/v1/heartbeats", token);
  std::vector<double> lateness_ms;
  int64_t silent_expired = 0, pinged_expired = 0;
  const int64_t allowed_us = static_cast<int64_t>((f.interval_s + f.grace_s) * 1e6);
  if (heartbeats.is_object()) {
    for (const Json& hb : heartbeats["heartbeats"]) {
      const std::string id = hb.value("id", "");
      const int64_t i = std::atoll(id.c_str() + 3);
      if (hb.value("state", "") != "expired") continue;
      if (i >= f.expire) {
        ++pinged_expired;
        continue;
      }
      ++silent_expired;
      const std::string incident =
          hb["incident"].is_string() ? hb["incident"].get<std::string>() : "";
      auto it = created_us.find(incident);
      if (it == created_us.end() || !hb["last_ping_at"].is_string()) continue;
      const int64_t expected = Micros(hb["last_ping_at"].get<std::string>()) + allowed_us;
      lateness_ms.push_back(static_cast<double>(it->second - expected) / 1000.0);
    }
  }
  report["expiry"] = {{"silent", f.expire},
                      {"expired", silent_expired},
                      {"pinged_but_expired", pinged_expired},
                      {"lateness", Summary(lateness_ms, "ms")}};

  if (f.burst_s > 0) {
    std::atomic<int64_t> accepted{0}, other{0};
    const auto burst_until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(f.burst_s));
    std::vector<std::thread> threads;
    for (int64_t t = 0; t < f.connections; ++t) {
      threads.emplace_back([&, t] {
        Connection conn(port);
        bench::ResponseParser resp;
        for (int64_t i = t; Clock::now() < burst_until; i = (i + f.connections) % f.heartbeats) {
          if (conn.Exchange(PingRequest(i, key), &resp) && resp.status == 202) {
            ++accepted;
          } else {
            ++other;
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
    report["burst"] = {{"seconds", f.burst_s},
                       {"accepted", accepted.load()},
                       {"accepted_per_s", static_cast<double>(accepted.load()) / f.burst_s},
                       {"other", other.load()}};
  }
  report["server_exit"] = server.Stop();
  fs::remove_all(dir);

  if (f.json) {
    std::cout << report.dump() << "\n";
  } else {
    std::cout << report.dump(2) << "\n";
  }
  return report["server_exit"] == 0 ? 0 : 1;
}
