// FakeLoomNode: a ProbeHttp that answers like a LOOM node from the captured fixture responses in
// tests/data/loom-node/ (healthy, PostgreSQL down, recovered), or not at all (unreachable).
// Records every request. Header-only: tests that use it link loom_probe. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "probe/probe_client.h"
#include "testing/temp_dir.h"

namespace loom::testing {

class FakeLoomNode final : public ProbeHttp {
 public:
  enum class State { kHealthy, kPostgresDown, kRecovered, kUnreachable };

  struct Call {
    std::string url;
    std::vector<std::string> headers;
  };

  void Set(State s) {
    std::lock_guard lock(mu_);
    state_ = s;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  ProbeResponse Get(const std::string& url, const std::vector<std::string>& headers,
                    Duration) override {
    std::lock_guard lock(mu_);
    calls_.push_back({url, headers});
    ProbeResponse r;
    if (state_ == State::kUnreachable) {
      r.error = "Couldn't connect to server (http://loom.test:80)";
      return r;
    }
    r.completed = true;
    const bool down = state_ == State::kPostgresDown;
    const bool recovered = state_ == State::kRecovered;
    if (url.ends_with("/ready")) {
      r.status = down ? 503 : 200;
      r.body = Fixture(down        ? "pg-down/ready-unhealthy.json"
                       : recovered ? "pg-down/ready-recovered.json"
                                   : "ready.json");
    } else if (url.ends_with("/v1/admin/status")) {
      r.status = 200;
      r.body = Fixture(down ? "pg-down/admin-status-pg-down.json" : "admin-status.json");
    } else if (url.ends_with("/metrics")) {
      r.status = 200;
      r.body = Fixture(down        ? "pg-down/metrics-pg-down.txt"
                       : recovered ? "pg-down/metrics-recovered-after-write.txt"
                                   : "metrics.txt");
    } else {
      r.status = 404;
    }
    return r;
  }

  static std::string Fixture(const std::string& name) {
    return ReadFileOrDie(TestDataPath("loom-node/" + name));
  }

 private:
  mutable std::mutex mu_;
  State state_ = State::kHealthy;
  std::vector<Call> calls_;
};

}  // namespace loom::testing
