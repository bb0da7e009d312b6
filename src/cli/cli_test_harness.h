// Test-only: a CliContext wired to fakes around a real store, so tests run whole command lines
// in-process and inspect what was printed, which HTTP requests were sent, what the server was
// given and what is in the store afterwards. The store is the real SQLite store (opened where the
// command asks); a test seeds it and reads it back with OpenStore. Included only by
// src/cli/*_test.cc; the fakes record, in `events`, the order of the side effects.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_context.h"
#include "store/sql/sqlite_store.h"
#include "testing/fake_clock.h"

namespace loom::testing {

// Answers API requests from a queue of canned responses and records every request.
class FakeApi {
 public:
  void Respond(int status, std::string body) {
    responses_.push_back(HttpResponse{status, std::move(body), "application/json"});
  }
  void FailWith(Error error) { responses_.push_back(std::move(error)); }

  std::vector<HttpRequest> requests;
  std::vector<TransportOptions> transports;

  std::unique_ptr<HttpTransport> MakeTransport(const TransportOptions& options) {
    transports.push_back(options);
    return std::make_unique<Transport>(*this);
  }

  // The value of header `name` in request `i`, "" when absent.
  std::string Header(size_t i, const std::string& name) const {
    for (const auto& [n, v] : requests.at(i).headers) {
      if (n == name) return v;
    }
    return "";
  }

 private:
  class Transport final : public HttpTransport {
   public:
    explicit Transport(FakeApi& api) : api_(api) {}
    Result<HttpResponse> Send(const HttpRequest& request) override {
      api_.requests.push_back(request);
      if (api_.responses_.empty()) return Error::Internal("FakeApi: no response queued");
      Result<HttpResponse> next = std::move(api_.responses_.front());
      api_.responses_.pop_front();
      return next;
    }

   private:
    FakeApi& api_;
  };

  std::deque<Result<HttpResponse>> responses_;
};

// Records its stop and whether the store it was given could still be written then (serve must
// stop the server before it closes the store).
class FakeHttpServer final : public HttpServer {
 public:
  FakeHttpServer(uint16_t port, Store& store, std::vector<std::string>& events)
      : port_(port), store_(store), events_(events) {}
  uint16_t port() const override { return port_; }
  void Stop() override {
    events_.push_back("server.stop");
    events_.push_back(store_.Writable().ok() ? "store writable" : "store closed");
  }
  void Wait() override { events_.push_back("server.wait"); }

 private:
  uint16_t port_;
  Store& store_;
  std::vector<std::string>& events_;
};

// Delivers SIGTERM at once (after `while_waiting`, when set: what a test checks while serving).
class FakeShutdownSignal final : public ShutdownSignal {
 public:
  FakeShutdownSignal(std::vector<std::string>& events, std::function<void()> while_waiting)
      : events_(events), while_waiting_(std::move(while_waiting)) {}
  int Wait() override {
    events_.push_back("signal.wait");
    if (while_waiting_) while_waiting_();
    return SIGTERM;
  }

 private:
  std::vector<std::string>& events_;
  std::function<void()> while_waiting_;
};

class CliHarness {
 public:
  CliHarness()
      : ctx_{
            .out = out,
            .err = err,
            .env = [this](const char* name) -> const char* {
              auto it = env.find(name);
              return it == env.end() ? nullptr : it->second.c_str();
            },
            .clock = clock,
            .load_config = [this](const std::string& path, const EnvLookup&) -> Result<Config> {
              events.push_back("config.load " + path);
              return config;
            },
            .demo_config = [this](const std::string& dir, const EnvLookup&) -> Result<Config> {
              events.push_back("config.demo " + dir);
              return config;
            },
            .open_sqlite_store = [this](const SqliteOptions& options,
                                        Clock& store_clock) -> Result<std::unique_ptr<Store>> {
              events.push_back("store.open " + options.path);
              if (!open_store_error.message.empty()) return open_store_error;
              return OpenSqliteStore(options, store_clock);
            },
            .open_postgres_store = nullptr,
            .start_http_server = [this](const ServerOptions& options,
                                        ServerDeps deps) -> Result<std::unique_ptr<HttpServer>> {
              events.push_back("server.start " + options.listen);
              Result<std::vector<Service>> services = deps.store.ListServices();
              events.push_back("store.services " +
                               (services.ok() ? std::to_string(services->size()) : "error"));
              if (!start_server_error.message.empty()) return start_server_error;
              server_options = options;
              admin_token_hash = deps.admin_token_hash;
              policy = deps.policy;
              roster = deps.oncall.roster;
              links = deps.links;
              return std::unique_ptr<HttpServer>(
                  std::make_unique<FakeHttpServer>(port, deps.store, events));
            },
            .make_transport =
                [this](const TransportOptions& options) { return api.MakeTransport(options); },
            .shutdown_signal = [this]() -> std::unique_ptr<ShutdownSignal> {
              events.push_back("signal.block");
              return std::make_unique<FakeShutdownSignal>(events, on_signal_wait);
            },
        } {}

  int Run(const std::vector<std::string>& args) { return RunCliWith(args, ctx_); }

  // The real SQLite store at `path` (its directory is created), to seed it before a command or
  // read what a command left in it; shut it down (or drop it) before the next Run opens it.
  std::unique_ptr<Store> OpenStore(const std::string& path) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    SqliteOptions options;
    options.path = path;
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(options, clock);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::ostringstream out, err;
  std::map<std::string, std::string> env;
  FakeClock clock;
  FakeApi api;

  // What the fakes return and record.
  Result<Config> config = Config{};
  Error open_store_error{ErrorCode::kInternal, "", {}};    // empty message = open succeeds
  Error start_server_error{ErrorCode::kInternal, "", {}};  // empty message = the server starts
  std::function<void()> on_signal_wait;                    // runs while serve waits for the signal
  uint16_t port = 43210;
  std::vector<std::string> events;
  ServerOptions server_options;
  std::string admin_token_hash;
  std::shared_ptr<const SeverityPolicy> policy;
  std::shared_ptr<Roster> roster;
  std::shared_ptr<const LinkSigner> links;

 private:
  CliContext ctx_;
};

}  // namespace loom::testing
