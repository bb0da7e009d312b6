// loom-bench-deadlines: the escalation engine with 100,000 open incidents and pending deadlines.
//
// 1. Populate (not measured): N Sev1 incidents through the store (each writes its escalation's
//    first deadline), the engine fires those first steps (2 outbox rows each), and the second
//    steps' deadlines are spread evenly over the next --spread seconds (a direct UPDATE on the
//    bench's own database file), as if the incidents had opened over the last ack target.
// 2. Restart: the store is closed and reopened and the engine loads every pending deadline —
//    "restart-to-ready" is the time from opening the file to the heap being ready (the server
//    answers /ready right after this plus the HTTP listener). Resident memory is read then.
// 3. Fire under load: for --measure seconds the engine's thread fires the deadlines as they fall
//    due while --writers threads ingest new incidents into the same store as fast as it takes
//    them (each new incident's first page is written in its own ingest transaction, never late).
//    Lateness = commit of the firing minus due time, per deadline; reported as p50/p99/max.
//
// Usage: loom-bench-deadlines [--incidents 100000] [--spread 600] [--measure 30] [--writers 2]
//                             [--dir DIR] [--json]
// Exit code 0 after a run, 2 for bad flags, 1 when the store fails.

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "core/builtin_runbook.h"
#include "core/roster.h"
#include "engine/escalation_engine.h"
#include "store/sql/sqlite_store.h"

namespace {

using loom::Deadline;
using loom::DeadlineFiring;
using loom::TimePoint;
using SteadyClock = std::chrono::steady_clock;

struct Flags {
  int incidents = 100000;
  int spread_s = 600;  // the pending deadlines fall due evenly over this many seconds
  int measure_s = 30;  // how long ingest runs at full speed while deadlines fire
  int writers = 2;
  std::string dir;
  bool json = false;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--json") {
      f->json = true;
    } else if (a == "--incidents" && (v = next())) {
      f->incidents = std::atoi(v);
    } else if (a == "--spread" && (v = next())) {
      f->spread_s = std::atoi(v);
    } else if (a == "--measure" && (v = next())) {
      f->measure_s = std::atoi(v);
    } else if (a == "--writers" && (v = next())) {
      f->writers = std::atoi(v);
    } else if (a == "--dir" && (v = next())) {
      f->dir = v;
    } else {
      std::cerr << "loom-bench-deadlines: unknown or incomplete flag " << a << "\n";
      return false;
    }
  }
  return f->incidents > 0 && f->spread_s > 0 && f->measure_s > 0 && f->writers >= 0;
}

int64_t ResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

loom::Schedule OnePerson(const std::string& id, const std::string& user) {
  loom::RotationLayer layer;
  layer.participants = {user};
  layer.start_days = 20000;
  return std::move(loom::Schedule::Create(id, "UTC", {layer}, {})).value();
}

std::shared_ptr<loom::Roster> MakeRoster() {
  std::vector<loom::Schedule> schedules = {OnePerson("p", "alice"), OnePerson("s", "bob"),
                                           OnePerson("m", "erin")};
  std::map<loom::OnCallRole, std::string> roles = {{loom::OnCallRole::kPrimary, "p"},
                                                   {loom::OnCallRole::kSecondary, "s"},
                                                   {loom::OnCallRole::kEscalationManager, "m"}};
  return std::make_shared<loom::Roster>(std::make_shared<const loom::OnCallSnapshot>(
      loom::OnCallResolver(std::move(schedules), {{"loom", roles}}),
      std::map<std::string, loom::User>{}, std::map<std::string, loom::BusinessCalendar>{}));
}

loom::IngestRequest Trigger(int64_t key_id, const std::string& dedup_key) {
  loom::IngestRequest r;
  r.format = "pagerduty";
  r.service_id = "loom";
  r.integration_key_id = key_id;
  r.dedup_key = dedup_key;
  r.title = "LOOM node down " + dedup_key;
  loom::AlertUpdate a;
  a.action = loom::AlertAction::kTrigger;
  a.summary = r.title;
  a.severity = loom::Severity::kSev1;
  r.alerts.push_back(a);
  return r;
}

