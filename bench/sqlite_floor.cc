// loom-bench-sqlite-floor: what SQLite alone costs for the rows one ingested event writes, with
// nothing else on the thread — no HTTP, no JSON, no hashing, no escalation decision, no fsync.
// It is the floor under the store's writer thread in the /v2/enqueue benchmark: the writer
// cannot take events faster than 1 / (this time per event), whatever the rest of the server does.
//
// The schema is the product's own (store/sql/schema.cc migrations, on a fresh file); the rows have
// the sizes a benchmark event produces (docs/BENCHMARKS.md, /v2/enqueue):
// - new: an incident row, an alert row, four timeline events (incident.triggered, alert.triggered
//   and two escalation.notified), one escalation deadline and two outbox rows (the primary's page
//   and the escalation manager's notice) — what a new Sev1 with every role staffed writes;
// - repeat: one of --open-keys open incidents gets an alert row and a timeline event, and its
//   counters are updated once per batch (as the writer does).
// Statements are prepared once; --batch events per transaction (the writer's group commit);
// synchronous=OFF (the fsync is not counted: in the server another thread does it). The WAL is
// checkpointed from 8,000 frames as the server's checkpointer does; that time is reported apart
// (in the server it runs on its own thread, but on the same two cores). The lookup of the open
// incident by dedup key is not counted either, so the figure is a lower bound.
//
// Usage: loom-bench-sqlite-floor [--events 200000] [--batch 24] [--open-keys 100] [--dir DIR]
//                                [--json]
// Exit code 0 after a run, 2 for bad flags, 1 when SQLite fails.

#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/sql/schema.h"
#include "store/sql/sqlite_db.h"