// Ingests `count` incidents, at most `window` in flight; returns how many were accepted.
int64_t IngestMany(loom::Store& store, int64_t key_id, const std::string& prefix, int64_t count,
                   const std::atomic<bool>* stop = nullptr) {
  std::mutex mu;
  std::condition_variable cv;
  int64_t in_flight = 0, accepted = 0;
  constexpr int64_t kWindow = 2000;
  for (int64_t i = 0; i < count && !(stop && stop->load()); ++i) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < kWindow; });
      ++in_flight;
    }
    store.Ingest(Trigger(key_id, prefix + std::to_string(i)),
                 [&](loom::Result<loom::IngestOutcome> r) {
                   std::lock_guard<std::mutex> lock(mu);
                   --in_flight;
                   if (r.ok()) ++accepted;
                   cv.notify_all();
                 });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  return accepted;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// Step 1 (see the file comment). Returns the process exit code.
int Populate(const Flags& flags, const loom::SqliteOptions& options, loom::Clock& clock,
             const std::shared_ptr<const loom::SeverityPolicy>& policy,
             const std::shared_ptr<loom::Roster>& roster) {
  {
    auto store = loom::OpenSqliteStore(options, clock);
    if (!store.ok()) {
      std::cerr << "cannot open the store: " << store.error().message << "\n";
      return 1;
    }
    loom::Service service;
    service.id = "loom";
    service.name = "LOOM node";
    auto key = loom::AwaitWrite<loom::IntegrationKey>(
        [&](auto done) { (*store)->CreateService(service, loom::Sha256Hex("k"), done); });
    if (!key.ok()) return 1;
    if (IngestMany(**store, key->id, "open-", flags.incidents) != flags.incidents) {
      std::cerr << "populate: not every incident was accepted\n";
      return 1;
    }
    loom::EscalationEngine engine(**store, clock, policy, roster);
    if (!engine.Load().ok()) return 1;
    const auto fire_start = SteadyClock::now();
    const size_t fired = engine.RunDue();  // first steps: page primary, notify manager
    const double fire_s = std::chrono::duration<double>(SteadyClock::now() - fire_start).count();
    std::fprintf(stderr, "populate: fired %zu first steps in %.2f s (%.0f/s)\n", fired, fire_s,
                 static_cast<double>(fired) / fire_s);
    (*store)->Shutdown();
  }
  {
    sqlite3* db = nullptr;
    sqlite3_open(options.path.c_str(), &db);
    const int64_t start = loom::ToUnixMicros(clock.Now()) + 3'000'000;
    const std::string sql = "UPDATE deadlines SET due_at = " + std::to_string(start) +
                            " + (id * 7919 % " + std::to_string(flags.spread_s * 1000) +
                            ") * 1000 WHERE fired_at IS NULL";
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::cerr << "spreading due times: " << (err ? err : "?") << "\n";
      return 1;
    }
    sqlite3_close(db);
  }

  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::cerr << "usage: loom-bench-deadlines [--incidents N] [--spread S] [--measure S] "
                 "[--writers W] [--dir DIR] [--json]\n";
    return 2;
  }
  namespace fs = std::filesystem;
  const fs::path dir =
      flags.dir.empty() ? fs::temp_directory_path() / "loom-bench-deadlines" : fs::path(flags.dir);
  fs::remove_all(dir);
  fs::create_directories(dir);
  loom::SqliteOptions options;
  options.path = (dir / "loom.db").string();
  loom::SystemClock& clock = loom::SystemClock::Instance();
  auto policy = std::make_shared<const loom::SeverityPolicy>(
      loom::BuildSeverityPolicy(loom::BuiltInRunbook(), loom::kBuiltInRunbookName, {}).value());
  auto roster = MakeRoster();

  // ---- 1. populate, in a child process so that its memory does not count ----
  std::cout.flush();
  pid_t child = fork();
  if (child == 0) _exit(Populate(flags, options, clock, policy, roster));
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    std::cerr << "populate failed\n";
    return 1;
  }

  // ---- 2. restart ----
  const auto t0 = SteadyClock::now();
  auto store = loom::OpenSqliteStore(options, clock);
  if (!store.ok()) return 1;
  auto key = (*store)->FindIntegrationKey(loom::Sha256Hex("k"));
  if (!key.ok() || !key->has_value()) return 1;
  const int64_t key_id = (*key)->id;
  std::mutex lateness_mu;
  std::vector<double> lateness_ms;
  lateness_ms.reserve(static_cast<size_t>(flags.incidents) * 2);
  loom::EscalationEngine::Options engine_options;
  engine_options.on_fired = [&](int64_t, TimePoint due, const DeadlineFiring& f) {
    if (!f.fired) return;
    const double late_ms =
        static_cast<double>(std::max<int64_t>(0, (f.fired_at - due).count())) / 1000.0;
    std::lock_guard<std::mutex> lock(lateness_mu);
    lateness_ms.push_back(late_ms);
  };
  loom::EscalationEngine engine(**store, clock, policy, roster, engine_options);
  if (!engine.Load().ok()) return 1;
  const double ready_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
  const int64_t pending = engine.Stats().pending;
  const int64_t rss_kib = ResidentKiB();

  // ---- 3. fire under load ----
  loom::DeadlineLoop loop(clock);
  loop.Start();
  engine.Start(loop);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> ingested{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < flags.writers; ++w) {
    writers.emplace_back([&, w] {
      ingested += IngestMany(**store, key_id, "load-" + std::to_string(w) + "-", INT64_MAX, &stop);
    });
  }
  const auto load_start = SteadyClock::now();
  std::this_thread::sleep_until(load_start + std::chrono::seconds(flags.measure_s));
  stop = true;
  for (auto& t : writers) t.join();
  const double load_s = std::chrono::duration<double>(SteadyClock::now() - load_start).count();
  engine.Stop();
  const int64_t rss_after_kib = ResidentKiB();
  (*store)->Shutdown();

  std::vector<double> late;
  {
    std::lock_guard<std::mutex> lock(lateness_mu);
    late = lateness_ms;
  }
  const double p50 = Percentile(late, 0.50), p99 = Percentile(late, 0.99);
  const double max = late.empty() ? 0 : *std::max_element(late.begin(), late.end());
  if (flags.json) {
    std::printf(
        "{\"incidents\":%d,\"pending_deadlines\":%lld,\"restart_to_ready_ms\":%.1f,"
        "\"rss_after_load_mib\":%.1f,\"rss_end_mib\":%.1f,"
        "\"fired\":%zu,\"lateness_p50_ms\":%.2f,\"lateness_p99_ms\":%.2f,"
        "\"lateness_max_ms\":%.2f,\"ingest_per_s\":%.0f}\n",
        flags.incidents, static_cast<long long>(pending), ready_ms, rss_kib / 1024.0,
        rss_after_kib / 1024.0, late.size(), p50, p99, max,
        static_cast<double>(ingested.load()) / load_s);
  } else {
    std::printf("open incidents:           %d\n", flags.incidents);
    std::printf("pending deadlines loaded: %lld\n", static_cast<long long>(pending));
    std::printf("restart to ready:         %.1f ms (open store + load deadlines)\n", ready_ms);
    std::printf("resident memory:          %.1f MiB after load (%.1f MiB at the end)\n",
                rss_kib / 1024.0, rss_after_kib / 1024.0);
    std::printf("deadlines fired:          %zu while ingesting %.0f new incidents/s\n", late.size(),
                static_cast<double>(ingested.load()) / load_s);
    std::printf("lateness:                 p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", p50, p99, max);
  }
  return 0;
}