namespace {

struct Flags {
  int64_t events = 200000;
  int64_t batch = 24;
  int64_t open_keys = 100;
  std::string dir;
  bool json = false;
};

[[noreturn]] void Fail(sqlite3* db, const char* what) {
  std::cerr << "loom-bench-sqlite-floor: " << what << ": " << sqlite3_errmsg(db) << "\n";
  std::exit(1);
}

// A prepared statement run with text and integer parameters, in order.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      Fail(db, sql);
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Int(int64_t v) {
    sqlite3_bind_int64(stmt_, ++n_, v);
    return *this;
  }
  Stmt& Text(const std::string& v) {
    sqlite3_bind_text(stmt_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& Null() {
    sqlite3_bind_null(stmt_, ++n_);
    return *this;
  }
  void Run() {
    if (sqlite3_step(stmt_) != SQLITE_DONE) Fail(db_, "step");
    sqlite3_reset(stmt_);
    n_ = 0;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int n_ = 0;
};

std::string Hex(std::mt19937_64& rng, size_t chars) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s(chars, '0');
  for (char& c : s) c = kDigits[rng() % 16];
  return s;
}

struct Statements {
  explicit Statements(sqlite3* db)
      : begin(db, "BEGIN IMMEDIATE"),
        commit(db, "COMMIT"),
        incident(db,
                 "INSERT INTO incidents (number, service_id, title, severity, kind, state,"
                 " dedup_key, integration_key_id, group_open, alert_count, firing_alert_count,"
                 " created_at, updated_at, last_seq, last_hash) VALUES"
                 " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        counters(db,
                 "UPDATE incidents SET alert_count = ?2, firing_alert_count = ?3,"
                 " updated_at = ?4, last_seq = ?5, last_hash = ?6 WHERE number = ?1"),
        alert(db,
              "INSERT INTO alerts (id, incident_number, service_id, dedup_key, fingerprint,"
              " status, summary, source, raw_severity, severity, created_at, updated_at,"
              " resolved_at, details_json) VALUES"
              " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
        event(db,
              "INSERT INTO timeline_events (incident_number, seq, at, type, actor, data_json,"
              " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        deadline(db,
                 "INSERT INTO deadlines (id, incident_number, kind, due_at, payload_json,"
                 " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        outbox(db,
               "INSERT INTO outbox (id, unique_key, incident_number, step, recipient, channel,"
               " payload_json, state, next_attempt_at, created_at, role, method, method_type)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)") {}
  Stmt begin, commit, incident, counters, alert, event, deadline, outbox;
};

const std::string kService = "bench";
const std::string kTitle = "LOOM readiness probe failing on loom-node-0 (bench event 0)";
const std::string kSource = "loom-node-0.bench.internal";
const std::string kDetails =
    R"j({"payload":{"summary":"LOOM readiness probe failing on loom-node-0 (bench event 0)",)j"
    R"j("source":"loom-node-0.bench.internal","severity":"critical","component":"ready-probe",)j"
    R"j("group":"loom-bench","class":"availability","custom_details":{"probe":"/ready",)j"
    R"j("status":503,"checks":{"http":"ok","store":"ok","postgres":"error"},)j"
    R"j("outbox_lag_ms":61234,"region":"eu-central-1"}},"client":"loom-bench",)j"
    R"j("client_url":"http://127.0.0.1/bench"})j";
const std::string kEventData(110, 'x');  // the benchmark's average data_json length
const std::string kPagePayload(200, 'p');

struct Counters {
  int64_t incident = 0;
  int64_t alert = 0;
  int64_t deadline = 0;
  int64_t outbox = 0;
};

void AddEvent(Statements& st, int64_t incident, int64_t seq, int64_t now, const std::string& prev,
              const std::string& hash) {
  st.event.Int(incident).Int(seq).Int(now).Text(kService).Text(kService).Text(kEventData);
  st.event.Text(prev).Text(hash).Run();
}

void AddAlert(Statements& st, Counters& c, int64_t incident, const std::string& dedup,
              int64_t now) {
  static const std::string kEmpty;
  static const std::string kFiring = "firing";
  static const std::string kCritical = "critical";
  st.alert.Int(++c.alert).Int(incident).Text(kService).Text(dedup).Text(kEmpty).Text(kFiring);
  st.alert.Text(kTitle).Text(kSource).Text(kCritical).Int(1).Int(now).Int(now).Null();
  st.alert.Text(kDetails).Run();
}

void NewIncident(Statements& st, Counters& c, std::mt19937_64& rng, int64_t now) {
  static const std::string kAvailability = "availability";
  static const std::string kTriggered = "triggered";
  static const std::string kEscalate = "escalate";
  static const std::string kArm = R"({"arm":2,"step":1})";
  static const std::string kPending = "pending";
  const int64_t n = ++c.incident;
  const std::string dedup = "bench-" + Hex(rng, 8) + "-" + std::to_string(n);
  std::string hashes[5] = {"", Hex(rng, 64), Hex(rng, 64), Hex(rng, 64), Hex(rng, 64)};
  st.incident.Int(n).Text(kService).Text(kTitle).Int(1).Text(kAvailability).Text(kTriggered);
  st.incident.Text(dedup).Int(1).Int(1).Int(1).Int(1).Int(now).Int(now).Int(4).Text(hashes[4]);
  st.incident.Run();
  AddAlert(st, c, n, dedup, now);
  for (int64_t seq = 1; seq <= 4; ++seq) AddEvent(st, n, seq, now, hashes[seq - 1], hashes[seq]);
  st.deadline.Int(++c.deadline).Int(n).Text(kEscalate).Int(now + 300'000'000).Text(kArm).Int(now);
  st.deadline.Run();
  const std::string id = "INC-" + std::to_string(n);
  for (const char* who : {"alice/page", "erin/notify"}) {
    const std::string key = id + "/arm2/step0/" + who;
    const std::string recipient = std::string(who).substr(0, std::string(who).find('/'));
    const std::string channel = std::string(who).substr(recipient.size() + 1);
    st.outbox.Int(++c.outbox).Text(key).Int(n).Int(0).Text(recipient).Text(channel);
    st.outbox.Text(kPagePayload).Text(kPending).Int(now).Int(now).Text(channel).Text(recipient);
    st.outbox.Text(channel).Run();
  }
}

// Checkpoints the WAL from 8,000 frames, as the server's checkpointer does (on its own thread
// there; timed apart here).
double g_checkpoint_seconds = 0;
int CheckpointHook(void*, sqlite3* db, const char* name, int frames) {
  if (frames < 8000) return SQLITE_OK;
  const auto start = std::chrono::steady_clock::now();
  sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  g_checkpoint_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return SQLITE_OK;
}

double Run(sqlite3* db, bool repeats, const Flags& f) {
  Statements st(db);
  Counters c;
  std::mt19937_64 rng(42);
  struct Open {
    int64_t number = 0;
    int64_t count = 1;
    int64_t seq = 4;
    std::string hash;
    bool dirty = false;
  };
  std::vector<Open> open;
  int64_t now = 1'800'000'000'000'000;
  if (repeats) {  // the open incidents the repeats go to (not measured)
    st.begin.Run();
    for (int64_t i = 0; i < f.open_keys; ++i) {
      NewIncident(st, c, rng, now);
      open.push_back(Open{c.incident, 1, 4, Hex(rng, 64), false});
    }
    st.commit.Run();
  }
  g_checkpoint_seconds = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t done = 0; done < f.events;) {
    st.begin.Run();
    for (int64_t i = 0; i < f.batch && done < f.events; ++i, ++done) {
      ++now;
      if (!repeats) {
        NewIncident(st, c, rng, now);
        continue;
      }
      Open& o = open[rng() % open.size()];
      AddAlert(st, c, o.number, "bench-open", now);
      std::string hash = Hex(rng, 64);
      AddEvent(st, o.number, ++o.seq, now, o.hash, hash);
      o.hash = std::move(hash);
      ++o.count;
      o.dirty = true;
    }
    for (Open& o : open) {
      if (!o.dirty) continue;
      st.counters.Int(o.number).Int(o.count).Int(o.count).Int(now).Int(o.seq).Text(o.hash).Run();
      o.dirty = false;
    }
    st.commit.Run();
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return took.count() - g_checkpoint_seconds;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app("What SQLite alone costs for the rows one ingested event writes",
               "loom-bench-sqlite-floor");
  app.add_option("--events", f.events, "events per scenario")->check(CLI::Range(1, 100000000));
  app.add_option("--batch", f.batch, "events per transaction")->check(CLI::Range(1, 100000000));
  app.add_option("--open-keys", f.open_keys, "open incidents the repeats go to")
      ->check(CLI::Range(1, 100000000));
  app.add_option("--dir", f.dir, "where the database files go (default: a temporary directory)");
  app.add_flag("--json", f.json, "one JSON line");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  namespace fs = std::filesystem;
  const fs::path dir =
      f.dir.empty() ? fs::temp_directory_path() / ("loom-sqlite-floor-" + std::to_string(getpid()))
                    : fs::path(f.dir);
  fs::create_directories(dir);
  std::string out = "{";
  for (bool repeats : {false, true}) {
    const std::string path = (dir / (repeats ? "repeat.db" : "new.db")).string();
    fs::remove(path);
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
    {  // the product's schema
      auto conn = loom::sql::SqliteConnection::Open(path, /*read_only=*/false);
      if (!conn.ok()) {
        std::cerr << "loom-bench-sqlite-floor: " << conn.error().message << "\n";
        return 1;
      }
      loom::SystemClock clock;
      if (loom::Status s = loom::sql::Migrate(**conn, clock.Now()); !s.ok()) {
        std::cerr << "loom-bench-sqlite-floor: " << s.error().message << "\n";
        return 1;
      }
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Fail(db, path.c_str());
    // The server's settings (store/sql/sqlite_store.cc), minus the fsync.
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"
                     " PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 0;",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      Fail(db, "pragmas");
    }
    sqlite3_wal_hook(db, CheckpointHook, nullptr);
    const double seconds = Run(db, repeats, f);
    sqlite3_close(db);
    const double us = seconds * 1e6 / static_cast<double>(f.events);
    const double checkpoint_us = g_checkpoint_seconds * 1e6 / static_cast<double>(f.events);
    const char* name = repeats ? "repeat" : "new";
    if (f.json) {
      if (out.size() > 1) out += ',';
      char buf[200];
      std::snprintf(
          buf, sizeof buf,
          R"("%s":{"us_per_event":%.1f,"events_per_s":%.0f,"checkpoint_us_per_event":%.1f})", name,
          us, 1e6 / us, checkpoint_us);
      out += buf;
    } else {
      std::printf(
          "%-7s %6.1f µs/event (%6.0f events/s on one thread, batch %lld) + checkpoints"
          " %4.1f µs/event\n",
          name, us, 1e6 / us, static_cast<long long>(f.batch), checkpoint_us);
    }
  }
  if (f.json) std::cout << out << "}\n";
  if (f.dir.empty()) fs::remove_all(dir);
  return 0;
}
